package p2p

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

// Fuzz targets for every decoder of bytes a peer sends us: frames, Hello,
// sync requests and sync records. Each checks that no input panics, that a
// refusal is ErrMalformed (what gets a peer penalised) where the decoder
// promises it, and that what is accepted re-encodes to what decodes alike.

func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	_ = writeFrame(&buf, []byte("hello"))
	f.Add(buf.Bytes(), 16)
	f.Add([]byte{0x80, 0x01}, 1000)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 1<<20)
	f.Fuzz(func(t *testing.T, in []byte, limit int) {
		if limit < 0 || limit > 1<<20 {
			return
		}
		b, err := readFrame(bufio.NewReader(bytes.NewReader(in)), limit)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrFrameTooBig) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(b) > limit {
			t.Fatalf("frame of %d bytes over the limit %d", len(b), limit)
		}
		var out bytes.Buffer
		if err := writeFrame(&out, b); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(in, out.Bytes()) {
			t.Fatalf("frame %x re-encodes to %x, not a prefix of the input", b, out.Bytes())
		}
	})
}

func FuzzDecodeHello(f *testing.F) {
	for _, h := range []Hello{{}, {ChainID: 7, GenesisHash: testGenesis, Head: 1 << 63, Version: "taod/1"}} {
		b, err := encodeHello(h)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := decodeHello(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("refusal not ErrMalformed: %v", err)
			}
			return
		}
		b, err := encodeHello(h)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeHello(b)
		if err != nil || again.ChainID != h.ChainID || again.GenesisHash != h.GenesisHash || again.Head != h.Head {
			t.Fatalf("hello %+v does not round-trip: %+v, %v", h, again, err)
		}
	})
}

func FuzzDecodeSyncRequest(f *testing.F) {
	for _, r := range []syncRequest{{From: 1, Count: 256}, {From: 1 << 63, Count: 1}} {
		b, err := rlp.EncodeToBytes(&r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := decodeSyncRequest(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("refusal not ErrMalformed: %v", err)
			}
			return
		}
		if r.Count == 0 {
			t.Fatal("accepted a request for 0 blocks")
		}
		b, err := rlp.EncodeToBytes(&r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, in) {
			t.Fatalf("request %+v accepted from %x re-encodes to %x", r, in, b)
		}
	})
}

func FuzzDecodeSyncRecord(f *testing.F) {
	src := makeChain(f, 3, 1)
	for h := uint64(1); h <= 3; h++ {
		b, err := encodeSyncRecord(src.blocks[h], src.commits[h])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, in []byte) {
		sb, err := decodeSyncRecord(in, nil)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("refusal not ErrMalformed: %v", err)
			}
			return
		}
		if sb.Commit.Height != sb.Block.Height() || sb.Commit.BlockHash != sb.Block.Hash() {
			t.Fatal("accepted a commit for another block")
		}
		b, err := encodeSyncRecord(sb.Block, sb.Commit)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeSyncRecord(b, nil)
		if err != nil || again.Block.Hash() != sb.Block.Hash() || again.Commit.Hash() != sb.Commit.Hash() {
			t.Fatalf("record does not round-trip: %v", err)
		}
	})
}
