package chain

// Fees and the block budget: what a tx pays (weight and length), what a
// block may hold (bytes, and the share of fee-free calls), and the code
// bounds the p2p size limits are derived from.

import (
	"crypto/ecdsa"
	"fmt"
	"math/bits"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Code bounds on parameters that p2p size limits are derived from
// (MaxEncodedBlockSize): Params.Validate refuses values beyond them, so no
// genesis or governance change can make a valid block unsendable.
const (
	// MaxBlockBytesLimit bounds max_block_bytes: twice mainnet's 4 MiB.
	MaxBlockBytesLimit = 8 << 20
	// MinBlockBytes is the smallest max_block_bytes: one maximal tx, so that
	// no tx the txpool accepts can never be included.
	MinBlockBytes = types.MaxTxSize + types.TxFramingBytes
	// MaxBFTValidatorsLimit bounds max_bft_validators and the genesis set,
	// and so the signatures of a valid commit and a proof of lock.
	MaxBFTValidatorsLimit = 256
)

// MaxEncodedBlockSize bounds the encoding of any valid block under any
// parameters Params.Validate accepts: MaxBlockBytesLimit counted bytes, a
// header and a commit of MaxBFTValidatorsLimit signatures. Every p2p limit
// that carries a block is derived from it (node.P2PLimits).
func MaxEncodedBlockSize() int {
	return types.MaxEncodedBlockSize(MaxBlockBytesLimit, MaxBFTValidatorsLimit)
}

// TxBytes is what a tx counts against max_block_bytes: its envelope and its
// framing in the block's tx list.
func TxBytes(tx *types.Tx) uint64 { return uint64(tx.Size() + types.TxFramingBytes) }

// EvidenceBytes is what a piece of evidence counts against max_block_bytes:
// its encoding.
func EvidenceBytes(ev *types.Evidence) uint64 {
	b, err := rlp.EncodeToBytes(ev)
	if err != nil {
		panic(fmt.Sprintf("chain: encode evidence: %v", err)) // fixed fields and byte strings cannot fail
	}
	return uint64(len(b))
}

// BlockBytes is what a block counts against max_block_bytes: its txs
// (TxBytes) and its evidence (EvidenceBytes). The header and the commit are
// bounded apart (types.MaxEncodedBlockSize).
func BlockBytes(txs []*types.Tx, evidence []types.Evidence) uint64 {
	var n uint64
	for _, tx := range txs {
		n += TxBytes(tx)
	}
	for i := range evidence {
		n += EvidenceBytes(&evidence[i])
	}
	return n
}

// MinFee is the smallest fee a call whose signed tx is size bytes long may
// pay under the parameters in force (MinFeeFor).
func (c *Chain) MinFee(call types.Call, size int) (uint64, error) {
	return MinFeeFor(c.Params(), call, size)
}

// MinFeeFor is the smallest fee under p of a call whose signed tx is size
// bytes: base_fee_per_weight × (weight + size × byte_weight). The length
// fee prices the bytes every node gossips, stores and serves, which weight
// (execution) does not (issue 11).
func MinFeeFor(p Params, call types.Call, size int) (uint64, error) {
	hi, lw := bits.Mul64(uint64(size), p.ByteWeight)
	w, carry := bits.Add64(call.Weight(), lw, 0)
	if hi != 0 || carry != 0 {
		return 0, ErrFeeOverflow
	}
	hi, fee := bits.Mul64(w, p.BaseFeePerWeight)
	if hi != 0 {
		return 0, ErrFeeOverflow
	}
	return fee, nil
}

// SignPayingMinFee signs d with key, raising d.Fee to the minimum under p
// for the signed tx's own length when it is below (a fee of zero included:
// use types.SignTx for a fee-free call). The fee's own encoding can lengthen
// the tx, so it signs until the fee covers the length it is signed at.
func SignPayingMinFee(p Params, d types.TxData, key *ecdsa.PrivateKey) (*types.Tx, error) {
	for range 4 {
		tx, err := types.SignTx(d, key)
		if err != nil {
			return nil, err
		}
		min, err := MinFeeFor(p, d.Call, tx.Size())
		if err != nil {
			return nil, err
		}
		if d.Fee >= min {
			return tx, nil
		}
		d.Fee = min
	}
	return nil, fmt.Errorf("%w: no fee covers the tx's length", ErrFeeOverflow) // unreachable: a longer fee adds at most 8 bytes once
}

// CheckFee checks a tx's fee on top of st (as the next block would): at
// least base fee × weight, or zero for a fee-free call (DESIGN.md §2) that
// would succeed.
func (c *Chain) CheckFee(st *state.State, tx *types.Tx, from types.Address) error {
	head, _ := c.store.Head()
	x, err := c.newBlockCtx(st, head.Height+1)
	if err != nil {
		return err
	}
	_, err = x.checkFee(tx, from)
	return err
}

// checkFee returns whether tx runs fee-free; a fee-free call is dry-run and
// must succeed.
func (x *blockCtx) checkFee(tx *types.Tx, from types.Address) (bool, error) {
	min, err := MinFeeFor(x.p, tx.Call(), tx.Size())
	if err != nil {
		return false, err
	}
	if tx.Fee() >= min {
		return false, nil
	}
	if tx.Fee() != 0 || tx.Tip() != 0 || !x.feeFreeCall(from, tx.Call()) {
		return false, fmt.Errorf("%w: fee %d rao, minimum %d = base fee %d × (weight %d + length fee of %d bytes × byte weight %d)",
			ErrFeeTooLow, tx.Fee(), min, x.p.BaseFeePerWeight, tx.Call().Weight(), tx.Size(), x.p.ByteWeight)
	}
	snap, mark := x.st.Snapshot(), x.ev.Mark()
	err = x.applyCall(from, tx.Call())
	x.st.Revert(snap)
	x.ev.Truncate(mark) // a dry run: its events go with its writes
	if err != nil {
		return true, fmt.Errorf("%w: fee-free %v would fail: %v", ErrFeeTooLow, tx.Call().Kind(), err)
	}
	return true, nil
}

// feeFreeCall reports whether call may run without a fee for from:
// PowRegister, weights by permitted validators (any neuron while the subnet
// bootstraps), root weights by root members, ServeAxon by neurons.
func (x *blockCtx) feeFreeCall(from types.Address, call types.Call) bool {
	permitted := func(netuid uint16) bool { return x.sn.WeightsPermitted(netuid, from) }
	switch c := call.(type) {
	case *types.PowRegister:
		return true
	case *types.SetWeights:
		return permitted(c.Netuid)
	case *types.CommitWeights:
		return permitted(c.Netuid)
	case *types.RevealWeights:
		return permitted(c.Netuid)
	case *types.SetRootWeights:
		return subnet.IsRootMember(x.st, from)
	case *types.ServeAxon:
		_, ok := subnet.UIDOf(x.st, c.Netuid, from)
		return ok
	}
	return false
}

// freeUse is what a block's fee-free calls have used of their share
// (max_free_percent of max_block_weight and of max_block_bytes), which keeps
// calls that pay nothing from filling blocks for nothing.
type freeUse struct{ weight, bytes uint64 }

// add counts a fee-free call of weight w and n bytes, or reports that it
// would exceed the share (and counts nothing).
func (f *freeUse) add(p Params, w, n uint64) bool {
	if !withinPercent(f.weight+w, p.MaxBlockWeight, p.MaxFreePercent) || !withinPercent(f.bytes+n, p.MaxBlockBytes, p.MaxFreePercent) {
		return false
	}
	f.weight += w
	f.bytes += n
	return true
}

// withinPercent reports v ≤ limit × pct / 100, exactly (128-bit products:
// both sides are scaled by 100 rather than divided).
func withinPercent(v, limit, pct uint64) bool {
	vh, vl := bits.Mul64(v, 100)
	lh, ll := bits.Mul64(limit, pct)
	return vh < lh || vh == lh && vl <= ll
}
