package node

import (
	"testing"
	"time"
)

func TestShouldSync(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name           string
		head, peerHead uint64
		lag            lagState
		now            time.Time
		fetch          bool
		wantLag        lagState
	}{
		{"level with the peers", 20, 20, lagState{}, t0, false, lagState{}},
		{"peers behind", 20, 18, lagState{}, t0, false, lagState{}},
		{"no peers", 20, 0, lagState{}, t0, false, lagState{}},
		{"one behind, first seen", 20, 21, lagState{}, t0, false, lagState{21, t0}},
		{"one behind, within the grace", 20, 21, lagState{21, t0}, t0.Add(lagGrace - time.Millisecond), false, lagState{21, t0}},
		{"one behind past the grace", 20, 21, lagState{21, t0}, t0.Add(lagGrace), true, lagState{21, t0}},
		{"one behind a newer block than noted", 21, 22, lagState{21, t0}, t0.Add(time.Second), false, lagState{22, t0.Add(time.Second)}},
		{"two behind", 20, 22, lagState{}, t0, true, lagState{}},
		{"far behind, a lag noted", 0, 5000, lagState{1, t0}, t0, true, lagState{}},
		{"caught up after a lag", 21, 21, lagState{21, t0}, t0, false, lagState{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lag := tt.lag
			fetch := shouldSync(tt.head, tt.peerHead, &lag, tt.now)
			if fetch != tt.fetch || lag != tt.wantLag {
				t.Fatalf("shouldSync(%d, %d, %+v) = %v, lag %+v; want %v, %+v", tt.head, tt.peerHead, tt.lag, fetch, lag, tt.fetch, tt.wantLag)
			}
		})
	}
}
