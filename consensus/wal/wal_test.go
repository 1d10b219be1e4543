package wal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const path = "/wal/node.wal"

func records(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf("record %d %s", i, strings.Repeat("x", i*7)))
	}
	return out
}

func mustOpen(t *testing.T, fs FS, p string) (*WAL, Replay) {
	t.Helper()
	w, rep, err := Open(fs, p)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return w, rep
}

func equalRecords(t *testing.T, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestAppendReplay(t *testing.T) {
	fs := NewMemFS()
	w, rep := mustOpen(t, fs, path)
	if len(rep.Records) != 0 || rep.Warning != nil {
		t.Fatalf("new WAL replayed %v, %v", rep.Records, rep.Warning)
	}
	recs := records(5)
	if err := w.Append(recs[0]); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(recs[1:]...); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fs.Crash(nil) // everything was synced
	w, rep = mustOpen(t, fs, path)
	equalRecords(t, rep.Records, recs)
	if rep.Warning != nil {
		t.Fatalf("warning on a clean log: %v", rep.Warning)
	}
	if w.Size() != int64(len(fs.ReadFile(path))) {
		t.Fatalf("size %d, file %d", w.Size(), len(fs.ReadFile(path)))
	}
}

func TestAppendRejects(t *testing.T) {
	w, _ := mustOpen(t, NewMemFS(), path)
	if err := w.Append(nil); !errors.Is(err, ErrEmptyRecord) {
		t.Fatalf("empty record: %v", err)
	}
	if err := w.Append(make([]byte, MaxRecordSize+1)); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("large record: %v", err)
	}
	w.Close()
	if err := w.Append([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}

// TestTornTail cuts the last frame at every byte and damages it in place: each
// time the last record goes, with a warning, and the log stays usable.
func TestTornTail(t *testing.T) {
	recs := records(4)
	fs := NewMemFS()
	w, _ := mustOpen(t, fs, path)
	if err := w.Append(recs...); err != nil {
		t.Fatal(err)
	}
	w.Close()
	full := fs.ReadFile(path)
	lastStart := len(full) - headerSize - len(recs[3])

	type damage struct {
		name string
		data []byte
	}
	var cases []damage
	for cut := lastStart + 1; cut < len(full); cut++ {
		cases = append(cases, damage{fmt.Sprintf("cut at %d", cut), full[:cut]})
	}
	for _, off := range []int{lastStart, lastStart + 4, lastStart + 9, lastStart + headerSize, len(full) - 1} {
		b := bytes.Clone(full)
		b[off] ^= 0x40
		cases = append(cases, damage{fmt.Sprintf("flip at %d", off), b})
	}
	zeros := append(bytes.Clone(full[:lastStart]), make([]byte, len(full)-lastStart)...)
	cases = append(cases, damage{"zeroed tail", zeros})
	cases = append(cases, damage{"zeros after the log", append(bytes.Clone(full), make([]byte, 4096)...)})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := NewMemFS()
			fs.WriteFile(path, c.data)
			w, rep := mustOpen(t, fs, path)
			want := recs[:3]
			if c.name == "zeros after the log" {
				want = recs
			}
			equalRecords(t, rep.Records, want)
			var torn *TornTailError
			if !errors.As(rep.Warning, &torn) || !errors.Is(rep.Warning, ErrTornTail) {
				t.Fatalf("warning = %v, want a TornTailError", rep.Warning)
			}
			if torn.Dropped == 0 || torn.Offset != w.Size() {
				t.Fatalf("warning %+v, size %d", torn, w.Size())
			}
			if err := w.Append([]byte("after")); err != nil {
				t.Fatal(err)
			}
			w.Close()
			_, rep = mustOpen(t, fs, path)
			equalRecords(t, rep.Records, append(append([][]byte{}, want...), []byte("after")))
			if rep.Warning != nil {
				t.Fatalf("second open warns: %v", rep.Warning)
			}
		})
	}
}

// TestCorruptBeforeLast damages every record but the last: Open must refuse.
func TestCorruptBeforeLast(t *testing.T) {
	recs := records(4)
	fs := NewMemFS()
	w, _ := mustOpen(t, fs, path)
	for _, r := range recs {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	full := fs.ReadFile(path)
	lastStart := len(full) - headerSize - len(recs[3])
	for _, off := range []int{0, 3, 5, 9, headerSize, headerSize + 3, lastStart - 1} {
		t.Run(fmt.Sprintf("flip at %d", off), func(t *testing.T) {
			b := bytes.Clone(full)
			b[off] ^= 0x01
			fs := NewMemFS()
			fs.WriteFile(path, b)
			_, _, err := Open(fs, path)
			var ce *CorruptError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) {
				t.Fatalf("Open = %v, want ErrCorrupt", err)
			}
			if ce.Offset > int64(off) || ce.Next <= ce.Offset || !strings.Contains(err.Error(), "refusing to continue") {
				t.Fatalf("error %+v does not locate the damage at %d: %v", ce, off, err)
			}
			if !bytes.Equal(fs.ReadFile(path), b) {
				t.Fatal("Open modified a corrupt log")
			}
		})
	}
}

