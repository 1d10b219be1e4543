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
//   - the incentive records' and epoch rows' keys from the block's epoch
//     tables, rebuilt: the block receipt's EvEpoch events give each
//     table's netuid and row count (rows are UIDs 0..n-1), the epoch rows
//     under 'U' give each row's hotkey and emission, and the block's
//     journal entry ('J' ‖ height) each row's owner, the one datum kept
//     nowhere else. indexRecords over the rebuilt tables yields the keys.
//
// Journal entry: for each epoch table, in the block's order: count(2) ‖
// owner(20) × count, count 0 when the table had no owners.
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

	"github.com/taonet/taod/types"
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
	if errors.Is(err, ErrNotFound) {
		return 0, nil // genesis keeps no receipts, and has no entries
	}
	if err != nil {
		return 0, err
	}
	tables, err := s.rebuildEpochs(h, rs)
	if err != nil {
		return 0, err
	}
	indexRecords(h, rs, tables, del)
	return n, nil
}

// rebuildEpochs rebuilds block h's epoch tables from the block receipt's
// EvEpoch events, the epoch rows and the journal (see the top of the file).
// A table whose rows are not in the index (a block committed while the
// index was off) is left out: it wrote no entries.
func (s *Store) rebuildEpochs(h uint64, rs []types.Receipt) ([]types.EpochTable, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	var tables []types.EpochTable
	for _, e := range rs[len(rs)-1].Events {
		if e.Kind != types.EvEpoch {
			continue
		}
		if e.Netuid > 0xffff || e.UID > 0x10000 {
			return nil, fmt.Errorf("%w: epoch event of subnet %d with %d UIDs in block %d", ErrCorrupt, e.Netuid, e.UID, h)
		}
		t := types.EpochTable{Netuid: uint16(e.Netuid), Height: h, Rows: make([]types.EpochRow, e.UID)}
		for i := range t.Rows {
			v, err := s.kv.Get(epochRowKey(t.Netuid, uint16(i), h))
			if errors.Is(err, pebble.ErrNotFound) {
				t.Rows = nil
				break
			}
			if err != nil {
				return nil, err
			}
			if len(v) != epochRowLen {
				return nil, fmt.Errorf("%w: epoch row of %d bytes", ErrCorrupt, len(v))
			}
			r := &t.Rows[i]
			r.UID = uint16(i)
			copy(r.Hotkey[:], v[:20])
			r.Incentive = binary.BigEndian.Uint16(v[20:])
			r.Dividends = binary.BigEndian.Uint16(v[22:])
			r.Emission = binary.BigEndian.Uint64(v[24:])
		}
		tables = append(tables, t)
	}
	if len(tables) == 0 {
		return nil, nil
	}
	j, err := s.kv.Get(indexLogKey(h))
	if errors.Is(err, pebble.ErrNotFound) {
		j, err = nil, nil // no owners recorded: hotkeys' entries only
	}
	if err != nil {
		return nil, err
	}
	for i := range tables {
		if len(j) == 0 {
			break
		}
		if len(j) < 2 {
			return nil, fmt.Errorf("%w: index journal of block %d", ErrCorrupt, h)
		}
		c := int(binary.BigEndian.Uint16(j))
		if len(j) < 2+20*c || c != 0 && c != len(tables[i].Rows) && tables[i].Rows != nil {
			return nil, fmt.Errorf("%w: index journal of block %d: %d owners", ErrCorrupt, h, c)
		}
		if c > 0 && tables[i].Rows != nil {
			tables[i].Owners = make([]types.Address, c)
			for k := range c {
				copy(tables[i].Owners[k][:], j[2+20*k:])
			}
		}
		j = j[2+20*c:]
	}
	out := tables[:0]
	for _, t := range tables {
		if t.Rows != nil { // nil: its rows are not in the index
			out = append(out, t)
		}
	}
	return out, nil
}

// ownersJournal is a block's journal entry: each epoch table's owners.
func ownersJournal(epochs []types.EpochTable) []byte {
	size := 0
	for _, t := range epochs {
		size += 2 + 20*len(t.Owners)
	}
	j := make([]byte, 0, size)
	for _, t := range epochs {
		var owners []types.Address
		if len(t.Owners) == len(t.Rows) {
			owners = t.Owners
		}
		j = binary.BigEndian.AppendUint16(j, uint16(len(owners)))
		for _, o := range owners {
			j = append(j, o[:]...)
		}
	}
	return j
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
