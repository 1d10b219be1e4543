package node

import "testing"

func TestShouldSync(t *testing.T) {
	tests := []struct {
		name                   string
		head, peerHead, lagged uint64
		fetch                  bool
		wantLagged             uint64
	}{
		{"level with the peers", 20, 20, 0, false, 0},
		{"peers behind", 20, 18, 0, false, 0},
		{"no peers", 20, 0, 0, false, 0},
		{"one behind, first seen", 20, 21, 0, false, 21},
		{"one behind for a tick", 20, 21, 21, true, 21},
		{"one behind, but a newer height than noted", 21, 22, 21, false, 22},
		{"two behind", 20, 22, 0, true, 0},
		{"far behind", 0, 5000, 0, true, 0},
		{"caught up after a lag", 21, 21, 21, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fetch, lagged := shouldSync(tt.head, tt.peerHead, tt.lagged)
			if fetch != tt.fetch || lagged != tt.wantLagged {
				t.Fatalf("shouldSync(%d, %d, %d) = %v, %d; want %v, %d", tt.head, tt.peerHead, tt.lagged, fetch, lagged, tt.fetch, tt.wantLagged)
			}
		})
	}
}