// TestFailedWrite tears an append: the WAL refuses further appends, and after
// a crash that keeps the torn bytes, Open truncates them.
func TestFailedWrite(t *testing.T) {
	fs := NewMemFS()
	w, _ := mustOpen(t, fs, path)
	recs := records(3)
	if err := w.Append(recs[0]); err != nil {
		t.Fatal(err)
	}
	errDisk := errors.New("disk full")
	fs.FailWrite = func(name string, p []byte) (int, error) { return len(p) / 2, errDisk }
	if err := w.Append(recs[1]); !errors.Is(err, errDisk) {
		t.Fatalf("torn append = %v", err)
	}
	fs.FailWrite = nil
	if err := w.Append(recs[2]); !errors.Is(err, errDisk) {
		t.Fatalf("append after a failure = %v, want the sticky error", err)
	}
	fs.Crash(func(string, int) int { return 1 << 30 }) // the torn bytes reached the disk
	_, rep := mustOpen(t, fs, path)
	equalRecords(t, rep.Records, recs[:1])
	if !errors.Is(rep.Warning, ErrTornTail) {
		t.Fatalf("warning = %v", rep.Warning)
	}
}

// TestFailedSync: an append whose fsync fails is not durable and poisons the WAL.
func TestFailedSync(t *testing.T) {
	fs := NewMemFS()
	w, _ := mustOpen(t, fs, path)
	recs := records(2)
	if err := w.Append(recs[0]); err != nil {
		t.Fatal(err)
	}
	fs.FailSync = func(string) error { return errors.New("EIO") }
	if err := w.Append(recs[1]); err == nil {
		t.Fatal("append with a failed fsync succeeded")
	}
	fs.FailSync = nil
	if err := w.Append(recs[1]); err == nil {
		t.Fatal("append after a failed fsync succeeded")
	}
	fs.Crash(nil)
	_, rep := mustOpen(t, fs, path)
	equalRecords(t, rep.Records, recs[:1])
	if rep.Warning != nil {
		t.Fatalf("warning = %v", rep.Warning)
	}
}

func TestCompact(t *testing.T) {
	fs := NewMemFS()
	w, _ := mustOpen(t, fs, path)
	recs := records(6)
	if err := w.Append(recs...); err != nil {
		t.Fatal(err)
	}
	odd := func(r []byte) bool { return (r[7]-'0')%2 == 1 }
	if err := w.Compact(odd); err != nil {
		t.Fatal(err)
	}
	if err := w.Append([]byte("record 7")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fs.Crash(nil)
	_, rep := mustOpen(t, fs, path)
	equalRecords(t, rep.Records, [][]byte{recs[1], recs[3], recs[5], []byte("record 7")})
}

// TestOSFS runs the same cycle on the real filesystem.
func TestOSFS(t *testing.T) {
	p := filepath.Join(t.TempDir(), "consensus.wal")
	w, _ := mustOpen(t, OS(), p)
	recs := records(3)
	if err := w.Append(recs...); err != nil {
		t.Fatal(err)
	}
	if err := w.Compact(func([]byte) bool { return true }); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.Truncate(p, w.Size()-3); err != nil {
		t.Fatal(err)
	}
	w, rep := mustOpen(t, OS(), p)
	equalRecords(t, rep.Records, recs[:2])
	if !errors.Is(rep.Warning, ErrTornTail) {
		t.Fatalf("warning = %v", rep.Warning)
	}
	if err := w.Append(recs[2]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, rep = mustOpen(t, OS(), p)
	equalRecords(t, rep.Records, recs)
}

// FuzzOpen: any file either opens, with records that re-encode to a prefix
// of it, or is refused as corrupt. Open never panics.
func FuzzOpen(f *testing.F) {
	var good []byte
	for _, r := range records(3) {
		good = appendFrame(good, r)
	}
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := NewMemFS()
		fs.WriteFile(path, data)
		w, rep, err := Open(fs, path)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		var again []byte
		for _, r := range rep.Records {
			again = appendFrame(again, r)
		}
		if !bytes.HasPrefix(data, again) || int64(len(again)) != w.Size() {
			t.Fatalf("records do not re-encode to the kept prefix")
		}
	})
}
