package client

import (
	"context"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Coldkey swaps (issue 16): the calls the old coldkey signs, the
// governance proposal that resolves a dispute, and the reads.

// ScheduleColdkeySwap announces that the sender's balance, stake,
// unbonding, hotkeys and subnets move to newColdkey after the chain's
// coldkey_swap_delay (it burns coldkey_swap_cost). A second schedule from
// the same key disputes the swap and freezes the key.
func ScheduleColdkeySwap(newColdkey types.Address) *types.ScheduleColdkeySwap {
	return &types.ScheduleColdkeySwap{NewColdkey: newColdkey}
}

// CancelColdkeySwap cancels the sender's scheduled (not disputed) swap.
func CancelColdkeySwap() *types.CancelColdkeySwap { return &types.CancelColdkeySwap{} }

// ProposeColdkeySwapResolution proposes to send old's disputed swap to
// `to`, one of its announced destinations, or (to zero) to cancel it.
func ProposeColdkeySwapResolution(title, description string, deposit uint64, old, to types.Address) *types.Propose {
	return &types.Propose{ProposalKind: types.ProposalColdkeySwap, Title: title, Description: description, SwapColdkey: old, SwapTo: to, Deposit: deposit}
}

// ColdkeySwap returns coldkey's swap, or nil if it has none.
func (c *Client) ColdkeySwap(ctx context.Context, coldkey types.Address) (*rpc.ColdkeySwapJSON, error) {
	var s *rpc.ColdkeySwapJSON
	err := c.Call(ctx, &s, "stake_coldkeySwap", coldkey)
	return s, err
}

// ColdkeySwaps lists up to limit pending swaps, the soonest due first
// (limit at most rpc.MaxColdkeySwaps).
func (c *Client) ColdkeySwaps(ctx context.Context, limit int) ([]*rpc.ColdkeySwapJSON, error) {
	var s []*rpc.ColdkeySwapJSON
	err := c.Call(ctx, &s, "stake_coldkeySwaps", limit)
	return s, err
}
