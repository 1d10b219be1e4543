package driver

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/types"
)

// TestDriversAgree: four drivers over an in-memory network and a fake clock
// decide the same blocks, each with a commit of the set, announce what they
// decided live, and save the set of the next height with its priorities.
func TestDriversAgree(t *testing.T) {
	c := newCluster(t, 4)
	c.run(6, 500)
	set, err := consensus.NewValidatorSet(c.vals)
	if err != nil {
		t.Fatal(err)
	}
	ver := consensus.SigVerifier{ChainID: testChainID}
	for h := uint64(1); h <= 6; h++ {
		want := c.apps[0].blocks[h-1].Block.Hash()
		for i, a := range c.apps {
			d := a.blocks[h-1]
			if d.Block.Hash() != want {
				t.Fatalf("validator %d decided %s at height %d, validator 0 %s", i, d.Block.Hash(), h, want)
			}
			if err := consensus.VerifyCommit(ver, set, h, want, d.Commit); err != nil {
				t.Fatalf("validator %d, height %d: %v", i, h, err)
			}
		}
	}
	if len(c.net.announced) < 4*6 {
		t.Fatalf("%d blocks announced, want at least one per validator and height (24)", len(c.net.announced))
	}
	for i, a := range c.apps {
		from, _, err := loadSet(a)
		if err != nil || from != a.Head()+1 {
			t.Fatalf("validator %d saved the set of height %d (%v), want %d", i, from, err, a.Head()+1)
		}
	}
	if len(c.net.doubles) > 0 {
		t.Fatalf("double signs: %v", c.net.doubles)
	}
}

// TestInvalidProposalIsRefused: every validator refuses the blocks of one
// proposer, so the heights it would propose are decided in a later round on
// another's block.
func TestInvalidProposalIsRefused(t *testing.T) {
	c := newCluster(t, 4)
	bad := c.vals[1].Address
	for _, a := range c.apps {
		a.refuse = func(b *types.Block) bool { return b.Header.Proposer == bad }
	}
	c.run(8, 2000)
	later := 0
	for _, d := range c.apps[0].blocks {
		if d.Block.Header.Proposer == bad {
			t.Fatalf("height %d decided a block every validator refused", d.Block.Height())
		}
		if d.Commit.Round > 0 {
			later++
		}
	}
	if later == 0 {
		t.Fatal("no height needed a second round: the refused proposer never proposed")
	}
}

