package p2p

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// One peer opening many sync requests and sending only half of each (a
// length byte, then nothing) holds MaxSyncStreamsPerPeer slots, not all of
// them: another peer is still served. (Before per-peer slots it held all
// 16 for SyncTimeout, and every other peer's request was reset.)
func TestSyncHalfSentRequestsDoNotStarveOthers(t *testing.T) {
	src := makeChain(t, 5, 0)
	server := startHost(t, testConfig(t), Handlers{Blocks: src})
	attacker := startHost(t, testConfig(t), Handlers{})
	honest := startHost(t, testConfig(t), Handlers{})
	connect(t, attacker, server)
	connect(t, honest, server)

	const n = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	held, reset := 0, 0
	for range n {
		s, err := attacker.host.NewStream(context.Background(), server.ID(), server.names.sync)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Reset()
		if _, err := s.Write([]byte{10}); err != nil { // "10 bytes follow", never sent
			t.Fatal(err)
		}
		// Wait until the server took or refused the stream: a refused one is
		// reset at once, a taken one waits for the rest of the request.
		wg.Go(func() {
			_ = s.SetReadDeadline(time.Now().Add(syncRequestTimeout / 2))
			_, err := s.Read(make([]byte, 1))
			var ne interface{ Timeout() bool }
			mu.Lock()
			defer mu.Unlock()
			if errors.As(err, &ne) && ne.Timeout() {
				held++
			} else {
				reset++
			}
		})
	}
	wg.Wait()
	t.Logf("server holds %d half-sent requests, refused %d", held, reset)
	if held > server.cfg.MaxSyncStreamsPerPeer {
		t.Errorf("one peer holds %d sync slots, want at most %d", held, server.cfg.MaxSyncStreamsPerPeer)
	}
	bs, err := honest.FetchBlocks(context.Background(), server.ID(), 1, 5)
	if err != nil || len(bs) != 5 {
		t.Fatalf("honest peer: %d blocks, %v; want 5", len(bs), err)
	}
	if got := testutil.ToFloat64(server.met.syncErrors.WithLabelValues("refused_peer_slots")); got < n-float64(server.cfg.MaxSyncStreamsPerPeer) {
		t.Errorf("refused_peer_slots = %v", got)
	}
	if server.gater.isBanned(honest.ID()) {
		t.Error("honest peer banned")
	}
}

// A peer's requests beyond its token bucket are refused (reset), and the
// bucket refills.
func TestSyncRequestRatePerPeer(t *testing.T) {
	src := makeChain(t, 2, 0)
	cfg := testConfig(t)
	cfg.SyncRequestRate, cfg.SyncRequestBurst = 1, 3
	server := startHost(t, cfg, Handlers{Blocks: src})
	client := startHost(t, testConfig(t), Handlers{})
	connect(t, client, server)
	ok, refused := 0, 0
	for range 6 {
		if _, err := client.FetchBlocks(context.Background(), server.ID(), 1, 1); err != nil {
			refused++
		} else {
			ok++
		}
	}
	// 3 from the burst, and at most one refill during the loop.
	if ok < 3 || ok > 4 || refused < 2 {
		t.Fatalf("%d served, %d refused; want 3-4 served of 6", ok, refused)
	}
	if got := testutil.ToFloat64(server.met.syncErrors.WithLabelValues("refused_peer_rate")); got != float64(refused) {
		t.Fatalf("refused_peer_rate = %v, want %d", got, refused)
	}
}

// A server that sends one block and then stalls is cut off after
// SyncFrameTimeout, long before SyncTimeout, and is not banned.
func TestSyncFrameTimeout(t *testing.T) {
	src := makeChain(t, 3, 0)
	release := make(chan struct{})
	defer close(release)
	server := startHost(t, testConfig(t), Handlers{})
	server.host.SetStreamHandler(server.names.sync, fakeSyncHandler(server, func() [][]byte {
		rec, err := encodeSyncRecord(src.blocks[1], src.commits[1])
		if err != nil {
			t.Error(err)
		}
		return [][]byte{rec}
	}, release))

	cfg := testConfig(t)
	cfg.SyncTimeout = time.Minute
	cfg.SyncFrameTimeout = 300 * time.Millisecond
	client := startHost(t, cfg, Handlers{})
	connect(t, client, server)
	start := time.Now()
	_, err := client.FetchBlocks(context.Background(), server.ID(), 1, 3)
	if err == nil || errors.Is(err, ErrMalformed) {
		t.Fatalf("FetchBlocks: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a stalled stream took %v to fail", d)
	}
	if client.gater.isBanned(server.ID()) {
		t.Fatal("slow server banned")
	}
}

// fakeSyncHandler answers each request with records, then holds the stream
// open until release.
func fakeSyncHandler(h *Host, records func() [][]byte, release <-chan struct{}) network.StreamHandler {
	return func(s network.Stream) {
		defer s.Close()
		for _, rec := range records() {
			if err := writeFrame(s, rec); err != nil {
				return
			}
		}
		select {
		case <-release:
		case <-h.ctx.Done():
		}
	}
}

