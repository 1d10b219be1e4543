package chaos

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/taonet/taod/consensus/wal"
)

func writeWAL(t *testing.T, recs ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "consensus.wal")
	w, _, err := wal.Open(wal.OS(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Append([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// The suite's WAL damage must be what consensus/wal calls a torn tail and
// corruption, or scenario 7 tests nothing.
func TestWALDamage(t *testing.T) {
	recs := []string{"prevote", "precommit with a longer payload", "proposal"}

	path := writeWAL(t, recs...)
	if n, err := walRecords(path); err != nil || n != 3 {
		t.Fatalf("walRecords = %d, %v; want 3", n, err)
	}
	if err := tearTail(path, 3); err != nil {
		t.Fatal(err)
	}
	_, rep, err := wal.Open(wal.OS(), path)
	if err != nil || !errors.Is(rep.Warning, wal.ErrTornTail) || len(rep.Records) != 2 {
		t.Fatalf("after tearTail: %d records, warning %v, err %v; want 2, a torn tail", len(rep.Records), rep.Warning, err)
	}

	path = writeWAL(t, recs...)
	if err := corruptRecord(path, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := wal.Open(wal.OS(), path); !errors.Is(err, wal.ErrCorrupt) {
		t.Fatalf("after corruptRecord: %v, want ErrCorrupt", err)
	}
	if err := corruptRecord(writeWAL(t, "only"), 0); err == nil {
		t.Fatal("corrupting the only record must be refused: it would be a torn tail")
	}

	// A backup restores it.
	path = writeWAL(t, recs...)
	backup := path + ".bak"
	if err := copyFile(backup, path); err != nil {
		t.Fatal(err)
	}
	corruptRecord(path, 1)
	if err := copyFile(path, backup); err != nil {
		t.Fatal(err)
	}
	if _, rep, err := wal.Open(wal.OS(), path); err != nil || len(rep.Records) != 3 {
		t.Fatalf("restored WAL: %d records, %v", len(rep.Records), err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("restored WAL mode %v", fi.Mode())
	}
}