// TestRestartFromWAL: a proposer that loses power right after proposing
// restarts from its WAL and store and goes on without signing anything
// twice (without its WAL it would build and sign another block: its clock
// moved on).
func TestRestartFromWAL(t *testing.T) {
	c := newCluster(t, 4)
	c.run(2, 500)
	proposer := c.drvs[0].Status().Proposer
	p := -1
	for i, v := range c.vals {
		if v.Address == proposer {
			p = i
		}
	}
	key := signKey{proposer, 3, 0, 0}
	for k := 0; k < 100; k++ {
		if _, ok := c.net.signed[key]; ok {
			break
		}
		c.clock.ms += 10
		if err := c.drvs[p].Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := c.net.signed[key]; !ok {
		t.Fatal("the proposer of height 3 never proposed")
	}
	c.drvs[p] = nil
	c.fss[p].Crash(nil) // what was not fsynced is gone
	c.clock.ms += 1000
	c.open(p)
	c.sync = true // its proposal's block is not in the WAL: it catches up
	c.run(6, 1000)
	if len(c.net.doubles) > 0 {
		t.Fatalf("double signs across the restart: %v", c.net.doubles)
	}
	if c.apps[p].blocks[4].Block.Hash() != c.apps[(p+1)%4].blocks[4].Block.Hash() {
		t.Fatal("the restarted validator decided another block")
	}
}

// TestWALFailureStopsBeforeSending: a WAL that cannot append stops the
// driver with the WAL's error, and nothing it signed is sent.
func TestWALFailureStopsBeforeSending(t *testing.T) {
	c := newCluster(t, 4)
	c.run(1, 500)
	c.wals[0].fail = true
	c.deliver()
	var err error
	for k := 0; k < 200 && err == nil; k++ {
		c.clock.ms += 10
		sent := len(c.net.queue)
		err = c.drvs[0].Tick(context.Background())
		if err != nil && len(c.net.queue) != sent {
			t.Fatal("the driver sent messages after its WAL failed")
		}
		for i := 1; i < 4; i++ {
			if e := c.drvs[i].Tick(context.Background()); e != nil {
				t.Fatal(e)
			}
		}
		c.deliver()
	}
	if !errors.Is(err, errDisk) || errors.Is(err, ErrRefused) {
		t.Fatalf("got %v, want the WAL's error", err)
	}
}

// TestSavedSet: a saved set that does not decode stops the driver (it is
// corruption, not something to guess around); a missing one is replayed
// from genesis to the same priorities.
func TestSavedSet(t *testing.T) {
	c := newCluster(t, 4)
	c.run(5, 500)
	for i := range c.drvs {
		c.drvs[i] = nil
	}
	a := c.apps[0]
	saved := a.meta[MetaSet]

	delete(a.meta, MetaSet)
	c.open(0)
	if !bytes.Equal(a.meta[MetaSet], saved) {
		t.Fatal("the set replayed from genesis differs from the one saved")
	}

	for _, garbage := range [][]byte{{1, 2, 3}, append(append([]byte(nil), saved[:8]...), 0xff, 0x00, 0x01)} {
		a.meta[MetaSet] = garbage
		w, rep, err := wal.Open(c.fss[0], "/wal")
		if err != nil {
			t.Fatal(err)
		}
		c.wals[0] = &failWAL{WAL: w}
		if _, err := Open(c.config(0), rep.Records); !errors.Is(err, ErrCorruptSet) {
			t.Fatalf("a corrupt saved set (%x): %v, want ErrCorruptSet", garbage, err)
		}
	}
}

// TestRun: the goroutine form — ticks from the clock's ticker, offered
// messages, synced batches (answered with the head reached, a bad commit
// refused and reported), and a clean stop when ctx ends.
func TestRun(t *testing.T) {
	c := newCluster(t, 4)
	c.run(4, 500)
	obsApp := newMemApp(c.vals)
	fs := wal.NewMemFS()
	w, _, err := wal.Open(fs, "/wal")
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{ms: c.clock.ms, ticks: make(chan time.Time)}
	obsNet := &memNet{signed: map[signKey]types.Hash{}}
	obs, err := Open(Config{ChainID: testChainID, Timeouts: testTimeouts, App: obsApp, WAL: w, Transport: memPort{obsNet, 9}, Clock: clock}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- obs.Run(ctx) }()

	clock.ticks <- time.Time{} // taken only by a running loop
	done := make(chan BatchResult, 1)
	decs := []consensus.Decision{*c.apps[0].blocks[0], *c.apps[0].blocks[1]}
	if err := obs.Sync(ctx, Batch{Decisions: decs, Done: done}); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.Head != 2 || r.Err != nil {
		t.Fatalf("batch of heights 1-2: %+v", r)
	}
	// All but the last of a batch commit without waiting for the disk and
	// are not announced (old news); the last syncs.
	if f := obsApp.catchingUp; len(f) != 2 || !f[0] || f[1] {
		t.Fatalf("commits' catching-up flags %v, want [true false]", f)
	}
	if len(obsNet.announced) != 1 || obsNet.announced[0].Height() != 2 {
		t.Fatalf("announced %d blocks, want only height 2", len(obsNet.announced))
	}

	forged := *c.apps[0].blocks[2]
	bad := *forged.Commit
	bad.BlockHash = types.Keccak256([]byte("another block"))
	forged.Commit = &bad
	if err := obs.Sync(ctx, Batch{Decisions: []consensus.Decision{forged, *c.apps[0].blocks[3]}, Done: done}); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.Head != 2 || !errors.Is(r.Err, ErrRefused) || !errors.Is(r.Err, consensus.ErrBadCommit) {
		t.Fatalf("batch with a forged commit: %+v, want head 2 and ErrBadCommit", r)
	}
	v := c.apps[0].blocks[2].Commit.Vote(0)
	if !obs.Offer("peer", consensus.Message{Vote: &v}) {
		t.Fatal("an empty inbox refused a message")
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Fatalf("Run returned %v on cancel", err)
	}
}

// TestEvidencePool: one offence per validator and height, pruned once a
// block carries it or it is too old, and bounded.
func TestEvidencePool(t *testing.T) {
	ev := func(val byte, h uint64, r uint32) types.Evidence {
		a := types.Vote{Type: types.Prevote, Height: h, Round: r, Validator: types.Address{val}, BlockHash: types.Hash{1}}
		b := a
		b.BlockHash = types.Hash{2}
		return types.Evidence{A: a, B: b}
	}
	var p evidencePool
	if !p.add(ev(1, 10, 0)) || p.add(ev(1, 10, 3)) || !p.add(ev(2, 10, 0)) || !p.add(ev(1, 11, 0)) {
		t.Fatal("dedupe by validator and height broken")
	}
	carried := types.NewBlock(types.Header{Height: 12}, nil, nil, []types.Evidence{ev(2, 10, 5)})
	p.prune(carried, 100)
	if got := p.list(); len(got) != 2 || got[0].A.Validator != (types.Address{1}) || got[1].A.Height != 11 {
		t.Fatalf("after a block carried validator 2's offence: %+v", got)
	}
	p.prune(types.NewBlock(types.Header{Height: 111}, nil, nil, nil), 100)
	if got := p.list(); len(got) != 1 || got[0].A.Height != 11 {
		t.Fatalf("after height 111 with max age 100: %+v", got)
	}
	for i := range 2 * maxEvidence {
		p.add(ev(byte(i), 1000+uint64(i), 0))
	}
	if n := len(p.list()); n != maxEvidence {
		t.Fatalf("pool holds %d, bound %d", n, maxEvidence)
	}
}
