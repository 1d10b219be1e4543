package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// SendOption changes how Send builds a transaction.
type SendOption func(*sendConfig)

type sendConfig struct {
	fee    uint64
	hasFee bool
	tip    uint64
}

// WithFee pays exactly fee rao instead of the computed fee (zero for a
// fee-free call, the minimum otherwise), and skips the client's own
// eligibility checks: the node and the chain decide. A fee below the
// minimum is refused by the node unless the call is fee-free for the sender.
func WithFee(fee uint64) SendOption {
	return func(c *sendConfig) { c.fee, c.hasFee = fee, true }
}

// WithTip adds a tip on top of the fee (it orders the txpool). A tip makes
// a fee-free call pay the minimum fee: the chain admits no tip on a free one.
func WithTip(tip uint64) SendOption { return func(c *sendConfig) { c.tip = tip } }

// Send signs call as s and hands it to the node; it returns the tx's hash
// once the node has pooled it (use WaitReceipt for inclusion).
//
// The fee is what the chain requires (chain.MinFeeFor over the signed
// length, under the parameters in force), or zero for a call the chain
// runs fee-free for this sender (FeeFree). A call that can only ever run
// fee-free for eligible senders, sent by one that is not, is refused here
// with an error naming the rule (ErrNoPermit, ErrNotNeuron, ErrNotRoot):
// the chain would fail it even with a fee.
//
// The nonce comes from a per-signer tracker: the node's pending nonce the
// first time, then local increments, so several Sends in a row need no
// waiting. A refusal for a wrong nonce resyncs it and retries once; so
// does a fee refusal, with fresh fee parameters (they are cached).
func (c *Client) Send(ctx context.Context, s *Signer, call types.Call, opts ...SendOption) (types.Hash, error) {
	if err := call.Validate(); err != nil {
		return types.Hash{}, fmt.Errorf("%w: %v: %w", ErrInvalidCall, call.Kind(), err)
	}
	var cfg sendConfig
	for _, o := range opts {
		o(&cfg)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return types.Hash{}, err
	}
	free := false
	if !cfg.hasFee {
		if free, err = c.FeeFree(ctx, s.addr, call); err != nil {
			return types.Hash{}, err
		}
		free = free && cfg.tip == 0 // a tip needs a paying tx
	}
	paying := !free && !cfg.hasFee
	for attempt := 0; ; attempt++ {
		var params *chain.Params
		if paying {
			if params, err = c.feeParams(ctx); err != nil {
				return types.Hash{}, err
			}
		}
		nonce, err := c.nextNonce(ctx, s.addr)
		if err != nil {
			return types.Hash{}, err
		}
		d := types.TxData{ChainID: chainID, Nonce: nonce, Fee: cfg.fee, Tip: cfg.tip, Call: call}
		tx, err := signData(params, d, s.key)
		if err != nil {
			c.forgetNonce(s.addr)
			return types.Hash{}, fmt.Errorf("client: sign %v: %w", call.Kind(), err)
		}
		var h types.Hash
		err = c.Call(ctx, &h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes()))
		if err == nil {
			if h != tx.Hash() {
				return h, fmt.Errorf("%w: node named tx %s %s", ErrBadReply, tx.Hash(), h)
			}
			return h, nil
		}
		// Whatever the refusal, the nonce was not used: the next Send asks
		// the node again rather than leave a gap.
		c.forgetNonce(s.addr)
		err = rejected(err)
		feeStale := paying && errors.Is(err, chain.ErrFeeTooLow) // governance changed the fee parameters
		if attempt == 0 && (feeStale || errors.Is(err, chain.ErrNonceTooLow) || errors.Is(err, chain.ErrNonceTooHigh)) {
			if feeStale {
				c.dropFeeParams()
			}
			continue
		}
		return types.Hash{}, err
	}
}

// feeParams returns the chain parameters fees are computed under: read once
// and cached, since only governance changes them; a fee refusal drops the
// cache (dropFeeParams) and Send retries with fresh ones.
func (c *Client) feeParams(ctx context.Context) (*chain.Params, error) {
	c.mu.Lock()
	p := c.mu.params
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	pj, err := c.Params(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.mu.params = &pj.Params
	c.mu.Unlock()
	return &pj.Params, nil
}

func (c *Client) dropFeeParams() {
	c.mu.Lock()
	c.mu.params = nil
	c.mu.Unlock()
}

// nextNonce reserves the signer's next nonce: the node's pending nonce the
// first time, a local increment after.
func (c *Client) nextNonce(ctx context.Context, a types.Address) (uint64, error) {
	c.mu.Lock()
	n, ok := c.mu.nonces[a]
	if ok {
		c.mu.nonces[a] = n + 1
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	n, err := c.PendingNonce(ctx, a)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.mu.nonces[a]; ok && m > n {
		n = m // another Send of this signer synced meanwhile
	}
	c.mu.nonces[a] = n + 1
	return n, nil
}

// forgetNonce drops the tracked nonce so the next Send resyncs from the node.
func (c *Client) forgetNonce(a types.Address) {
	c.mu.Lock()
	delete(c.mu.nonces, a)
	c.mu.Unlock()
}

// SendAndWait is Send then WaitReceipt. A call that failed on chain returns
// its receipt and a *FailedError.
func (c *Client) SendAndWait(ctx context.Context, s *Signer, call types.Call, opts ...SendOption) (*rpc.ReceiptJSON, error) {
	h, err := c.Send(ctx, s, call, opts...)
	if err != nil {
		return nil, err
	}
	return c.WaitReceipt(ctx, h)
}
