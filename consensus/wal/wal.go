package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
)

// MaxRecordSize bounds one record's payload.
const MaxRecordSize = 32 << 20 // a maximal block (types.MaxBlockSize) with its proof of lock

const headerSize = 12

// Errors. Match them with errors.Is; the concrete types carry details.
var (
	ErrCorrupt        = errors.New("wal: corrupt record before the end of the log")
	ErrTornTail       = errors.New("wal: torn final record")
	ErrClosed         = errors.New("wal: closed")
	ErrRecordTooLarge = fmt.Errorf("wal: record larger than %d bytes", MaxRecordSize)
	ErrEmptyRecord    = errors.New("wal: empty record")
)

// CorruptError reports damage before the last record: valid records follow a
// bad one, so records that were synced are lost.
type CorruptError struct {
	Path   string
	Offset int64  // of the bad frame
	Next   int64  // of the next valid frame
	Reason string // what is wrong with the frame
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("wal: %s is corrupt: the record at offset %d is unreadable (%s) but a valid record follows at offset %d, "+
		"so records that were synced are lost; refusing to continue, since this key could sign twice: "+
		"restore the file from a backup, or remove it only if this consensus key has not signed at the current heights",
		e.Path, e.Offset, e.Reason, e.Next)
}

// Is makes errors.Is(err, ErrCorrupt) hold.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// TornTailError describes a torn final record that Open truncated.
type TornTailError struct {
	Path    string
	Offset  int64 // where the log now ends
	Dropped int64 // bytes truncated
	Reason  string
}

func (e *TornTailError) Error() string {
	return fmt.Sprintf("wal: %s: the final record at offset %d was torn (%s), probably by a crash during its write; truncated %d bytes",
		e.Path, e.Offset, e.Reason, e.Dropped)
}

// Is makes errors.Is(err, ErrTornTail) hold.
func (e *TornTailError) Is(target error) bool { return target == ErrTornTail }

// Replay is what Open read back.
type Replay struct {
	// Records are the payloads in the order they were appended.
	Records [][]byte
	// Warning, when not nil, is a *TornTailError: a torn final record was
	// truncated. The WAL is fine; log it.
	Warning error
}

// WAL is an open write-ahead log. It is not safe for concurrent use.
type WAL struct {
	fs   FS
	path string
	f    File
	size int64
	err  error // sticky: set by a failed append
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Open opens the WAL at path, creating it if missing, and replays it.
func Open(fs FS, path string) (*WAL, Replay, error) {
	f, err := fs.OpenFile(path)
	if err != nil {
		return nil, Replay{}, fmt.Errorf("wal: open %s: %w", path, err)
	}
	if err := fs.SyncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, Replay{}, fmt.Errorf("wal: sync directory of %s: %w", path, err)
	}
	data, err := readAll(f)
	if err != nil {
		f.Close()
		return nil, Replay{}, fmt.Errorf("wal: read %s: %w", path, err)
	}
	recs, end, reason := scan(data)
	rep := Replay{Records: recs}
	if reason != "" {
		if next, ok := nextValidFrame(data, end+1); ok {
			f.Close()
			return nil, Replay{}, &CorruptError{Path: path, Offset: end, Next: next, Reason: reason}
		}
		if err := f.Truncate(end); err != nil {
			f.Close()
			return nil, Replay{}, fmt.Errorf("wal: truncate torn tail of %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, Replay{}, fmt.Errorf("wal: sync %s: %w", path, err)
		}
		rep.Warning = &TornTailError{Path: path, Offset: end, Dropped: int64(len(data)) - end, Reason: reason}
	}
	return &WAL{fs: fs, path: path, f: f, size: end}, rep, nil
}

func readAll(f File) ([]byte, error) {
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	data := make([]byte, size)
	n, err := f.ReadAt(data, 0)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, err
	}
	return data, nil
}

// scan parses frames from the start of data. It returns the records, the
// offset where parsing stopped and, if it stopped before the end, why.
func scan(data []byte) (recs [][]byte, end int64, reason string) {
	off := 0
	for off < len(data) {
		rec, n, why := parseFrame(data[off:])
		if why != "" {
			return recs, int64(off), why
		}
		recs = append(recs, rec)
		off += n
	}
	return recs, int64(off), ""
}

