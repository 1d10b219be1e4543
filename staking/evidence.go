package staking

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// evidenceKey is per consensus key and height: one slash per height, however
// many conflicting votes the key signed there.
func evidenceKey(v *types.Vote) []byte {
	return key(pEvidence, v.Validator[:], u64b(v.Height))
}

// CheckEvidence verifies a double-sign proof against the set of its height.
func (x *Block) CheckEvidence(ev *types.Evidence) error {
	a, b := &ev.A, &ev.B
	switch {
	case a.Validator != b.Validator || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type:
		return fmt.Errorf("%w: the votes are not by one key at one height, round and step", ErrBadEvidence)
	case a.BlockHash == b.BlockHash:
		return fmt.Errorf("%w: the votes are for the same block", ErrBadEvidence)
	case a.Height >= x.Height:
		return fmt.Errorf("%w: evidence for height %d in block %d", ErrBadEvidence, a.Height, x.Height)
	case a.Height+x.Params.UnbondingPeriod < x.Height:
		return fmt.Errorf("%w: height %d, block %d", ErrEvidenceTooOld, a.Height, x.Height)
	}
	for _, v := range []*types.Vote{a, b} {
		if err := v.Verify(x.ChainID); err != nil {
			return fmt.Errorf("%w: %v", ErrBadEvidence, err)
		}
	}
	set, err := ValidatorSetAt(x.State, x.Params, a.Height)
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
	if len(x.State.Get(evidenceKey(a))) != 0 {
		return fmt.Errorf("%w: %s at height %d round %d", ErrDuplicateEvidence, a.Validator, a.Height, a.Round)
	}
	return nil
}

// ApplyEvidence slashes and jails the double signer. A bootstrap validator
// has no stake: it is jailed out of the bootstrap set from the next epoch.
func (x *Block) ApplyEvidence(ev *types.Evidence) error {
	x.State.Set(evidenceKey(&ev.A), marker)
	hk := x.State.Get(key(pConsKey, ev.A.Validator[:]))
	if len(hk) == 0 {
		x.State.Set(key(pJailedBoot, ev.A.Validator[:]), marker)
		return nil
	}
	// A key bound to a hotkey since swapped away slashes the hotkey that
	// carries its stake now: a swap does not escape evidence.
	_, err := x.Slash(currentHotkey(x.State, types.Address(hk)), x.Params.SlashFraction)
	return err
}

// missedRecord tracks the last downtime_window heights of one validator.
// Its bit array always has (downtime_window+7)/8 bytes for the window in
// force: a governance change of the window rewrites every record
// (migrateDowntime) in the block that changes it.
type missedRecord struct {
	Missed uint64
	Bits   []byte // bit (h % window) set: missed height h
	// Last is the last height tracked for the validator (0 in records
	// written before it existed: taken as contiguous). Heights after it that
	// were not tracked (the validator was out of the set) hold stale bits of
	// heights a window or more older, cleared when it is tracked again.
	Last uint64 `rlp:"optional"`
}

// forget clears the bits of heights after rec.Last and before h, which were
// not tracked for this validator: they belong to heights at least a window
// older than the ones they would be read as.
func (rec *missedRecord) forget(h, window uint64) {
	if rec.Last == 0 || rec.Last+1 >= h {
		return
	}
	if h-rec.Last > window {
		clear(rec.Bits)
		rec.Missed = 0
		return
	}
	for g := rec.Last + 1; g < h; g++ {
		if i := g % window; missedBit(rec.Bits, i) {
			rec.Bits[i/8] &^= 1 << (i % 8)
			rec.Missed--
		}
	}
}

func downtimeBytes(window uint64) int { return int((window + 7) / 8) }

func missedBit(bits []byte, i uint64) bool { return bits[i/8]&(1<<(i%8)) != 0 }

// readMissed decodes a validator's downtime record and checks its length
// against the window in force: a record of another length would index out
// of range (or count the wrong heights), so it is refused as corrupt.
func readMissed(b []byte, window uint64) (missedRecord, error) {
	var rec missedRecord
	if len(b) == 0 {
		return rec, nil
	}
	if err := rlp.DecodeBytes(b, &rec); err != nil {
		return rec, fmt.Errorf("%w: downtime record: %v", state.ErrCorrupt, err)
	}
	if len(rec.Bits) != downtimeBytes(window) {
		return rec, fmt.Errorf("%w: downtime record of %d bytes under a window of %d blocks", state.ErrCorrupt, len(rec.Bits), window)
	}
	return rec, nil
}

// TrackDowntime records which validators of height h-1's set signed the
// commit carried by block h, and jails those that missed more than half of
// the last window.
func (x *Block) TrackDowntime(commit *types.Commit) error {
	p := x.Params
	h := x.Height - 1
	set, err := ValidatorSetAt(x.State, p, h)
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
		rec, err := readMissed(x.State.Get(k), p.DowntimeWindow)
		if err != nil {
			return fmt.Errorf("chain: validator %s: %w", v.Address, err)
		}
		if len(rec.Bits) == 0 {
			rec.Bits = make([]byte, downtimeBytes(p.DowntimeWindow))
		}
		rec.forget(h, p.DowntimeWindow)
		rec.Last = h
		was := missedBit(rec.Bits, bit)
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
			if info, _ := hotkeyInfo(x.State, hk); !info.Jailed {
				if _, err := x.Slash(hk, p.DowntimeSlash); err != nil {
					return err
				}
			}
			rec = missedRecord{}
		}
		if rec.Missed == 0 {
			x.State.Set(k, nil)
			continue
		}
		b, _ := rlp.EncodeToBytes(&rec)
		x.State.Set(k, b)
	}
	return nil
}
