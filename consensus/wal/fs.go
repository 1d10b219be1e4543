package wal

import (
	"io"
	"os"
	"slices"
)

// FS is the little of a filesystem the WAL needs. It is an interface so that
// tests and the simulator can fail, tear and lose writes (MemFS).
type FS interface {
	// OpenFile opens name for reading and appending, creating it if missing.
	OpenFile(name string) (File, error)
	// Create creates or truncates name, for reading and appending.
	Create(name string) (File, error)
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// SyncDir makes dir's entries (created and renamed files) durable.
	SyncDir(dir string) error
}

// File is an open file. Writes append.
type File interface {
	io.ReaderAt
	io.Writer
	Size() (int64, error)
	Truncate(size int64) error
	Sync() error
	Close() error
}

// OS returns the operating system's filesystem.
func OS() FS { return osFS{} }

type osFS struct{}

type osFile struct{ *os.File }

func (osFS) OpenFile(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

func (f osFile) Size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// MemFS is an in-memory FS that models durability: bytes written reach the
// file at once but survive Crash only once synced. Its hooks inject faults:
// a failed or short write (a torn record) and a failed fsync. It is not safe
// for concurrent use.
type MemFS struct {
	files map[string]*memFile // lookups only; Crash sorts the names

	// FailWrite, when set, is called before each write. When it returns an
	// error, only the first n bytes of p reach the file and the write fails.
	FailWrite func(name string, p []byte) (n int, err error)
	// FailSync, when set, is called before each file sync; an error fails it.
	FailSync func(name string) error
}

type memFile struct {
	data   []byte // what reads see
	synced []byte // what survives a crash
}

// NewMemFS returns an empty in-memory filesystem.
func NewMemFS() *MemFS { return &MemFS{files: make(map[string]*memFile)} }

// OpenFile implements FS.
func (fs *MemFS) OpenFile(name string) (File, error) {
	f := fs.files[name]
	if f == nil {
		f = &memFile{}
		fs.files[name] = f
	}
	return &memHandle{fs: fs, name: name, f: f}, nil
}

// Create implements FS.
func (fs *MemFS) Create(name string) (File, error) {
	f := &memFile{}
	fs.files[name] = f
	return &memHandle{fs: fs, name: name, f: f}, nil
}

// Rename implements FS. MemFS makes renames durable at once.
func (fs *MemFS) Rename(oldname, newname string) error {
	f := fs.files[oldname]
	if f == nil {
		return &os.PathError{Op: "rename", Path: oldname, Err: os.ErrNotExist}
	}
	delete(fs.files, oldname)
	fs.files[newname] = f
	return nil
}

// SyncDir implements FS.
func (fs *MemFS) SyncDir(string) error { return nil }

// ReadFile returns a copy of name's current content.
func (fs *MemFS) ReadFile(name string) []byte {
	if f := fs.files[name]; f != nil {
		return slices.Clone(f.data)
	}
	return nil
}

// WriteFile replaces name's content, durably (for tests that damage files).
func (fs *MemFS) WriteFile(name string, data []byte) {
	fs.files[name] = &memFile{data: slices.Clone(data), synced: slices.Clone(data)}
}

// Crash models a power loss: every file falls back to its synced content plus,
// where the current content extends it, the first keep(name, unsynced) of the
// unsynced bytes (a torn write). A nil keep loses all unsynced bytes. Open
// handles must not be used afterwards.
func (fs *MemFS) Crash(keep func(name string, unsynced int) int) {
	names := make([]string, 0, len(fs.files))
	for n := range fs.files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := fs.files[n]
		extra := 0
		if keep != nil && len(f.data) > len(f.synced) && string(f.data[:len(f.synced)]) == string(f.synced) {
			extra = min(max(keep(n, len(f.data)-len(f.synced)), 0), len(f.data)-len(f.synced))
		}
		f.data = slices.Clone(f.data[:len(f.synced)+extra])
		f.synced = slices.Clone(f.data)
	}
}

type memHandle struct {
	fs     *MemFS
	name   string
	f      *memFile
	closed bool
}

func (h *memHandle) ReadAt(p []byte, off int64) (int, error) {
	if h.closed {
		return 0, os.ErrClosed
	}
	if off >= int64(len(h.f.data)) {
		return 0, io.EOF
	}
	n := copy(p, h.f.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *memHandle) Write(p []byte) (int, error) {
	if h.closed {
		return 0, os.ErrClosed
	}
	if h.fs.FailWrite != nil {
		if n, err := h.fs.FailWrite(h.name, p); err != nil {
			n = min(max(n, 0), len(p))
			h.f.data = append(h.f.data, p[:n]...)
			return n, err
		}
	}
	h.f.data = append(h.f.data, p...)
	return len(p), nil
}

func (h *memHandle) Size() (int64, error) { return int64(len(h.f.data)), nil }

func (h *memHandle) Truncate(size int64) error {
	if size < int64(len(h.f.data)) {
		h.f.data = h.f.data[:size:size]
	}
	return nil
}

func (h *memHandle) Sync() error {
	if h.closed {
		return os.ErrClosed
	}
	if h.fs.FailSync != nil {
		if err := h.fs.FailSync(h.name); err != nil {
			return err
		}
	}
	h.f.synced = slices.Clone(h.f.data)
	return nil
}

func (h *memHandle) Close() error {
	h.closed = true
	return nil
}