// parseFrame parses the frame at the start of b.
func parseFrame(b []byte) (payload []byte, n int, reason string) {
	if len(b) < headerSize {
		return nil, 0, fmt.Sprintf("%d bytes of a %d-byte header", len(b), headerSize)
	}
	length := binary.LittleEndian.Uint32(b[0:4])
	sum := binary.LittleEndian.Uint32(b[4:8])
	if crc32.Checksum(b[:8], castagnoli) != binary.LittleEndian.Uint32(b[8:12]) {
		return nil, 0, "header checksum mismatch"
	}
	if length == 0 || length > MaxRecordSize {
		return nil, 0, fmt.Sprintf("record length %d out of range", length)
	}
	if uint64(len(b)-headerSize) < uint64(length) {
		return nil, 0, fmt.Sprintf("%d of %d payload bytes", len(b)-headerSize, length)
	}
	payload = b[headerSize : headerSize+int(length)]
	if crc32.Checksum(payload, castagnoli) != sum {
		return nil, 0, "payload checksum mismatch"
	}
	return payload, headerSize + int(length), ""
}

// nextValidFrame looks for a valid frame at any offset from start on. The
// header checksum makes this cheap: almost every offset fails on 8 bytes.
func nextValidFrame(data []byte, start int64) (int64, bool) {
	for off := start; off+headerSize <= int64(len(data)); off++ {
		if _, _, why := parseFrame(data[off:]); why == "" {
			return off, true
		}
	}
	return 0, false
}

// appendFrame appends rec's frame to buf.
func appendFrame(buf, rec []byte) []byte {
	var h [headerSize]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(rec)))
	binary.LittleEndian.PutUint32(h[4:8], crc32.Checksum(rec, castagnoli))
	binary.LittleEndian.PutUint32(h[8:12], crc32.Checksum(h[:8], castagnoli))
	return append(append(buf, h[:]...), rec...)
}

// Append writes recs in one write and fsyncs. When it returns nil they are
// durable. When it fails, the WAL refuses further appends: restart and Open.
func (w *WAL) Append(recs ...[]byte) error {
	if w.err != nil {
		return w.err
	}
	if w.f == nil {
		return ErrClosed
	}
	var buf []byte
	for _, r := range recs {
		switch {
		case len(r) == 0:
			return ErrEmptyRecord
		case len(r) > MaxRecordSize:
			return ErrRecordTooLarge
		}
		buf = appendFrame(buf, r)
	}
	if len(buf) == 0 {
		return nil
	}
	if _, err := w.f.Write(buf); err != nil {
		w.err = fmt.Errorf("wal: append to %s (reopen to recover): %w", w.path, err)
		return w.err
	}
	if err := w.f.Sync(); err != nil {
		// After a failed fsync the kernel may have dropped the dirty pages:
		// nothing about the tail can be trusted until the file is reopened.
		w.err = fmt.Errorf("wal: sync %s (reopen to recover): %w", w.path, err)
		return w.err
	}
	w.size += int64(len(buf))
	return nil
}

// Size is the log's length in bytes.
func (w *WAL) Size() int64 { return w.size }

// Compact rewrites the log with only the records for which keep is true, in
// order, atomically: a crash leaves either the old log or the new one. The
// consensus driver keeps the records of the current height and above.
func (w *WAL) Compact(keep func(rec []byte) bool) error {
	if w.err != nil {
		return w.err
	}
	if w.f == nil {
		return ErrClosed
	}
	data, err := readAll(w.f)
	if err != nil {
		return fmt.Errorf("wal: read %s: %w", w.path, err)
	}
	recs, end, reason := scan(data[:w.size])
	if reason != "" {
		return &CorruptError{Path: w.path, Offset: end, Next: end, Reason: reason}
	}
	var buf []byte
	for _, r := range recs {
		if keep(r) {
			buf = appendFrame(buf, r)
		}
	}
	tmp := w.path + ".compact"
	f, err := w.fs.Create(tmp)
	if err != nil {
		return fmt.Errorf("wal: compact %s: %w", w.path, err)
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return fmt.Errorf("wal: compact %s: %w", w.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("wal: compact %s: %w", w.path, err)
	}
	if err := w.fs.Rename(tmp, w.path); err != nil {
		f.Close()
		return fmt.Errorf("wal: compact %s: %w", w.path, err)
	}
	if err := w.fs.SyncDir(filepath.Dir(w.path)); err != nil {
		f.Close()
		w.err = fmt.Errorf("wal: compact %s: sync directory (reopen to recover): %w", w.path, err)
		return w.err
	}
	w.f.Close()
	w.f, w.size = f, int64(len(buf))
	return nil
}

// Close closes the file.
func (w *WAL) Close() error {
	if w.f == nil {
		return ErrClosed
	}
	err := w.f.Close()
	w.f = nil
	return err
}
