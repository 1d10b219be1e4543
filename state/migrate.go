package state

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/cockroachdb/pebble/v2"

	"github.com/taonet/taod/types"
)

// ErrFormat reports a store whose layout this build cannot use as it is.
var ErrFormat = errors.New("state: unsupported store format")

// migrateBatchBytes bounds one batch of the migration: small enough that
// an interrupted run loses little, large enough that a big store is not
// written a few nodes at a time.
const migrateBatchBytes = 8 << 20

// infoLogger is a Logger that also takes progress messages
// (*zap.SugaredLogger is one).
type infoLogger interface {
	Infof(format string, args ...any)
}

func (s *Store) infof(format string, args ...any) {
	switch l := s.opts.Logger.(type) {
	case infoLogger:
		l.Infof(format, args...)
	case nil:
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	default:
		l.Debugf(format, args...)
	}
}

// checkFormat brings the store to storeFormat, or refuses to open it.
//
// A store without a format record is format 0: it was written before trie
// nodes had a keyspace of their own, and holds them under their bare
// 32-byte hash. Those are moved under 'n'. Telling them apart from every
// other key is sound: a trie node is exactly a 32-byte key whose value
// hashes (keccak256) to the key, and no other keyspace can hold such a key
// without a keccak preimage (format 0's other 32-byte keys are 's' or 'X'
// plus a 31-byte name, whose values are state values and metadata).
//
// The move is idempotent and safe to interrupt: each batch moves whole
// nodes (put under 'n' and delete the bare key, atomically), and the
// format record is written, synced, only after the last batch, so a store
// interrupted midway is still format 0 and the next Open resumes the scan.
// A node is found under one of its two keys at every moment, and nothing
// reads the trie until Open returns.
func (s *Store) checkFormat() error {
	v, err := s.kv.Get(formatKey)
	switch {
	case err == nil:
		if len(v) != 1 {
			return fmt.Errorf("%w: format record has %d bytes", ErrCorrupt, len(v))
		}
		if v[0] > storeFormat {
			return fmt.Errorf("%w: the store is format %d, this taod reads format %d: upgrade taod", ErrFormat, v[0], storeFormat)
		}
		if v[0] == storeFormat {
			return nil
		}
	case !errors.Is(err, pebble.ErrNotFound):
		return fmt.Errorf("state: read store format: %w", err)
	}
	if s.opts.ReadOnly {
		if _, err := s.kv.Get(headKey); errors.Is(err, pebble.ErrNotFound) {
			return nil // an empty store: nothing to read either way
		}
		return fmt.Errorf("%w: the store is format 0 (trie nodes without a keyspace): open it once read-write (e.g. taod start) to migrate it to format %d", ErrFormat, storeFormat)
	}
	return s.migrateNodes()
}

// migrateNodes moves format 0's bare-hash trie nodes under 'n', then writes
// the format record.
func (s *Store) migrateNodes() error {
	it := s.kv.NewIterator(nil, nil) // a consistent view: the batches below do not disturb it
	defer it.Release()
	var (
		scanned, moved int
		batch          = s.kv.newBatch(migrateBatchBytes)
		size           int
	)
	flush := func() error {
		if err := batch.Write(false); err != nil {
			return fmt.Errorf("state: migrate trie nodes: %w", err)
		}
		s.infof("state: migrating the store to format %d: %d trie nodes moved, %d keys scanned", storeFormat, moved, scanned)
		batch, size = s.kv.newBatch(migrateBatchBytes), 0
		return nil
	}
	for it.Next() {
		if scanned++; scanned%(1<<20) == 0 {
			s.infof("state: migrating the store to format %d: %d keys scanned, %d trie nodes found", storeFormat, scanned, moved)
		}
		k := it.Key()
		if len(k) != len(types.Hash{}) {
			continue
		}
		if h := types.Keccak256(it.Value()); !bytes.Equal(h[:], k) {
			continue
		}
		// The batch copies what it is given: the iterator's buffers may be reused.
		batch.Put(nodeKey(types.Hash(k)), it.Value())
		batch.Delete(k)
		moved++
		if size += 2*len(k) + len(it.Value()); size >= migrateBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := it.Error(); err != nil {
		batch.b.Close()
		return fmt.Errorf("state: migrate trie nodes: scan: %w", err)
	}
	batch.Put(formatKey, []byte{storeFormat})
	if err := batch.Write(true); err != nil {
		return fmt.Errorf("state: migrate trie nodes: write format: %w", err)
	}
	if moved > 0 {
		s.infof("state: store migrated to format %d: %d trie nodes moved under their own keyspace (%d keys scanned)", storeFormat, moved, scanned)
	}
	return nil
}
