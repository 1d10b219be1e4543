package client

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// NoPermitError refuses a weights call (SetWeights, CommitWeights,
// RevealWeights) from a hotkey without a validator permit on a subnet past
// its bootstrap: the chain fails such a call whatever it pays
// (subnet.ErrNoPermit), so the client does not send it. Permits are handed
// out by the subnet's epoch to the MaxValidators UIDs with the most stake,
// among those with stake (ties favour the higher UID); NextEpoch is the
// first block at which the hotkey may get one. Stake is the hotkey's stake
// and Cutoff the smallest stake among the MaxValidators largest (0 when
// fewer UIDs hold stake), as of the head: the message says which of "no
// stake", "not among the largest" or "wait for the epoch" applies.
type NoPermitError struct {
	Netuid        uint16
	UID           uint16
	NextEpoch     uint64
	Stake         uint64 // rao
	MaxValidators uint64
	Cutoff        uint64 // rao
	Outranked     bool   // at today's stakes, MaxValidators UIDs rank above it
}

func (e *NoPermitError) Error() string {
	switch {
	case e.Stake == 0:
		return fmt.Sprintf("no validator permit on subnet %d (uid %d): the hotkey has no stake, and each epoch (next at block %d) gives permits only to the %d UIDs with the most stake, among those with stake: add stake to it first", e.Netuid, e.UID, e.NextEpoch, e.MaxValidators)
	case e.Outranked:
		return fmt.Sprintf("no validator permit on subnet %d (uid %d): its stake of %s TAO is not among the %d largest on the subnet (the smallest of them is %s TAO), and the epoch at block %d gives permits to those only", e.Netuid, e.UID, types.FormatTAO(e.Stake), e.MaxValidators, types.FormatTAO(e.Cutoff), e.NextEpoch)
	}
	return fmt.Sprintf("no validator permit on subnet %d (uid %d) until the epoch at block %d: weights calls need a permit, given each epoch to the top validators by stake", e.Netuid, e.UID, e.NextEpoch)
}

// Is matches ErrNoPermit and subnet.ErrNoPermit.
func (e *NoPermitError) Is(target error) bool {
	return target == ErrNoPermit || target == subnet.ErrNoPermit
}

// NextEpochBlock is the first height after head at which subnet netuid runs
// its epoch: (h + netuid) % tempo == 0, as chain's end of block has it.
func NextEpochBlock(head uint64, netuid uint16, tempo uint64) uint64 {
	if tempo == 0 {
		return head + 1
	}
	h := head + 1
	if r := (h + uint64(netuid)) % tempo; r != 0 {
		h += tempo - r
	}
	return h
}

// FeeFree reports whether the chain runs call fee-free for from (DESIGN.md
// §2, chain.feeFreeCall): PowRegister always; weights calls by a permitted
// validator or on a subnet that bootstraps (no neuron holds stake);
// ServeAxon by a registered neuron; SetRootWeights by a root member. For
// those kinds an ineligible sender gets the rule's error instead of false,
// since the call itself would fail on chain.
func (c *Client) FeeFree(ctx context.Context, from types.Address, call types.Call) (bool, error) {
	switch x := call.(type) {
	case *types.PowRegister:
		return true, nil
	case *types.SetWeights:
		return c.permitted(ctx, from, x.Netuid)
	case *types.CommitWeights:
		return c.permitted(ctx, from, x.Netuid)
	case *types.RevealWeights:
		return c.permitted(ctx, from, x.Netuid)
	case *types.ServeAxon:
		mg, err := c.Metagraph(ctx, x.Netuid)
		if err != nil {
			return false, err
		}
		if _, ok := uidOf(mg, from); !ok {
			return false, fmt.Errorf("%w: %s on subnet %d: register first (burned or PoW)", ErrNotNeuron, from, x.Netuid)
		}
		return true, nil
	case *types.SetRootWeights:
		ms, err := c.RootMembers(ctx)
		if err != nil {
			return false, err
		}
		for _, m := range ms {
			if m.Hotkey == from {
				return true, nil
			}
		}
		return false, fmt.Errorf("%w: %s: join with RootRegister (the top stakers are admitted)", ErrNotRoot, from)
	}
	return false, nil
}

func uidOf(mg []rpc.NeuronJSON, hotkey types.Address) (uint16, bool) {
	for i := range mg {
		if mg[i].Hotkey == hotkey {
			return mg[i].UID, true
		}
	}
	return 0, false
}

