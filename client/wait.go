package client

import (
	"context"
	"fmt"
	"time"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Receipt polling backoff: the first check soon (test chains make 200 ms
// blocks), then slower, never slower than maxPoll.
const (
	minPoll = 50 * time.Millisecond
	maxPoll = time.Second
)

// WaitReceipt waits until a block includes the tx and returns its receipt,
// bounded by ctx (give it a deadline: a tx the pool dropped never
// arrives). Over WebSocket it checks on each newHeads notification, over
// HTTP it polls with backoff. A failed call returns the receipt together
// with a *FailedError carrying the rule's text.
func (c *Client) WaitReceipt(ctx context.Context, hash types.Hash) (*rpc.ReceiptJSON, error) {
	var heads <-chan *rpc.HeaderJSON
	if c.ws {
		ch := make(chan *rpc.HeaderJSON, 16)
		sub, err := c.rpc.Subscribe(ctx, "tao", ch, "newHeads")
		if err == nil {
			defer sub.Unsubscribe()
			heads = ch
		} // else: the node refuses subscriptions (limit): poll instead
	}
	wait := minPoll
	for {
		r, err := c.Receipt(ctx, hash)
		if err != nil {
			if ctx.Err() != nil {
				// The deadline fell during the call (a block just came):
				// still a timeout for the caller, not a node error.
				return nil, fmt.Errorf("%w: %s: %w", ErrTimeout, hash, ctx.Err())
			}
			return nil, err
		}
		if r != nil {
			return r, receiptErr(r)
		}
		if heads != nil {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%w: %s: %w", ErrTimeout, hash, ctx.Err())
			case <-heads:
			case <-time.After(maxPoll): // a missed notification costs at most this
			}
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w: %s: %w", ErrTimeout, hash, ctx.Err())
		case <-t.C:
		}
		if wait *= 2; wait > maxPoll {
			wait = maxPoll
		}
	}
}

// receiptErr is nil for a successful receipt and a *FailedError otherwise.
func receiptErr(r *rpc.ReceiptJSON) error {
	if r.Status == "success" {
		return nil
	}
	return &FailedError{TxHash: r.TxHash, Block: r.BlockNumber, Rule: r.Error}
}

// ErrNeedWS is returned by SubscribeHeads on an HTTP connection.
var ErrNeedWS = fmt.Errorf("client: head subscriptions need a ws:// URL")

// HeadSubscription streams committed headers until Unsubscribe; Err reports
// why it ended (closed when Unsubscribe is called).
type HeadSubscription interface {
	Unsubscribe()
	Err() <-chan error
}

// SubscribeHeads sends each newly committed header to ch (WebSocket only).
// The caller must drain ch; the subscription ends if it falls behind.
func (c *Client) SubscribeHeads(ctx context.Context, ch chan<- *rpc.HeaderJSON) (HeadSubscription, error) {
	if !c.ws {
		return nil, ErrNeedWS
	}
	sub, err := c.rpc.Subscribe(ctx, "tao", ch, "newHeads")
	if err != nil {
		return nil, fmt.Errorf("tao_subscribe newHeads at %s: %w", c.url, err)
	}
	return sub, nil
}
