package p2p

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestBlockUnblock: a blocked peer is disconnected and refused whichever
// side dials; after Unblock it connects again.
func TestBlockUnblock(t *testing.T) {
	a := startHost(t, testConfig(t), Handlers{})
	b := startHost(t, testConfig(t), Handlers{})
	connect(t, a, b)
	waitFor(t, 5*time.Second, "a sees b", func() bool { return len(a.Peers()) == 1 })

	a.Block(b.ID())
	waitFor(t, 5*time.Second, "b gone from a", func() bool { return len(a.Peers()) == 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.Connect(ctx, b.AddrInfo()); !errors.Is(err, ErrBanned) {
		t.Fatalf("a dials blocked b: %v, want ErrBanned", err)
	}
	b.Connect(ctx, a.AddrInfo()) // refused by a's gater after the security handshake
	time.Sleep(200 * time.Millisecond)
	if n := len(a.Peers()); n != 0 {
		t.Fatalf("blocked peer got in by dialling: %d peers", n)
	}

	a.Unblock(b.ID())
	connect(t, a, b)
	waitFor(t, 5*time.Second, "b back", func() bool { return len(a.Peers()) == 1 })
}