// permitted applies the chain's permit rule for weights calls to from on
// netuid, as of the head (one subnet_snapshot: neurons, hyperparameters
// and height of one block).
func (c *Client) permitted(ctx context.Context, from types.Address, netuid uint16) (bool, error) {
	snap, err := c.MetagraphSnapshot(ctx, netuid)
	if err != nil {
		return false, err
	}
	mg := snap.Neurons
	uid, ok := uidOf(mg, from)
	if !ok || int(uid) >= len(mg) {
		return false, fmt.Errorf("%w: %s on subnet %d: register first (burned or PoW)", ErrNotNeuron, from, netuid)
	}
	if mg[uid].Permit {
		return true, nil
	}
	stakes := make([]uint64, len(mg))
	var anyStake uint64
	for i := range mg {
		if stakes[i], err = strconv.ParseUint(mg[i].Stake, 10, 64); err != nil {
			return false, fmt.Errorf("%w: subnet_snapshot uid %d stake %q", ErrBadReply, i, mg[i].Stake)
		}
		anyStake |= stakes[i]
	}
	if anyStake == 0 {
		return true, nil // bootstrapping: every neuron may set weights
	}
	// Past bootstrap: only permitted validators may set weights.
	e := &NoPermitError{Netuid: netuid, UID: uid, NextEpoch: NextEpochBlock(snap.Block, netuid, snap.Hyperparams.Tempo),
		Stake: stakes[uid], MaxValidators: snap.Hyperparams.MaxValidators}
	e.Cutoff, e.Outranked = permitCutoff(stakes, int(uid), e.MaxValidators)
	return false, e
}

// permitCutoff is the smallest stake among the k largest nonzero stakes (0
// when fewer than k UIDs hold stake), and whether k UIDs outrank uid: more
// stake, or equal stake and a higher UID (the epoch's order).
func permitCutoff(stakes []uint64, uid int, k uint64) (cutoff uint64, outranked bool) {
	var above uint64
	var held []uint64
	for j, st := range stakes {
		if st == 0 {
			continue
		}
		held = append(held, st)
		if st > stakes[uid] || (st == stakes[uid] && j > uid) {
			above++
		}
	}
	if uint64(len(held)) >= k && k > 0 {
		// k-th largest: a partial selection is not worth it at ≤ 4,096 UIDs.
		sorted := append([]uint64(nil), held...)
		slices.SortFunc(sorted, func(a, b uint64) int { return cmp.Compare(b, a) })
		cutoff = sorted[k-1]
	}
	return cutoff, above >= k
}

// SignTx signs call as key with the fee the chain requires under p: zero
// when free (a fee-free call for its sender), else the minimum for the
// signed tx's own length (chain.MinFeeFor). It is what Send signs.
func SignTx(p *chain.Params, chainID, nonce uint64, call types.Call, free bool, key *ecdsa.PrivateKey) (*types.Tx, error) {
	if free {
		p = nil
	} else if p == nil {
		return nil, errors.New("client: paying a fee needs the chain's parameters")
	}
	return signData(p, types.TxData{ChainID: chainID, Nonce: nonce, Call: call}, key)
}

// signData signs d as it is (p nil: a fee-free call or a fee the caller
// chose) or with the fee set to the minimum under p for its signed length.
//
// The length depends on the fee's encoding and on the signature's (r and s
// drop leading zero bytes), so a new fee can change the length and the
// minimum both ways. chain.SignPayingMinFee only raises, and can overpay by
// a byte's length fee when the re-signed tx came out shorter; this settles
// on the fee that equals the minimum at its own length when a few rounds
// find it, else the cheapest sufficient one seen.
func signData(p *chain.Params, d types.TxData, key *ecdsa.PrivateKey) (*types.Tx, error) {
	if p == nil {
		return types.SignTx(d, key)
	}
	var best *types.Tx
	for range 8 {
		tx, err := types.SignTx(d, key)
		if err != nil {
			return nil, err
		}
		min, err := chain.MinFeeFor(*p, d.Call, tx.Size())
		if err != nil {
			return nil, err
		}
		if d.Fee >= min && (best == nil || d.Fee < best.Fee()) {
			best = tx
		}
		if d.Fee == min {
			break
		}
		d.Fee = min
	}
	if best == nil { // never seen in practice: let the chain's rule settle it
		return chain.SignPayingMinFee(*p, d, key)
	}
	return best, nil
}
