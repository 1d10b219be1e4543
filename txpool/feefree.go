package txpool

// Fee-free calls: at most one pooled per (hotkey, call kind, subnet), and
// the next only after the chain's own rate limit for that call.

import (
	"fmt"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// freeKey is what the chain rate-limits a fee-free call by: the hotkey (the
// sender), the call's kind and its subnet.
type freeKey struct {
	hotkey types.Address
	kind   types.CallKind
	netuid uint16
}

// freeMark remembers a key's last fee-free tx: no other is admitted while
// it is pooled or before height until.
type freeMark struct {
	hash  types.Hash
	until uint64
}

// feeFreeAllowedLocked says whether a fee-free tx under k may be admitted:
// none under k is pooled, k's window has passed, and the keys remembered are
// below the bound.
func (p *Pool) feeFreeAllowedLocked(k freeKey) error {
	if m, ok := p.mu.free[k]; ok {
		if _, pooled := p.mu.all[m.hash]; pooled || p.mu.height < m.until {
			return fmt.Errorf("%w: %v of hotkey %s on subnet %d, next from block %d",
				ErrFeeFreeLimited, k.kind, k.hotkey, k.netuid, max(m.until, p.mu.height+1))
		}
	} else if len(p.mu.free) >= p.cfg.MaxFeeFree {
		return fmt.Errorf("%w: %d fee-free calls already waiting", ErrFeeFreeLimited, len(p.mu.free))
	}
	return nil
}

// callNetuid is the subnet a fee-free call acts on (0, the root, for root
// weights).
func callNetuid(call types.Call) uint16 {
	switch c := call.(type) {
	case *types.PowRegister:
		return c.Netuid
	case *types.SetWeights:
		return c.Netuid
	case *types.CommitWeights:
		return c.Netuid
	case *types.RevealWeights:
		return c.Netuid
	case *types.ServeAxon:
		return c.Netuid
	}
	return 0
}

// feeFreeWindow is the chain's own rate limit for a fee-free call, in blocks
// (at least one), counted from admission and so never stricter than the
// chain's, counted from inclusion. A reveal has no rate limit of its own
// (its commit has): one block.
func (p *Pool) feeFreeWindow(st *state.State, call types.Call) uint64 {
	var w uint64
	subnetLimit := func(netuid uint16, serving bool) uint64 {
		s, ok := subnet.Get(st, netuid)
		if !ok {
			return 0
		}
		if serving {
			return s.Hyper.ServingRateLimit
		}
		return s.Hyper.WeightsRateLimit
	}
	switch c := call.(type) {
	case *types.SetWeights:
		w = subnetLimit(c.Netuid, false)
	case *types.CommitWeights:
		w = subnetLimit(c.Netuid, false)
	case *types.ServeAxon:
		w = subnetLimit(c.Netuid, true)
	case *types.SetRootWeights:
		w = p.chain.Params().Subnets.Defaults.WeightsRateLimit
	}
	return max(w, 1)
}

// promoteLocked extends a's pending run over the queued txs that now follow
