package p2p

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A gate refuses beyond a peer's slots, its rate and the slots of all
// peers, says which, and forgets a peer only once it is idle.
func TestStreamGate(t *testing.T) {
	a, b, c := peer.ID("a"), peer.ID("b"), peer.ID("c")
	g := newStreamGate(2, 1, 0.001, 2) // 2 slots, 1 per peer, a bucket of 2 that hardly refills
	steps := []struct {
		name string
		do   func() (bool, string)
		ok   bool
		why  string
	}{
		{"a takes its slot", func() (bool, string) { return g.admit(a) }, true, ""},
		{"a's second request at once", func() (bool, string) { return g.admit(a) }, false, "peer_slots"},
		{"b takes the last slot", func() (bool, string) { return g.admit(b) }, true, ""},
		{"c finds none left", func() (bool, string) { return g.admit(c) }, false, "slots"},
		{"a served, asks again (its 2nd token)", func() (bool, string) { g.release(a, true); return g.admit(a) }, true, ""},
		{"a out of tokens", func() (bool, string) { g.release(a, true); return g.admit(a) }, false, "peer_rate"},
	}
	for _, s := range steps {
		if ok, why := s.do(); ok != s.ok || why != s.why {
			t.Fatalf("%s: got (%v, %q), want (%v, %q)", s.name, ok, why, s.ok, s.why)
		}
	}
	g.forget(b) // busy: kept
	if g.active(b) != 1 {
		t.Fatal("a busy peer was forgotten")
	}
	g.release(b, false) // left while served: forgotten on release
	g.mu.Lock()
	_, kept := g.mu.peers[b]
	n := len(g.mu.peers)
	g.mu.Unlock()
	if kept {
		t.Fatal("a peer that left was kept after its last request")
	}
	g.forget(a)
	g.forget(c)
	if g.mu.peers[a] != nil || n != 2 {
		t.Fatalf("idle peers not forgotten (%d kept before)", n)
	}
	if len(g.sem) != 0 {
		t.Fatalf("%d slots still taken", len(g.sem))
	}
}
