package chain

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/types"
)

// Evidence errors: a block carrying such evidence is invalid.
var (
	ErrBadEvidence       = errors.New("chain: invalid evidence")
	ErrEvidenceTooOld    = errors.New("chain: evidence older than the unbonding period")
	ErrDuplicateEvidence = errors.New("chain: evidence already applied")
)

// evidenceKey is per consensus key and height: one slash per height, however
// many conflicting votes the key signed there.
func evidenceKey(v *types.Vote) []byte {
	return key(pEvidence, v.Validator[:], u64b(v.Height))
}

// checkEvidence verifies a double-sign proof against the set of its height.
func (x *blockCtx) checkEvidence(ev *types.Evidence) error {
	a, b := &ev.A, &ev.B
	switch {
	case a.Validator != b.Validator || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type:
		return fmt.Errorf("%w: the votes are not by one key at one height, round and step", ErrBadEvidence)
	case a.BlockHash == b.BlockHash:
		return fmt.Errorf("%w: the votes are for the same block", ErrBadEvidence)
	case a.Height >= x.height:
		return fmt.Errorf("%w: evidence for height %d in block %d", ErrBadEvidence, a.Height, x.height)
	case a.Height+x.p.Staking.UnbondingPeriod < x.height:
		return fmt.Errorf("%w: height %d, block %d", ErrEvidenceTooOld, a.Height, x.height)
	}
	for _, v := range []*types.Vote{a, b} {
		if err := v.Verify(x.c.ChainID()); err != nil {
			return fmt.Errorf("%w: %v", ErrBadEvidence, err)
		}
	}
	set, err := ValidatorSetAt(x.st, x.p.Staking, a.Height)
	if err != nil {
		return err
	}
	found := false
	for _, v := range set.Validators {
		found = found || v.Address == a.Validator
	}
	if !found {
		return fmt.Errorf("%w: %s was not a validator at height %d", ErrBadEvidence, a.Validator, a.Height)
	}
	if len(x.st.Get(evidenceKey(a))) != 0 {
		return fmt.Errorf("%w: %s at height %d round %d", ErrDuplicateEvidence, a.Validator, a.Height, a.Round)
	}
	return nil
}

// applyEvidence slashes and jails the double signer. A bootstrap validator
// has no stake: it is jailed out of the bootstrap set from the next epoch.
func (x *blockCtx) applyEvidence(ev *types.Evidence) error {
	x.st.Set(evidenceKey(&ev.A), marker)
	hk := x.st.Get(key(pConsKey, ev.A.Validator[:]))
	if len(hk) == 0 {
		x.st.Set(key(pJailedBoot, ev.A.Validator[:]), marker)
		return nil
	}
	_, err := x.slash(types.Address(hk), x.p.Staking.SlashFraction)
	return err
}

// missedRecord tracks the last downtime_window heights of one validator.
type missedRecord struct {
	Missed uint64
	Bits   []byte // bit (h % window) set: missed height h
}

// trackDowntime records which validators of height h-1's set signed the
// commit carried by block h, and jails those that missed more than half of
// the last window.
func (x *blockCtx) trackDowntime(commit *types.Commit) error {
	p := x.p.Staking
	h := x.height - 1
	set, err := ValidatorSetAt(x.st, p, h)
	if err != nil {
		return err
	}
	signed := make(map[types.Address]bool, len(commit.Signatures))
	for _, s := range commit.Signatures {
		signed[s.Validator] = true
	}
	bit := h % p.DowntimeWindow
	for i, v := range set.Validators {
		k := key(pMissed, v.Address[:])
		var rec missedRecord
		if b := x.st.Get(k); len(b) != 0 {
			if err := rlp.DecodeBytes(b, &rec); err != nil {
				return fmt.Errorf("chain: corrupt downtime record: %w", err)
			}
		}
		if len(rec.Bits) == 0 {
			rec.Bits = make([]byte, (p.DowntimeWindow+7)/8)
		}
		was := rec.Bits[bit/8]&(1<<(bit%8)) != 0
		miss := !signed[v.Address]
		switch {
		case miss && !was:
			rec.Bits[bit/8] |= 1 << (bit % 8)
			rec.Missed++
		case !miss && was:
			rec.Bits[bit/8] &^= 1 << (bit % 8)
			rec.Missed--
		}
		hk := set.Hotkeys[i]
		if rec.Missed*2 > p.DowntimeWindow && hk != (types.Address{}) {
			if info, _ := hotkeyInfo(x.st, hk); !info.Jailed {
				if _, err := x.slash(hk, p.DowntimeSlash); err != nil {
					return err
				}
			}
			rec = missedRecord{}
		}
		if rec.Missed == 0 {
			x.st.Set(k, nil)
			continue
		}
		b, _ := rlp.EncodeToBytes(&rec)
		x.st.Set(k, b)
	}
	return nil
}
