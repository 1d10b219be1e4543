package chain

import (
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// missOracle remembers which heights a validator missed and says how many
// of them a downtime record must hold: those within the window in force and
// not older than what an earlier, shorter window could still hold.
type missOracle struct {
	missed    map[uint64]bool
	knownFrom uint64 // heights below were forgotten by a shorter window
}

func (o *missOracle) want(last, window uint64) uint64 {
	from := o.knownFrom
	if last+1 > window {
		from = max(from, last+1-window)
	}
	var n uint64
	for h := range o.missed {
		if h >= from && h <= last {
			n++
		}
	}
	return n
}

// missedOf reads a validator's downtime count (0 when it has no record).
func missedOf(t *testing.T, w *world, consensus types.Address) (uint64, int) {
	t.Helper()
	b := w.st().Get(key(pMissed, consensus[:]))
	if len(b) == 0 {
		return 0, 0
	}
	var rec missedRecord
	if err := rlp.DecodeBytes(b, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Missed, len(rec.Bits)
}

// TestDowntimeWindowChangedByGovernance attacks weakness 5: governance raises
// staking.downtime_window (old records kept their shorter bit arrays: index
// out of range on every validator at the same height) and then lowers it
// (old bits at h % old were read as h % new: misses miscounted). Blocks must
// keep executing and the record must hold exactly the misses of the window
// in force.
func TestDowntimeWindowChangedByGovernance(t *testing.T) {
	w, _ := handedOver(t, 40*tao, 40*tao, 10*tao)
	slow := devkeys.Address(22) // validator of hotkey 2: 10 of 90 power, never needed for a commit
	o := &missOracle{missed: map[uint64]bool{}}
	// It misses every third height: 1/3 of any window, below the jailing half.
	step := func(txs ...*types.Tx) {
		t.Helper()
		h := w.height() + 1 // the block about to be made; it is signed (or not) for h
		skip := map[types.Address]bool{}
		if h%3 == 0 {
			skip[slow] = true
			o.missed[h] = true
		}
		w.block(nil, skip, txs...)
	}
	check := func(when string) {
		t.Helper()
		p := w.c.Params().Staking
		last := w.height() - 1 // block h tracks the commit of h-1
		got, n := missedOf(t, w, slow)
		if want := o.want(last, p.DowntimeWindow); got != want {
			t.Fatalf("%s (height %d, window %d): record counts %d misses, want %d", when, w.height(), p.DowntimeWindow, got, want)
		}
		if got != 0 && n != downtimeBytes(p.DowntimeWindow) {
			t.Fatalf("%s: record of %d bytes under window %d", when, n, p.DowntimeWindow)
		}
		if h, _ := staking.HotkeyOf(w.st(), hot(2)); h.Jailed {
			t.Fatalf("%s: a validator missing a third of its blocks was jailed", when)
		}
	}
	change := func(value string, to uint64) {
		t.Helper()
		id := w.propose(5, paramChange("staking.downtime_window", value))
		step(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}), w.call(2, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
		pr, _ := gov.GetProposal(w.st(), id)
		for w.height() < pr.VotingEnd {
			old := w.c.Params().Staking.DowntimeWindow
			if w.height() == pr.VotingEnd-1 {
				// The block that applies the change forgets what the
				// shorter of the two windows cannot hold.
				last := pr.VotingEnd - 1
				if last+1 > min(old, to) {
					o.knownFrom = max(o.knownFrom, last+1-min(old, to))
				}
			}
			step()
			check("voting")
		}
		if pr, _ = gov.GetProposal(w.st(), id); pr.Status != gov.StatusPassed || w.c.Params().Staking.DowntimeWindow != to {
			t.Fatalf("change to %s: %s %q, window %d", value, gov.StatusName(pr.Status), pr.Reason, w.c.Params().Staking.DowntimeWindow)
		}
	}
	for i := 0; i < 25; i++ {
		step()
	}
	check("before")
	if got, _ := missedOf(t, w, slow); got == 0 {
		t.Fatal("the slow validator has no misses to migrate")
	}
	change("57", 57) // raise: the old code indexed a 3-byte array with bits up to 56
	for i := 0; i < 70; i++ {
		step()
		check("after raising")
	}
	change("13", 13) // lower: the old code left bits at h % 57 to be read as h % 13
	for i := 0; i < 30; i++ {
		step()
		check("after lowering")
	}
	change("20", 20)
	for i := 0; i < 25; i++ {
		step()
		check("after raising again")
	}
}

// TestDowntimeForgetsHeightsOutOfTheSet: a validator that missed blocks,
// left the set for longer than the window and came back found its old miss
// bits read as misses of the heights they now stand for, and could be
// jailed for blocks it was never asked to sign. Its first tracked height
// back clears them.
func TestDowntimeForgetsHeightsOutOfTheSet(t *testing.T) {
	w, _ := handedOver(t, 40*tao, 40*tao, 10*tao)
	p := w.c.Params().Staking
	slow := devkeys.Address(22)
	for i := 0; i < 3; i++ {
		w.block(nil, map[types.Address]bool{slow: true})
	}
	w.block(nil, nil) // the third miss is tracked here
	if got, _ := missedOf(t, w, slow); got != 3 {
		t.Fatalf("%d misses recorded, want 3", got)
	}
	inSet := func(h uint64) bool {
		s, err := w.c.ValidatorSet(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range s.Validators {
			if v.Address == slow {
				return true
			}
		}
		return false
	}
	// Out of the set: all its stake removed.
	w.ok(w.call(3, &types.RemoveStake{Hotkey: hot(2), Amount: 10 * tao}))
	for inSet(w.height() + 1) {
		w.block(nil, nil)
	}
	out := w.height() + 1
	for w.height() < out+p.DowntimeWindow+p.ConsensusEpoch {
		w.block(nil, nil)
	}
	// Back in, signing every block.
	w.ok(w.call(3, &types.AddStake{Hotkey: hot(2), Amount: 10 * tao}))
	for !inSet(w.height()) {
		w.block(nil, nil)
	}
	w.block(nil, nil) // tracks its first height back, which it signed
	if got, _ := missedOf(t, w, slow); got != 0 {
		t.Fatalf("validator back in the set after %d blocks out has %d misses it did not make", w.height()-out, got)
	}
}
