package p2p

import (
	"bufio"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/taonet/taod/types"
)

// mapSource is a TxSource over a fixed set of txs.
type mapSource map[types.Hash]*types.Tx

func (m mapSource) Get(h types.Hash) (*types.Tx, bool) { tx, ok := m[h]; return tx, ok }

func sourceOf(txs []*types.Tx) mapSource {
	m := make(mapSource, len(txs))
	for _, tx := range txs {
		m[tx.Hash()] = tx
	}
	return m
}

func hashesOf(txs []*types.Tx) []types.Hash {
	out := make([]types.Hash, len(txs))
	for i, tx := range txs {
		out[i] = tx.Hash()
	}
	return out
}

func TestFetchTxs(t *testing.T) {
	txs := signedTxs(t, 5)
	server := startHost(t, testConfig(t), Handlers{FetchTxs: sourceOf(txs[:4])})
	client := startHost(t, testConfig(t), Handlers{})
	connect(t, client, server)
	unknown := types.Keccak256([]byte("nobody has this"))

	for _, tc := range []struct {
		name string
		ask  []types.Hash
		want []*types.Tx // aligned with ask
	}{
		{"all held", hashesOf(txs[:4]), txs[:4]},
		{"some missing", []types.Hash{txs[0].Hash(), unknown, txs[4].Hash(), txs[2].Hash()}, []*types.Tx{txs[0], nil, nil, txs[2]}},
		{"none held", []types.Hash{unknown}, []*types.Tx{nil}},
		{"nothing asked", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := client.FetchTxs(context.Background(), server.ID(), tc.ask)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d entries, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if (got[i] == nil) != (tc.want[i] == nil) || got[i] != nil && got[i].Hash() != tc.want[i].Hash() {
					t.Errorf("entry %d: got %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
	tooMany := make([]types.Hash, client.cfg.MaxFetchTxs+1)
	if _, err := client.FetchTxs(context.Background(), server.ID(), tooMany); !errors.Is(err, ErrFetchTooMany) {
		t.Errorf("fetch of %d hashes: %v, want ErrFetchTooMany", len(tooMany), err)
	}
	if server.gater.isBanned(client.ID()) || client.gater.isBanned(server.ID()) {
		t.Error("an honest peer was banned")
	}
}

// A server that answers with a tx not asked for, or out of order, wrote a
// malformed response: the client fails the fetch and bans it.
func TestFetchTxsMalformedResponse(t *testing.T) {
	txs := signedTxs(t, 3)
	for _, tc := range []struct {
		name string
		send [][]byte
	}{
		{"a tx not asked for", [][]byte{signedTxs(t, 1)[0].Bytes()}},
		{"out of order", [][]byte{txs[1].Bytes(), txs[0].Bytes()}},
		{"undecodable", [][]byte{{0x01, 0x02}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server := startHost(t, testConfig(t), Handlers{})
			server.host.SetStreamHandler(server.names.txs, func(s network.Stream) {
				defer s.Close()
				_, _ = readFrame(bufio.NewReader(s), 1<<20)
				for _, raw := range tc.send {
					_ = writeFrame(s, raw)
				}
			})
			client := startHost(t, testConfig(t), Handlers{})
			connect(t, client, server)
			_, err := client.FetchTxs(context.Background(), server.ID(), hashesOf(txs[:2]))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("fetch: %v, want ErrMalformed", err)
			}
			if !client.gater.isBanned(server.ID()) {
				t.Error("the server that wrote a malformed response is not banned")
			}
		})
	}
}

// The fetch server's response stops at MaxFetchResponseBytes.
func TestFetchResponseBytesBound(t *testing.T) {
	txs := signedTxs(t, 50)
	per := len(txs[0].Bytes())
	server := startHost(t, testConfig(t), Handlers{FetchTxs: sourceOf(txs)})
	client := startHost(t, testConfig(t), Handlers{})
	connect(t, client, server)
	// Below Validate's floor (one maximal tx), so set after it.
	server.cfg.MaxFetchResponseBytes = 10 * per
	got, err := client.FetchTxs(context.Background(), server.ID(), hashesOf(txs))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tx := range got {
		if tx != nil {
			n++
		}
	}
	if n != 10 {
		t.Errorf("server sent %d txs of %d bytes, want 10 (a %d-byte response bound)", n, per, 10*per)
	}
}

// TestFetchFloodBounded attacks the fetch server: half-sent requests on
// many streams (each peer is served one at a time), a request burst beyond
// its token bucket (refused), and an oversized request (the peer is banned).
// An honest peer is served throughout.
func TestFetchFloodBounded(t *testing.T) {
	txs := signedTxs(t, 20)
	cfg := testConfig(t)
	cfg.FetchRequestRate, cfg.FetchRequestBurst = 1, 5
	server := startHost(t, cfg, Handlers{FetchTxs: sourceOf(txs)})
	attacker := startHost(t, testConfig(t), Handlers{})
	honest := startHost(t, testConfig(t), Handlers{})
	connect(t, attacker, server)
	connect(t, honest, server)

	// 1. Half-sent requests: one is held (until fetchRequestTimeout), the
	// others are reset at once.
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := 0
	var streams []network.Stream
	for range n {
		s, err := attacker.host.NewStream(context.Background(), server.ID(), server.names.txs)
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, s)
		if _, err := s.Write([]byte{40}); err != nil { // "40 bytes follow", never sent
			t.Fatal(err)
		}
		wg.Go(func() {
			_ = s.SetReadDeadline(time.Now().Add(fetchRequestTimeout / 2))
			_, err := s.Read(make([]byte, 1))
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				mu.Lock()
				held++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("held %d of %d half-sent requests", held, n)
	if held > 1 {
		t.Errorf("one peer holds %d fetch slots, want at most 1", held)
	}
	got, err := honest.FetchTxs(context.Background(), server.ID(), hashesOf(txs))
	if err != nil || len(got) != len(txs) || got[len(got)-1] == nil {
		t.Fatalf("honest peer during the flood: %d txs, %v", len(got), err)
	}
	for _, s := range streams {
		s.Reset()
	}
	waitFor(t, 5*time.Second, "the held slot's release", func() bool {
		return server.fetchGate.active(attacker.ID()) == 0
	})

	// 2. A burst of complete requests: beyond the bucket, refused. The
	// attacker's own client allows one in flight, so send them in turn.
	refusedBefore := testutil.ToFloat64(server.met.fetchErrors.WithLabelValues("refused_peer_rate"))
	ok := 0
	for range 20 {
		if got, err := attacker.FetchTxs(context.Background(), server.ID(), hashesOf(txs[:1])); err == nil && got[0] != nil {
			ok++
		}
	}
	refused := testutil.ToFloat64(server.met.fetchErrors.WithLabelValues("refused_peer_rate")) - refusedBefore
	t.Logf("burst of 20: %d served, %v refused by rate", ok, refused)
	if ok > cfg.FetchRequestBurst+2 || refused < 20-float64(cfg.FetchRequestBurst)-2 {
		t.Errorf("served %d of a burst of 20 (bucket %d), refused %v", ok, cfg.FetchRequestBurst, refused)
	}

	// 3. An oversized request (more hashes than MaxFetchTxs): banned.
	// Sent until its bucket lets one through.
	req, _ := rlp.EncodeToBytes(make([]types.Hash, server.cfg.MaxFetchTxs+1))
	var last time.Time
	waitFor(t, 10*time.Second, "the attacker's ban", func() bool {
		if server.gater.isBanned(attacker.ID()) {
			return true
		}
		if time.Since(last) > 250*time.Millisecond {
			last = time.Now()
			if s, err := attacker.host.NewStream(context.Background(), server.ID(), server.names.txs); err == nil {
				_ = writeFrame(s, req)
				_ = s.CloseWrite()
				_, _ = s.Read(make([]byte, 1))
				s.Reset()
			}
		}
		return false
	})
	if server.gater.isBanned(honest.ID()) {
		t.Error("honest peer banned")
	}
}

// A server that stalls fails the fetch after FetchTimeout, without a ban
// (it may just be slow); meanwhile a second fetch from it is refused at
// once, so a staller holds one of our goroutines, not one per message.
func TestFetchStallTimesOutAndIsExclusive(t *testing.T) {
	txs := signedTxs(t, 2)
	server := startHost(t, testConfig(t), Handlers{})
	entered, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	server.host.SetStreamHandler(server.names.txs, func(s network.Stream) {
		defer s.Close()
		_, _ = readFrame(bufio.NewReader(s), 1<<20)
		entered <- struct{}{}
		<-release
	})
	cfg := testConfig(t)
	cfg.FetchTimeout = 500 * time.Millisecond
	client := startHost(t, cfg, Handlers{})
	connect(t, client, server)

	first := make(chan error, 1)
	go func() {
		_, err := client.FetchTxs(context.Background(), server.ID(), hashesOf(txs))
		first <- err
	}()
	<-entered
	if _, err := client.FetchTxs(context.Background(), server.ID(), hashesOf(txs)); !errors.Is(err, ErrFetchBusy) {
		t.Errorf("second fetch while one is in flight: %v, want ErrFetchBusy", err)
	}
	err := <-first
	if err == nil || errors.Is(err, ErrMalformed) {
		t.Fatalf("stalled fetch: %v, want a timeout", err)
	}
	if client.gater.isBanned(server.ID()) {
		t.Error("a slow server was banned")
	}
	// The slot is free again.
	go func() { <-entered }()
	if _, err := client.FetchTxs(context.Background(), server.ID(), hashesOf(txs)); errors.Is(err, ErrFetchBusy) {
		t.Error("the slot was not released")
	}
}
