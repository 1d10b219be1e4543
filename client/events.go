package client

import (
	"context"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Events returns the events matching f, oldest first (tao_getEvents): at
// most 10,000 blocks per call and 1,000 events per page; a full page sets
// Next, which the caller passes back as f.Cursor with the same filter.
func (c *Client) Events(ctx context.Context, f rpc.EventFilter) (*rpc.EventsPage, error) {
	var p rpc.EventsPage
	err := c.Call(ctx, &p, "tao_getEvents", f)
	return &p, err
}

// AccountHistory returns a page of the events naming addr, newest first
// (tao_getAccountHistory). cursor "" is the first page, else a page's Next;
// limit 0 is the node's default (25), else 1–100. It needs a node with the
// event index ([index] enabled).
func (c *Client) AccountHistory(ctx context.Context, addr types.Address, cursor string, limit int) (*rpc.AccountHistory, error) {
	var cur *string
	if cursor != "" {
		cur = &cursor
	}
	var lim *int
	if limit != 0 {
		lim = &limit
	}
	var h rpc.AccountHistory
	err := c.Call(ctx, &h, "tao_getAccountHistory", addr, cur, lim)
	return &h, err
}

// SubnetHistory returns (netuid, uid)'s last epochs, oldest first
// (subnet_history): epochs 0 is the node's default (32), else 1–256. It
// needs a node with the event index.
func (c *Client) SubnetHistory(ctx context.Context, netuid, uid uint16, epochs int) ([]rpc.EpochPointJSON, error) {
	var n *int
	if epochs != 0 {
		n = &epochs
	}
	var out []rpc.EpochPointJSON
	err := c.Call(ctx, &out, "subnet_history", netuid, uid, n)
	return out, err
}
