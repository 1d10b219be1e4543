package node

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/p2p"
)

func peerAt(id string, head uint64) p2p.PeerInfo {
	return p2p.PeerInfo{ID: p2p.PeerID(id), Hello: p2p.Hello{Head: head}}
}

// A peer's claimed head decides nothing once the claim failed: the liar with
// the highest head is tried once, then the honest peer, and the liar is left
// out while its bench lasts and after the honest peer as long as that one
// serves.
func TestPickSyncPeerRotatesPastFailedClaims(t *testing.T) {
	t0 := time.Unix(1000, 0)
	peers := []p2p.PeerInfo{peerAt("honest", 120), peerAt("liar", math.MaxUint64), peerAt("behind", 90)}
	reps := make(syncPeers)
	const head = 100

	pick := func(now time.Time) syncCandidate {
		t.Helper()
		c, ok := pickSyncPeer(peers, syncHint{}, reps, head, now)
		if !ok {
			t.Fatal("no candidate")
		}
		return c
	}
	if c := pick(t0); c.id != "liar" {
		t.Fatalf("first pick %s, want the highest claim", c.id)
	}
	if d := reps.failed("liar", t0); d != syncBenchBase {
		t.Fatalf("first bench %v", d)
	}
	if c := pick(t0); c.id != "honest" || c.head != 120 {
		t.Fatalf("after the liar failed: %+v, want honest", c)
	}
	reps.served("honest", false)
	// The bench is over, but the liar's failure still counts against it.
	if c := pick(t0.Add(time.Hour)); c.id != "honest" {
		t.Fatalf("after the bench: %s, want honest", c.id)
	}
	// The honest peer fails once too: the liar is tried again (the bench
	// doubles when it fails again), and then the honest peer once its
	// shorter bench is over.
	reps.failed("honest", t0)
	if c := pick(t0.Add(time.Hour)); c.id != "liar" {
		t.Fatalf("tie on failures: %s, want the higher claim", c.id)
	}
	if d := reps.failed("liar", t0.Add(time.Hour)); d != 2*syncBenchBase {
		t.Fatalf("second bench %v, want %v", d, 2*syncBenchBase)
	}
	if c := pick(t0.Add(time.Hour)); c.id != "honest" {
		t.Fatalf("%s, want honest", c.id)
	}
	// Nobody ahead but benched peers: nothing to fetch (yet).
	reps.failed("honest", t0.Add(time.Hour))
	if c, ok := pickSyncPeer(peers, syncHint{}, reps, head, t0.Add(time.Hour)); ok {
		t.Fatalf("picked %+v while every peer ahead is benched", c)
	}
}

func TestSyncBenchGrowsAndCaps(t *testing.T) {
	reps := make(syncPeers)
	t0 := time.Unix(0, 0)
	var last time.Duration
	for i := range 40 {
		d := reps.failed("p", t0)
		if d < last || d > syncBenchMax {
			t.Fatalf("failure %d: bench %v after %v", i+1, d, last)
		}
		last = d
	}
	if last != syncBenchMax {
		t.Fatalf("bench after 40 failures %v, want %v", last, syncBenchMax)
	}
	reps.served("p", false)
	if r := reps.rep("p"); r.fails != 0 || !r.until.IsZero() {
		t.Fatalf("after serving: %+v", r)
	}
}

// A slow peer is asked after a fast one with an equal record, even if it
// claims more; a hint raises a connected peer's claim within maxHintAhead.
func TestPickSyncPeerSlowAndHints(t *testing.T) {
	t0 := time.Unix(1000, 0)
	peers := []p2p.PeerInfo{peerAt("a", 110), peerAt("b", 150)}
	reps := make(syncPeers)
	reps.served("b", true)
	if c, _ := pickSyncPeer(peers, syncHint{}, reps, 100, t0); c.id != "a" {
		t.Fatalf("%s, want the fast peer", c.id)
	}
	c, _ := pickSyncPeer(peers, syncHint{height: 130, peer: "a"}, reps, 100, t0)
	if c.id != "a" || c.head != 130 || !c.hinted {
		t.Fatalf("hinted: %+v", c)
	}
	// A hint too far ahead, or from a peer not connected, is not believed.
	c, _ = pickSyncPeer(peers, syncHint{height: 100 + maxHintAhead + 1, peer: "a"}, reps, 100, t0)
	if c.head != 110 || c.hinted {
		t.Fatalf("far hint: %+v", c)
	}
	c, _ = pickSyncPeer(peers[:1], syncHint{height: 105, peer: "gone"}, reps, 100, t0)
	if c.id != "a" || c.hinted {
		t.Fatalf("hint from a stranger: %+v", c)
	}
}

// TestSettleBatch: a batch that took the head to its last block leaves the
// sync loop's mark there; one cut short (a refused commit) pulls the mark
// back to the head it reached, so the rest is fetched again.
func TestSettleBatch(t *testing.T) {
	s := &syncer{n: &Node{}}
	for _, tc := range []struct {
		name          string
		res           driver.BatchResult
		fetched, want uint64
	}{
		{"applied in full", driver.BatchResult{Head: 40}, 40, 40},
		{"refused at 31", driver.BatchResult{Head: 30, Err: fmt.Errorf("%w: %w", driver.ErrRefused, consensus.ErrBadCommit)}, 40, 30},
		{"head moved past by consensus", driver.BatchResult{Head: 45}, 40, 40},
	} {
		fetched := tc.fetched
		s.settle(tc.res, p2p.PeerID("peer"), &fetched)
		if fetched != tc.want {
			t.Errorf("%s: fetched %d, want %d", tc.name, fetched, tc.want)
		}
	}
}
