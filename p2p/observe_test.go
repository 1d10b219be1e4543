package p2p

import (
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Banned lists current bans only, sorted; PeerScores is a copy of the last
// report, nil before one.
func TestObserveBannedAndScores(t *testing.T) {
	now := time.Unix(1_000, 0)
	h := &Host{gater: newGater(func() time.Time { return now }, nil)}
	a, b := peer.ID("peer-b"), peer.ID("peer-a")
	h.gater.ban(a, time.Minute, nil)
	h.gater.ban(b, time.Hour, nil)
	if got := h.Banned(); len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("banned %v, want [%s %s]", got, b, a)
	}
	now = now.Add(2 * time.Minute)
	if got := h.Banned(); len(got) != 1 || got[0] != b {
		t.Fatalf("after a's ban expired: %v, want [%s]", got, b)
	}

	if s := h.PeerScores(); s != nil {
		t.Fatalf("scores before any report: %v", s)
	}
	report := map[peer.ID]float64{a: -12.5, b: 3}
	h.noteScores(report)
	report[a] = 99 // the inspector's map is not kept
	got := h.PeerScores()
	if len(got) != 2 || got[a] != -12.5 || got[b] != 3 {
		t.Fatalf("scores %v", got)
	}
	got[b] = -1 // nor is the returned map shared
	if h.PeerScores()[b] != 3 {
		t.Fatal("PeerScores returned the stored map")
	}
}
