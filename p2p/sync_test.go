package p2p

import (
	"bufio"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/taonet/taod/types"
)

// A node syncs 300 blocks (with txs and signed commits) from a peer, in
// requests capped at MaxSyncBlocks, and gets exactly the served chain.
func TestSyncBlocks(t *testing.T) {
	src := makeChain(t, 300, 2)
	server := startHost(t, testConfig(t), Handlers{Blocks: src})
	client := startHost(t, testConfig(t), Handlers{})
	connect(t, client, server)

	ctx := context.Background()
	var got []SyncedBlock
	start := time.Now()
	for next := uint64(1); next <= src.Head(); {
		bs, err := client.FetchBlocks(ctx, server.ID(), next, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) == 0 || len(bs) > client.cfg.MaxSyncBlocks {
			t.Fatalf("fetch from %d returned %d blocks", next, len(bs))
		}
		got = append(got, bs...)
		next += uint64(len(bs))
	}
	t.Logf("synced %d blocks (2 txs each) in %v", len(got), time.Since(start))
	if len(got) != 300 {
		t.Fatalf("got %d blocks, want 300", len(got))
	}
	for i, sb := range got {
		h := uint64(i + 1)
		if sb.Block.Hash() != src.blocks[h].Hash() || sb.Commit.Hash() != src.commits[h].Hash() {
			t.Fatalf("block %d differs from the served one", h)
		}
		// What the node does next: verify the commit's signatures.
		v := sb.Commit.Vote(0)
		if err := v.Verify(testChainID); err != nil {
			t.Fatalf("commit %d: %v", h, err)
		}
	}
	if n := testutil.ToFloat64(server.met.syncServed); n != 300 {
		t.Errorf("server counted %v blocks served", n)
	}

	// Past the head: an empty answer, not an error.
	bs, err := client.FetchBlocks(ctx, server.ID(), 301, 10)
	if err != nil || len(bs) != 0 {
		t.Fatalf("past head: %d blocks, %v", len(bs), err)
	}
	// The peer is still in good standing.
	if client.gater.isBanned(server.ID()) {
		t.Fatal("honest server banned")
	}
}

// fakeSyncServer replaces a host's sync handler with one that answers every
// request with the records write returns.
func fakeSyncServer(t *testing.T, write func(req syncRequest) [][]byte) *Host {
	t.Helper()
	h := startHost(t, testConfig(t), Handlers{})
	h.host.SetStreamHandler(h.names.sync, func(s network.Stream) {
		defer s.Close()
		b, err := readFrame(bufio.NewReader(s), maxSyncRequestBytes)
		if err != nil {
			s.Reset()
			return
		}
		var req syncRequest
		if err := rlp.DecodeBytes(b, &req); err != nil {
			s.Reset()
			return
		}
		for _, rec := range write(req) {
			if err := writeFrame(s, rec); err != nil {
				return
			}
		}
	})
	return h
}

func TestSyncMalformedResponse(t *testing.T) {
	src := makeChain(t, 5, 1)
	other := makeChain(t, 5, 1) // a different, equally well-formed chain
	record := func(c *chainSource, h uint64) []byte {
		b, err := encodeSyncRecord(c.blocks[h], c.commits[h])
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	withCommit := func(b *types.Block, c *types.Commit) []byte {
		rec, err := encodeSyncRecord(b, c)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	tamperedBody := types.NewBlock(src.blocks[2].Header, nil, src.blocks[2].LastCommit, nil)
	wrongChainHdr := src.blocks[1].Header
	wrongChainHdr.ChainID = testChainID + 1
	wrongChain := types.NewBlock(wrongChainHdr, src.blocks[1].Txs, src.blocks[1].LastCommit, nil)
	wrongChainCommit := &types.Commit{Height: 1, BlockHash: wrongChain.Hash()}

	tests := []struct {
		name    string
		records func(req syncRequest) [][]byte
	}{
		{"garbage", func(syncRequest) [][]byte { return [][]byte{[]byte("definitely not rlp")} }},
		{"wrong height", func(syncRequest) [][]byte { return [][]byte{record(src, 2)} }},
		{"commit for another block", func(syncRequest) [][]byte {
			return [][]byte{withCommit(src.blocks[1], other.commits[1])}
		}},
		{"body does not match header", func(syncRequest) [][]byte {
			return [][]byte{record(src, 1), withCommit(tamperedBody, src.commits[2])}
		}},
		{"not linked to parent", func(syncRequest) [][]byte { return [][]byte{record(src, 1), record(other, 2)} }},
		{"wrong chain", func(syncRequest) [][]byte { return [][]byte{withCommit(wrongChain, wrongChainCommit)} }},
		{"more than asked", func(syncRequest) [][]byte { return [][]byte{record(src, 1), record(src, 2), record(src, 3)} }},
		{"truncated record", func(syncRequest) [][]byte { r := record(src, 1); return [][]byte{r[:len(r)/2]} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := fakeSyncServer(t, tt.records)
			client := startHost(t, testConfig(t), Handlers{})
			connect(t, client, server)
			_, err := client.FetchBlocks(context.Background(), server.ID(), 1, 2)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("FetchBlocks: %v, want ErrMalformed", err)
			}
			if !client.gater.isBanned(server.ID()) {
				t.Fatal("server not banned")
			}
			waitFor(t, 5*time.Second, "the connection to close", func() bool { return !connected(client, server) })
		})
	}
}

// A frame header claiming more than a block may be is refused before reading.
func TestSyncOversizedFrame(t *testing.T) {
	server := startHost(t, testConfig(t), Handlers{})
	server.host.SetStreamHandler(server.names.sync, func(s network.Stream) {
		defer s.Close()
		_, _ = s.Write([]byte{0xff, 0xff, 0xff, 0xff, 0x7f}) // uvarint ~34 GB
	})
	client := startHost(t, testConfig(t), Handlers{})
	connect(t, client, server)
	_, err := client.FetchBlocks(context.Background(), server.ID(), 1, 1)
	if !errors.Is(err, ErrMalformed) || !client.gater.isBanned(server.ID()) {
		t.Fatalf("FetchBlocks: %v (banned %v), want ErrMalformed and a ban", err, client.gater.isBanned(server.ID()))
	}
}

// A server that stalls is cut off by SyncTimeout without a ban.
func TestSyncTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	server := startHost(t, testConfig(t), Handlers{})
	server.host.SetStreamHandler(server.names.sync, func(s network.Stream) {
		defer s.Close()
		<-release
	})
	cfg := testConfig(t)
	cfg.SyncTimeout = 300 * time.Millisecond
	client := startHost(t, cfg, Handlers{})
	connect(t, client, server)
	start := time.Now()
	_, err := client.FetchBlocks(context.Background(), server.ID(), 1, 1)
	if err == nil || errors.Is(err, ErrMalformed) {
		t.Fatalf("FetchBlocks: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	if client.gater.isBanned(server.ID()) {
		t.Fatal("slow server banned")
	}
}

// The server refuses a malformed request and bans the requester.
func TestSyncBadRequest(t *testing.T) {
	server := startHost(t, testConfig(t), Handlers{Blocks: makeChain(t, 3, 0)})
	client := startHost(t, testConfig(t), Handlers{})
	connect(t, client, server)
	s, err := client.host.NewStream(context.Background(), server.ID(), server.names.sync)
	if err != nil {
		t.Fatal(err)
	}
	_ = writeFrame(s, []byte("junk request"))
	_ = s.CloseWrite()
	waitFor(t, 5*time.Second, "the server to ban the client", func() bool { return server.gater.isBanned(client.ID()) })
}
