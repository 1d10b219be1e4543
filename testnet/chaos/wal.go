package chaos

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// walHeader is the frame header of consensus/wal: payload length, payload
// CRC, header CRC (uint32 LE each).
const walHeader = 12

// walPath is a node's consensus WAL (node/bft.go).
func walPath(home string) (string, error) {
	cfg, err := readConfig(home)
	if err != nil {
		return "", err
	}
	return filepath.Join(cfg.Path(cfg.DataDir), "consensus.wal"), nil
}

// walFrames returns the offsets of the complete frames of a WAL image.
// It does not check CRCs: the suite reads logs the node wrote itself.
func walFrames(b []byte) []int {
	var starts []int
	for off := 0; off+walHeader <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		if n == 0 || off+walHeader+n > len(b) {
			break
		}
		starts = append(starts, off)
		off += walHeader + n
	}
	return starts
}

// walRecords counts the complete records of the WAL at path.
func walRecords(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return len(walFrames(b)), nil
}

// tearTail cuts n bytes off the WAL's final record, as a crash in the
// middle of its write would leave it.
func tearTail(path string, n int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fs := walFrames(b)
	if len(fs) == 0 {
		return fmt.Errorf("chaos: %s has no record to tear", path)
	}
	last := fs[len(fs)-1]
	if size := len(b) - last; n >= size {
		n = size - 1
	}
	return os.Truncate(path, int64(len(b)-n))
}

// corruptRecord flips one payload byte of record k, which must not be the
// last one: damage the WAL cannot tell from synced records lost.
func corruptRecord(path string, k int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fs := walFrames(b)
	if k+1 >= len(fs) {
		return fmt.Errorf("chaos: %s has %d records, need a record after record %d", path, len(fs), k)
	}
	n := int(binary.LittleEndian.Uint32(b[fs[k]:]))
	off := fs[k] + walHeader + n/2
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{b[off] ^ 0xff}, int64(off)); err != nil {
		return err
	}
	return f.Sync()
}

// copyFile copies src to dst (a WAL backup).
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
