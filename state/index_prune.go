package state

// Pruning the event indexes (Options.IndexKeep, config [index] keep_blocks).
//
// The address index is keyed by address first, so one block's entries are
// scattered over the keyspace and no range delete can take them. Instead
// each commit deletes, in its own batch, every entry of the oldest kept
// blocks once they fall out of the window, finding their keys again:
//
//   - the events' keys from the block's receipts, which the store keeps
//     (indexRecords over them yields exactly the keys it wrote);
//   - the incentive records' and epoch rows' keys from the block's journal
//     entry ('J' ‖ height), which indexRecords writes for every block with
//     an epoch: the epoch tables are stored nowhere else.
//
// 'M' "indexfloor" is the first height not pruned, written in the same
// batch as the deletions, so a crash leaves floor and entries consistent.
// The work per commit is bounded: at most pruneMaxHeights blocks, and no
// more once pruneBudget keys are deleted (one block is always taken, so a
// floor behind its target — keep_blocks lowered, or set on an old index —
// catches up at least one block per block, more while blocks are small).

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

const (
	pruneMaxHeights = 64     // blocks pruned by one commit at most
	pruneBudget     = 20_000 // keys: no further block once this many are deleted
)

var indexFloorKey = []byte{kStore, 'i', 'n', 'd', 'e', 'x', 'f', 'l', 'o', 'o', 'r'}

func indexLogKey(h uint64) []byte { return heightRecordKey(kIndexLog, h) }

// indexFloor is the first height whose index entries are kept (0: nothing
// was ever pruned).
func (s *Store) indexFloor() uint64 {
	v, err := s.kv.Get(indexFloorKey)
	if err != nil || len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// pruneIndex adds to recs the deletions that bring the index of a store
// whose head becomes height down to the last s.opts.IndexKeep blocks, as
// far as one commit's budget goes, and the new floor.
func (s *Store) pruneIndex(height uint64, recs *blockRecords) error {
	keep := s.opts.IndexKeep
	if keep == 0 || height < keep {
		return nil
	}
	target := height + 1 - keep // the first height kept
	floor := s.indexFloor()
	if floor == 0 {
		// Nothing pruned yet: nothing older than the first indexed block
		// needs deleting (this block, when it is the first).
		floor = height
		if v, err := s.kv.Get(indexFromKey); err == nil && len(v) == 8 {
			floor = binary.BigEndian.Uint64(v)
		}
	}
	if floor >= target {
		return nil
	}
	h, deleted := floor, 0
	for h < target && h-floor < pruneMaxHeights && (h == floor || deleted < pruneBudget) {
		n, err := s.pruneHeight(h, recs)
		if err != nil {
			return fmt.Errorf("state: prune the index of block %d: %w", h, err)
		}
		deleted += n
		h++
	}
	recs.add(indexFloorKey, heightKey(h)[1:])
	return nil
}

// pruneHeight adds the deletion of block h's index entries to recs and
// returns how many keys it deletes.
func (s *Store) pruneHeight(h uint64, recs *blockRecords) (int, error) {
	n := 0
	del := func(k, _ []byte) {
		recs.del(k)
		n++
	}
	hash, err := s.BlockHash(h)
	if err != nil {
		return 0, err
	}
	rs, err := s.Receipts(hash)
	switch {
	case errors.Is(err, ErrNotFound): // genesis keeps no receipts
	case err != nil:
		return 0, err
	default:
		indexRecords(h, rs, nil, del) // no epochs: the events' keys only
	}
	j, err := s.kv.Get(indexLogKey(h))
	if errors.Is(err, pebble.ErrNotFound) {
		return n, nil
	}
	if err != nil {
		return 0, err
	}
	for len(j) > 0 {
		l := int(j[0])
		if l != addrIndexKeyLen && l != epochRowKeyLen || len(j) < 1+l {
			return 0, fmt.Errorf("%w: index journal of block %d", ErrCorrupt, h)
		}
		del(j[1:1+l], nil)
		j = j[1+l:]
	}
	del(indexLogKey(h), nil)
	return n, nil
}

// IndexStats counts the index's keys by keyspace, with the oldest height
// each holds (0 when it holds none). A full scan: for sizing and tests.
type IndexStats struct {
	AddrEntries, EpochRows, Journal        int
	OldestAddr, OldestEpoch, OldestJournal uint64
}

// IndexStats scans the index keyspaces.
func (s *Store) IndexStats() (IndexStats, error) {
	var st IndexStats
	scan := func(p byte, n *int, oldest *uint64, height func(k []byte) (uint64, bool)) error {
		it := s.kv.NewIterator([]byte{p}, nil)
		defer it.Release()
		first := true
		for it.Next() {
			h, ok := height(it.Key())
			if !ok {
				return fmt.Errorf("%w: index key %x", ErrCorrupt, it.Key())
			}
			if first || h < *oldest {
				*oldest, first = h, false
			}
			*n++
		}
		return it.Error()
	}
	inv := func(off, l int) func(k []byte) (uint64, bool) {
		return func(k []byte) (uint64, bool) {
			if len(k) != l {
				return 0, false
			}
			return ^binary.BigEndian.Uint64(k[off:]), true
		}
	}
	return st, errors.Join(
		scan(kAddrIndex, &st.AddrEntries, &st.OldestAddr, inv(21, addrIndexKeyLen)),
		scan(kEpochRows, &st.EpochRows, &st.OldestEpoch, inv(5, epochRowKeyLen)),
		scan(kIndexLog, &st.Journal, &st.OldestJournal, func(k []byte) (uint64, bool) {
			return binary.BigEndian.Uint64(k[1:]), len(k) == 9
		}))
}
