package staking

import (
	"bytes"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
)

// MigrateParams reshapes the staking state a parameter change (by
// governance, in the block at height) would otherwise leave to be misread:
// downtime records take the new window's length, and takes above a lowered
// maximum come down to it. Package chain calls it in the block that applies
// a passed change.
func MigrateParams(st *state.State, height uint64, cur, next Params) error {
	if err := migrateDowntime(st, height, cur.DowntimeWindow, next.DowntimeWindow); err != nil {
		return err
	}
	if next.MaxTake < cur.MaxTake {
		// A take above the new maximum would go on being paid: lower it.
		for _, h := range Hotkeys(st) {
			if h.Info.Take > next.MaxTake {
				h.Info.Take = next.MaxTake
				setHotkeyInfo(st, h.Hotkey, h.Info)
			}
		}
	}
	return nil
}

// migrateDowntime rewrites every downtime record from window old to window
// next when governance changes staking.downtime_window at the end of block
// height, so the next block (which tracks this one) finds records of the
// new length. The last tracked height is height-1; a miss carries over when
// its height is within both windows, at its new bit (h % next). Heights the
// old window no longer held are unknown and count as signed. The work is
// one pass over the records (one per validator with recent misses), paid
// once per change.
func migrateDowntime(st *state.State, height, old, next uint64) error {
	if old == next {
		return nil
	}
	type entry struct{ k, v []byte }
	var recs []entry
	st.Iterate([]byte{pMissed}, func(k, v []byte) bool {
		recs = append(recs, entry{bytes.Clone(k), bytes.Clone(v)})
		return true
	})
	keep := min(old, next)
	for _, e := range recs {
		if len(e.k) != addressKeyLen {
			continue // not a record (see ErrMalformedRecord)
		}
		rec, err := readMissed(e.v, old)
		if err != nil {
			return err
		}
		// Only the heights up to the record's last tracked one are real
		// (those after it are stale bits, see forget).
		last := height - 1
		if rec.Last != 0 && rec.Last < last {
			last = rec.Last
		}
		out := missedRecord{Bits: make([]byte, downtimeBytes(next)), Last: last}
		for d := uint64(0); d < keep && d <= last; d++ {
			h := last - d
			if missedBit(rec.Bits, h%old) {
				out.Bits[(h%next)/8] |= 1 << ((h % next) % 8)
				out.Missed++
			}
		}
		if out.Missed == 0 {
			st.Set(e.k, nil)
			continue
		}
		b, _ := rlp.EncodeToBytes(&out)
		st.Set(e.k, b)
	}
	return nil
}
