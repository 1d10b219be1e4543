package node

import (
	"testing"

	"github.com/taonet/taod/rpc"
)

// A catch-up keeps the head it started from while the claim moves, and
// ends when a round does not fetch; the next catch-up starts afresh.
func TestSyncProgress(t *testing.T) {
	var p syncProgress
	steps := []struct {
		head, highest uint64
		fetching      bool
		want          rpc.SyncStatus
	}{
		{10, 10, false, rpc.SyncStatus{}},
		{10, 50, true, rpc.SyncStatus{Syncing: true, Starting: 10, Highest: 50}},
		{30, 60, true, rpc.SyncStatus{Syncing: true, Starting: 10, Highest: 60}},
		{60, 60, false, rpc.SyncStatus{}},
		{60, 70, true, rpc.SyncStatus{Syncing: true, Starting: 60, Highest: 70}},
	}
	for i, s := range steps {
		p.note(s.head, s.highest, s.fetching)
		if got := p.status(); got != s.want {
			t.Fatalf("step %d: %+v, want %+v", i, got, s.want)
		}
	}
	if h := highestClaim([]syncCandidate{{head: 5}, {head: 9}, {head: 7}}); h != 9 {
		t.Fatalf("highestClaim = %d, want 9", h)
	}
}
