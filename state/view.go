package state

import (
	"encoding/binary"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/ethereum/go-ethereum/ethdb"

	"github.com/taonet/taod/types"
)

// View is the committed state at one block, read consistently: every read
// through it sees that block's state, whatever blocks commit meanwhile. It
// is for readers that combine several reads into one answer (an RPC call
// listing a metagraph, a proposal with its tally) while the node commits.
//
// A plain State reads the live flat keys, which a commit rewrites under it;
// a View reads a Pebble snapshot of them instead, and skips the flat-value
// cache (which holds the latest values). Its head is the block whose batch
// the snapshot holds, read from the snapshot itself, so head and state
// always agree.
//
// Close releases the snapshot; every View must be closed, and before the
// store is (Pebble reports open snapshots as leaked).
type View struct {
	head Head
	st   *State
	snap *kvSnapshot
}

// NewView opens a view of the state at the head committed now.
func (s *Store) NewView() (*View, error) {
	// The snapshot cannot fall between a block's batch and its head update
	// (commitBlock holds s.commit across both).
	s.commit.RLock()
	snap, err := s.kv.newSnapshot()
	s.commit.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("state: open a view: %w", err)
	}
	head, err := s.snapshotHead(snap)
	if err != nil {
		snap.Close()
		return nil, err
	}
	root := head.StateRoot
	if root == (types.Hash{}) {
		root = types.EmptyRoot
	}
	st := &State{store: s, base: root, dirty: make(map[string][]byte), snap: snap}
	return &View{head: head, st: st, snap: snap}, nil
}

// snapshotHead returns the head block of the snapshot: the store's head when
// they agree (nearly always), else the block the snapshot names (a commit
// was between its batch and its head update, or finished after the
// snapshot was taken).
func (s *Store) snapshotHead(snap *kvSnapshot) (Head, error) {
	v, ok := readValue(snap, headKey)
	if !ok {
		return Head{}, pebble.ErrClosed
	}
	if len(v) == 0 {
		return Head{}, nil // empty store
	}
	if len(v) != 8 {
		return Head{}, fmt.Errorf("%w: head record has %d bytes", ErrCorrupt, len(v))
	}
	height := binary.BigEndian.Uint64(v)
	if head, _ := s.Head(); head.Height == height && head.Hash != (types.Hash{}) {
		return head, nil
	}
	b, err := s.BlockByHeight(height) // written in the batch the snapshot holds
	if err != nil {
		return Head{}, fmt.Errorf("%w: head block %d of a view: %v", ErrCorrupt, height, err)
	}
	return Head{b.Height(), b.Hash(), b.Header.StateRoot, b.Header.Time}, nil
}

// Head is the block whose state the view reads.
func (v *View) Head() Head { return v.head }

// State reads the view's block. Writes to it stay in it: it is never
// committed.
func (v *View) State() *State { return v.st }

// Close releases the view; later reads panic. Closing twice is harmless.
func (v *View) Close() {
	if v.snap != nil {
		v.snap.Close()
		v.snap = nil
	}
}

// kvSnapshot is a Pebble snapshot with the store's closed check: a view
// still open when the store closes reads as a closed store, not a panic.
type kvSnapshot struct {
	kv *kvStore
	s  *pebble.Snapshot
}

func (kv *kvStore) newSnapshot() (*kvSnapshot, error) {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	if kv.mu.closed {
		return nil, pebble.ErrClosed
	}
	return &kvSnapshot{kv: kv, s: kv.db.NewSnapshot()}, nil
}

// Get returns a copy of key's value in the snapshot.
func (sn *kvSnapshot) Get(key []byte) ([]byte, error) {
	sn.kv.mu.RLock()
	defer sn.kv.mu.RUnlock()
	if sn.kv.mu.closed {
		return nil, pebble.ErrClosed
	}
	return getCopy(sn.s.Get, key)
}

// NewIterator is kvStore.NewIterator over the snapshot.
func (sn *kvSnapshot) NewIterator(prefix, start []byte) ethdb.Iterator {
	sn.kv.mu.RLock()
	defer sn.kv.mu.RUnlock()
	if sn.kv.mu.closed {
		return &kvIterator{err: pebble.ErrClosed}
	}
	return openIterator(sn.s.NewIter, prefix, start)
}

// Close releases the snapshot; after the store has closed there is nothing
// left to release.
func (sn *kvSnapshot) Close() {
	sn.kv.mu.RLock()
	defer sn.kv.mu.RUnlock()
	if !sn.kv.mu.closed {
		sn.s.Close()
	}
}