// A banned peer that comes back with a fresh peer ID from the same IP is
// refused, when that IP is not exempt; with the default exemption
// (loopback) only the peer ID is refused.
func TestBanCoversIP(t *testing.T) {
	for _, tt := range []struct {
		name    string
		exempt  []string
		refused bool
	}{
		{"loopback not exempt", []string{}, true},
		{"loopback exempt (default)", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.SharedIPs = tt.exempt
			victim := startHost(t, cfg, Handlers{})
			bad := startHost(t, testConfig(t), Handlers{})
			connect(t, bad, victim)
			waitFor(t, 5*time.Second, "the handshake", func() bool { return hasPeer(victim, bad.ID()) })
			victim.Ban(bad.ID(), "bad_block")
			waitFor(t, 5*time.Second, "the disconnect", func() bool { return !connected(victim, bad) })

			again := startHost(t, testConfig(t), Handlers{}) // a new peer ID, same IP
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := again.Connect(ctx, victim.AddrInfo())
			if tt.refused && err == nil {
				t.Fatal("a fresh peer ID from the banned IP was let in")
			}
			if !tt.refused && err != nil {
				t.Fatalf("an exempt IP was refused: %v", err)
			}
			// The old peer ID stays refused either way.
			if err := bad.Connect(ctx, victim.AddrInfo()); err == nil && hasPeer(victim, bad.ID()) {
				t.Fatal("the banned peer ID was let back in")
			}
		})
	}
}

// Ban reasons come from callers that may pass error text (an attacker's
// choice): the bans metric keeps a fixed set of label values.
func TestBanLabelsBounded(t *testing.T) {
	h := startHost(t, testConfig(t), Handlers{})
	for i := range 200 {
		_, pub, err := crypto.GenerateEd25519Key(nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := peer.IDFromPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		h.Ban(p, fmt.Sprintf("consensus: bad signature from %d: junk %x", i, i*7919))
	}
	h.Ban(h.ID(), "self") // ignored
	if n := testutil.CollectAndCount(h.met.bans); n > len(BanReasons) {
		t.Fatalf("bans metric has %d series, want at most %d", n, len(BanReasons))
	}
	if got := testutil.ToFloat64(h.met.bans.WithLabelValues("other")); got != 200 {
		t.Fatalf("other = %v, want 200", got)
	}
}

// Outside SharedIPs, one IP gets at most MaxConnsPerIP connections; in them
// (loopback by default) there is no per-IP limit.
func TestConnLimitPerIP(t *testing.T) {
	for _, tt := range []struct {
		name    string
		shared  []string
		allowed int
	}{
		{"loopback not shared", []string{}, 2},
		{"loopback shared (default)", nil, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.SharedIPs = tt.shared
			cfg.MaxConnsPerIP = 2
			server := startHost(t, cfg, Handlers{})
			ok := 0
			for range 4 {
				c := startHost(t, testConfig(t), Handlers{})
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if c.Connect(ctx, server.AddrInfo()) == nil {
					ok++
				}
				cancel()
			}
			if ok != tt.allowed {
				t.Fatalf("%d of 4 peers on one IP connected, want %d", ok, tt.allowed)
			}
		})
	}
}

// IP bans expire with the peer's ban, skip shared ranges, and Unblock lifts
// the IP bans a peer caused.
func TestGaterIPBans(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	loop, err := (&Config{SharedIPs: []string{"127.0.0.0/8"}}).sharedIPs()
	if err != nil {
		t.Fatal(err)
	}
	g := newGater(clock, loop)
	pub := netip.MustParseAddr("203.0.113.7")
	mapped := netip.MustParseAddr("::ffff:203.0.113.8")
	lo := netip.MustParseAddr("127.0.0.1")
	if !g.ban("p1", time.Minute, []netip.Addr{pub, mapped, lo}) {
		t.Fatal("first ban not fresh")
	}
	for _, tt := range []struct {
		ip     netip.Addr
		banned bool
	}{
		{pub, true},
		{netip.MustParseAddr("203.0.113.8"), true}, // the v4-mapped form is the same host
		{lo, false}, // shared
		{netip.MustParseAddr("203.0.113.9"), false},
	} {
		if got := g.isBannedIP(tt.ip); got != tt.banned {
			t.Errorf("isBannedIP(%s) = %v, want %v", tt.ip, got, tt.banned)
		}
	}
	now = now.Add(time.Minute + time.Second)
	if g.isBannedIP(pub) || g.isBanned("p1") {
		t.Fatal("ban outlived its duration")
	}
	g.ban("p2", time.Hour, []netip.Addr{pub})
	g.unban("p2")
	if g.isBannedIP(pub) {
		t.Fatal("unban left the IP banned")
	}
}

// slowReaderStream is the server's side of a stream whose client sent a
// request and then reads nothing: writes block until the write deadline.
type slowReaderStream struct {
	network.Stream // nil: serveSync uses only the methods below
	req            *bytes.Reader

	mu  sync.Mutex
	wdl time.Time
}

func (s *slowReaderStream) Read(b []byte) (int, error)      { return s.req.Read(b) }
func (s *slowReaderStream) SetReadDeadline(time.Time) error { return nil }
func (s *slowReaderStream) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wdl = t
	return nil
}

var errNoWriteDeadline = errors.New("write blocked 3 s without a deadline")

func (s *slowReaderStream) Write([]byte) (int, error) {
	start := time.Now()
	for {
		s.mu.Lock()
		dl := s.wdl
		s.mu.Unlock()
		if !dl.IsZero() && time.Now().After(dl) {
			return 0, os.ErrDeadlineExceeded
		}
		if time.Since(start) > 3*time.Second {
			return 0, errNoWriteDeadline
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client that does not read its answer holds a serving slot for
// SyncFrameTimeout, not for the whole SyncTimeout (here: not for ever).
func TestSyncServerDropsSlowReader(t *testing.T) {
	cfg := testConfig(t)
	cfg.SyncFrameTimeout = 200 * time.Millisecond
	server := startHost(t, cfg, Handlers{Blocks: makeChain(t, 3, 1)})
	req, err := rlp.EncodeToBytes(&syncRequest{From: 1, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeFrame(&buf, req); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = server.serveSync(&slowReaderStream{req: bytes.NewReader(buf.Bytes())})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("serveSync: %v, want a write deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v to drop the client", d)
	}
}
