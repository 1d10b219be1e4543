package p2p

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	payloads := [][]byte{{}, []byte("a"), bytes.Repeat([]byte{7}, 300), bytes.Repeat([]byte{9}, 70_000)}
	for _, p := range payloads {
		if err := writeFrame(&buf, p); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReader(&buf)
	for i, want := range payloads {
		got, err := readFrame(r, 1<<20)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: %d bytes, %v", i, len(got), err)
		}
	}
	if _, err := readFrame(r, 1<<20); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last frame: %v, want EOF", err)
	}

	tests := []struct {
		name  string
		input []byte
		limit int
		want  error
	}{
		{"too big", []byte{0x80, 0x01}, 100, ErrFrameTooBig},
		{"cut short", []byte{0x05, 1, 2}, 100, io.ErrUnexpectedEOF},
		{"length cut short", []byte{0x80}, 100, io.ErrUnexpectedEOF},
		{"overflow", bytes.Repeat([]byte{0xff}, 11), 100, ErrMalformed},
		{"not minimal", []byte{0x81, 0x00, 1}, 100, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readFrame(bufio.NewReader(bytes.NewReader(tt.input)), tt.limit)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHelloRoundTrip(t *testing.T) {
	in := Hello{ChainID: 42, GenesisHash: testGenesis, Head: 1234, Version: "taod/1.0"}
	b, err := encodeHello(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > maxHelloBytes {
		t.Fatalf("hello of %d bytes exceeds %d", len(b), maxHelloBytes)
	}
	out, err := decodeHello(b)
	if err != nil || out != in {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	if _, err := decodeHello(append(b, 0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("trailing byte: %v", err)
	}
	long := in
	long.Version = string(bytes.Repeat([]byte{'v'}, 1000))
	if b, _ := encodeHello(long); len(b) > maxHelloBytes {
		t.Fatalf("long version not truncated: %d bytes", len(b))
	}
}

func TestTxBatchCodec(t *testing.T) {
	txs := signedTxs(t, 3)
	raws := [][]byte{txs[0].Bytes(), txs[1].Bytes(), txs[2].Bytes()}
	b, err := encodeTxBatch(raws)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeTxBatch(b)
	if err != nil || len(got) != 3 || !bytes.Equal(got[2], raws[2]) {
		t.Fatalf("round trip: %v", err)
	}
	empty, _ := encodeTxBatch(nil)
	if _, err := decodeTxBatch(empty); !errors.Is(err, ErrMalformed) {
		t.Fatalf("empty batch: %v", err)
	}
	// The size estimate used by the batcher holds.
	if est := batchOverhead + 3*(len(raws[0])+batchOverhead); len(b) > est {
		t.Fatalf("batch of %d bytes over the estimate %d", len(b), est)
	}
}

// FuzzSyncRecord: no input panics, and whatever decodes re-encodes to itself.
func FuzzSyncRecord(f *testing.F) {
	c := makeChain(f, 2, 1)
	rec, err := encodeSyncRecord(c.blocks[2], c.commits[2])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rec)
	f.Add([]byte{0xc0})
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sb, err := decodeSyncRecord(b, nil)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not marked malformed: %v", err)
			}
			return
		}
		again, err := encodeSyncRecord(sb.Block, sb.Commit)
		if err != nil {
			t.Fatal(err)
		}
		var x, y syncRecord
		if rlp.DecodeBytes(b, &x) != nil || rlp.DecodeBytes(again, &y) != nil || !bytes.Equal(x.Block, y.Block) || !bytes.Equal(x.Commit, y.Commit) {
			t.Fatal("decoded record does not re-encode to the same block and commit")
		}
	})
}

// FuzzFrame: readFrame never panics or returns more than its limit.
func FuzzFrame(f *testing.F) {
	f.Add([]byte{0x03, 1, 2, 3}, 10)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10)
	f.Fuzz(func(t *testing.T, b []byte, limit int) {
		if limit < 0 || limit > 1<<16 {
			return
		}
		got, err := readFrame(bufio.NewReader(bytes.NewReader(b)), limit)
		if err == nil && len(got) > limit {
			t.Fatalf("frame of %d bytes over limit %d", len(got), limit)
		}
	})
}
