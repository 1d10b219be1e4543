package weights

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Chain is what a Setter needs from a node; *client.Client has it.
type Chain interface {
	BlockNumber(ctx context.Context) (uint64, error)
	SendAndWait(ctx context.Context, s *client.Signer, call types.Call, opts ...client.SendOption) (*rpc.ReceiptJSON, error)
	// WeightsCommit is hotkey's commit awaiting its reveal; nil if none.
	WeightsCommit(ctx context.Context, netuid uint16, hotkey types.Address) (*rpc.WeightsCommitJSON, error)
}

// ErrNotRegistered reports a Setter whose hotkey is not in the metagraph.
var ErrNotRegistered = errors.New("weights: the hotkey is not a neuron of the subnet (sync the metagraph after registering)")

// Setter puts a validator's weights on chain the way the subnet's
// hyperparameters say, waiting out the rate limits. One Setter per hotkey
// and subnet; it is not safe for concurrent use.
type Setter struct {
	chain  Chain
	signer *client.Signer
	mg     *metagraph.Metagraph
	// Poll is how often the head is read while waiting (default 100 ms).
	Poll time.Duration

	lastSet    uint64 // block of our last SetWeights/RevealWeights (the metagraph may lag)
	lastCommit uint64 // block of our last CommitWeights (the chain forgets it at the reveal)
}

// NewSetter returns a Setter sending as s, reading the subnet's rules and
// the hotkey's last update from mg.
func NewSetter(c Chain, s *client.Signer, mg *metagraph.Metagraph) *Setter {
	return &Setter{chain: c, signer: s, mg: mg, Poll: 100 * time.Millisecond}
}

// Set puts (uids, weights) on chain: SetWeights on a plain subnet; on a
// commit-reveal subnet, CommitWeights, a wait of reveal_delay blocks, then
// RevealWeights. It first waits until weights_rate_limit allows the call,
// and retries a call the chain refused as rate limited (the metagraph can
// lag). It returns the receipt of the call that set the weights.
func (s *Setter) Set(ctx context.Context, uids, weights []uint16) (*rpc.ReceiptJSON, error) {
	snap := s.mg.Snapshot()
	me, ok := snap.ByHotkey(s.signer.Address())
	if !ok {
		return nil, fmt.Errorf("%w: %s on subnet %d", ErrNotRegistered, s.signer.Address(), snap.Netuid)
	}
	h := snap.Hyper
	if h.CommitReveal == 0 {
		from := max(me.LastUpdate, s.lastSet)
		if me.LastUpdate == me.RegisteredAt && s.lastSet == 0 {
			from = 0 // the chain lets a fresh neuron set weights at once
		}
		r, err := s.sendLimited(ctx, from+h.WeightsRateLimit, client.SetWeights(snap.Netuid, uids, weights, h.WeightsVersion))
		if err != nil {
			return nil, err
		}
		s.lastSet = r.BlockNumber
		return r, nil
	}

	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("weights: salt: %w", err)
	}
	// A commit the chain holds that this Setter did not make (a restart
	// between commit and reveal lost its salt) cannot be revealed; a new
	// commit replaces it once weights_rate_limit has passed since it.
	// Waiting for that, rather than sending a commit the chain refuses as
	// rate limited, costs no failed tx.
	last := s.lastCommit
	pending, err := s.chain.WeightsCommit(ctx, snap.Netuid, s.signer.Address())
	if err != nil {
		return nil, fmt.Errorf("weights: pending commit: %w", err)
	}
	if pending != nil {
		last = max(last, pending.Block)
	}
	var from uint64
	if last > 0 {
		from = last + h.WeightsRateLimit
	}
	commit := client.CommitWeights(s.signer.Address(), snap.Netuid, uids, weights, salt, h.WeightsVersion)
	rc, err := s.sendLimited(ctx, from, commit)
	if err != nil {
		return nil, fmt.Errorf("weights: commit: %w", err)
	}
	s.lastCommit = rc.BlockNumber
	reveal := client.RevealWeights(snap.Netuid, uids, weights, salt, h.WeightsVersion)
	r, err := s.sendLimited(ctx, rc.BlockNumber+h.RevealDelay, reveal)
	if err != nil {
		return nil, fmt.Errorf("weights: reveal (committed at block %d): %w", rc.BlockNumber, err)
	}
	s.lastSet = r.BlockNumber
	return r, nil
}

// sendLimited waits until a tx sent now lands at or after block from, sends
// call, and on a rate-limit or early-reveal failure waits a block and tries
// again (bounded by ctx).
func (s *Setter) sendLimited(ctx context.Context, from uint64, call types.Call) (*rpc.ReceiptJSON, error) {
	for {
		head, err := s.waitHead(ctx, from)
		if err != nil {
			return nil, err
		}
		r, err := s.chain.SendAndWait(ctx, s.signer, call)
		if errors.Is(err, staking.ErrRateLimited) || errors.Is(err, subnet.ErrRevealEarly) {
			from = max(from, head+2)
			continue
		}
		return r, err
	}
}

// waitHead polls until head+1 ≥ target (a tx sent then is included at
// target or later) and returns the head.
func (s *Setter) waitHead(ctx context.Context, target uint64) (uint64, error) {
	poll := s.Poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	for {
		head, err := s.chain.BlockNumber(ctx)
		if err != nil {
			return 0, fmt.Errorf("weights: head: %w", err)
		}
		if head+1 >= target {
			return head, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("weights: waiting for block %d (at %d): %w", target, head, ctx.Err())
		case <-time.After(poll):
		}
	}
}
