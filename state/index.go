package state

// The event indexes: node-local (outside every root), written in the same
// batch as the block they index when Options.Index is set, so a crash
// leaves the index exactly as complete as the chain. They are read by the
// node's API only.
//
//	'A' ‖ address(20) ‖ ^height(8) ‖ ^receipt(4) ‖ ^event(4)   → nil: an event
//	                                                              → Incentive (33 bytes)
//	'U' ‖ netuid(2) ‖ uid(2) ‖ ^height(8)                       → EpochRow (32 bytes)
//	'J' ‖ height(8)                                               → its epoch rows' owners (index_prune.go)
//	'M' "indexfrom"                                               → first indexed height (8)
//	'M' "indexfloor"                                              → first unpruned height (8)
//
// Heights and positions are stored inverted (^x) so a forward scan meets
// the newest first: a page's cursor is the next key, and blocks committed
// after it sort before it, so paging is stable while the chain grows.
//
// A miner's incentive has no event (it is in the epoch's table only), so
// the index records it itself: for each epoch row paid incentive, one
// entry under the hotkey and one under its owner (the same position),
// whose value is the record. Its position is receipt = the block's
// receipt count (one past the block receipt: after every event of the
// block) and event = the record's rank among the block's incentive
// records (tables in order, rows in UID order). Value: role(1: 0 the
// hotkey's entry, 1 the owner's) ‖ netuid(2) ‖ uid(2) ‖ amount(8) ‖ the
// other address(20). Amount = the row's emission less the dividends the
// block receipt reports for that UID (they have their own reward event).

import (
	"encoding/binary"
	"fmt"

	"github.com/taonet/taod/types"
)

const (
	kAddrIndex = 'A'
	kEpochRows = 'U'

	addrIndexKeyLen = 1 + 20 + 16
	epochRowKeyLen  = 1 + 2 + 2 + 8
	epochRowLen     = 20 + 2 + 2 + 8
	incentiveLen    = 1 + 2 + 2 + 8 + 20
)

// Incentive is a miner's incentive of one epoch as the index keeps it.
type Incentive struct {
	Netuid uint16
	UID    uint16
	Hotkey types.Address
	Owner  types.Address // zero when the hotkey had no owner at commit
	Amount uint64        // rao
}

// AccountEntry is one entry of an account's history: an event of a
// receipt at Ref, or (Incentive set) an incentive record the index made.
type AccountEntry struct {
	Ref       EventRef
	Incentive *Incentive
}

var indexFromKey = []byte{kStore, 'i', 'n', 'd', 'e', 'x', 'f', 'r', 'o', 'm'}

// EventRef locates one event: the block height, the receipt's index in the
// block's list (the block receipt is the last) and the event's in the receipt.
type EventRef struct {
	Height  uint64
	Receipt uint32
	Event   uint32
}

func addrIndexKey(a types.Address, r EventRef) []byte {
	k := make([]byte, addrIndexKeyLen)
	k[0] = kAddrIndex
	copy(k[1:21], a[:])
	binary.BigEndian.PutUint64(k[21:], ^r.Height)
	binary.BigEndian.PutUint32(k[29:], ^r.Receipt)
	binary.BigEndian.PutUint32(k[33:], ^r.Event)
	return k
}

func epochRowKey(netuid, uid uint16, height uint64) []byte {
	k := make([]byte, epochRowKeyLen)
	k[0] = kEpochRows
	binary.BigEndian.PutUint16(k[1:], netuid)
	binary.BigEndian.PutUint16(k[3:], uid)
	binary.BigEndian.PutUint64(k[5:], ^height)
	return k
}

// indexRecords adds the index entries of a block: each event under its
// address and its peer (once when they are the same), each epoch row, and
// each UID's incentive under its hotkey and owner.
//
// Blocks with an epoch also get a journal entry: the one datum of the
// epoch tables the index keeps nowhere else, each row's owner, so pruning
// (index_prune.go) can rebuild the tables from the epoch rows and find
// every key again. The events' keys need none: the receipts re-derive them.
func indexRecords(height uint64, receipts []types.Receipt, epochs []types.EpochTable, add func(k, v []byte)) {
	indexIncentives(height, receipts, epochs, add)
	for ri := range receipts {
		for ei, ev := range receipts[ri].Events {
			ref := EventRef{height, uint32(ri), uint32(ei)}
			if ev.Addr != (types.Address{}) {
				add(addrIndexKey(ev.Addr, ref), nil)
			}
			if ev.Peer != (types.Address{}) && ev.Peer != ev.Addr {
				add(addrIndexKey(ev.Peer, ref), nil)
			}
		}
	}
	for _, t := range epochs {
		for _, r := range t.Rows {
			v := make([]byte, epochRowLen)
			copy(v, r.Hotkey[:])
			binary.BigEndian.PutUint16(v[20:], r.Incentive)
			binary.BigEndian.PutUint16(v[22:], r.Dividends)
			binary.BigEndian.PutUint64(v[24:], r.Emission)
			add(epochRowKey(t.Netuid, r.UID, t.Height), v)
		}
	}
	if len(epochs) > 0 {
		add(indexLogKey(height), ownersJournal(epochs))
	}
}

// indexIncentives adds the incentive records of a block's epochs (see the
// layout above). A row's incentive is its emission less the dividends the
// block receipt reports for it; rows left with nothing get no record.
func indexIncentives(height uint64, receipts []types.Receipt, epochs []types.EpochTable, add func(k, v []byte)) {
	if len(epochs) == 0 || len(receipts) == 0 {
		return
	}
	type nu struct{ netuid, uid uint64 }
	var divs map[nu]uint64
	for _, e := range receipts[len(receipts)-1].Events {
		if e.Kind == types.EvReward && e.Ref == types.RewardDividends {
			if divs == nil {
				divs = make(map[nu]uint64)
			}
			divs[nu{e.Netuid, e.UID}] += e.Amount
		}
	}
	ref := EventRef{Height: height, Receipt: uint32(len(receipts))}
	for _, t := range epochs {
		for i, r := range t.Rows {
			d := divs[nu{uint64(t.Netuid), uint64(r.UID)}]
			if r.Emission <= d {
				continue
			}
			var owner types.Address
			if len(t.Owners) == len(t.Rows) {
				owner = t.Owners[i]
			}
			add(addrIndexKey(r.Hotkey, ref), incentiveValue(0, t.Netuid, r.UID, r.Emission-d, owner))
			if owner != (types.Address{}) && owner != r.Hotkey {
				add(addrIndexKey(owner, ref), incentiveValue(1, t.Netuid, r.UID, r.Emission-d, r.Hotkey))
			}
			ref.Event++
		}
	}
}

func incentiveValue(role byte, netuid, uid uint16, amount uint64, other types.Address) []byte {
	v := make([]byte, incentiveLen)
	v[0] = role
	binary.BigEndian.PutUint16(v[1:], netuid)
	binary.BigEndian.PutUint16(v[3:], uid)
	binary.BigEndian.PutUint64(v[5:], amount)
	copy(v[13:], other[:])
	return v
}

func decodeIncentive(addr types.Address, v []byte) (*Incentive, error) {
	if len(v) != incentiveLen || v[0] > 1 {
		return nil, fmt.Errorf("%w: incentive record of %d bytes", ErrCorrupt, len(v))
	}
	in := &Incentive{Netuid: binary.BigEndian.Uint16(v[1:]), UID: binary.BigEndian.Uint16(v[3:]), Amount: binary.BigEndian.Uint64(v[5:])}
	var other types.Address
	copy(other[:], v[13:])
	if v[0] == 0 {
		in.Hotkey, in.Owner = addr, other
	} else {
		in.Hotkey, in.Owner = other, addr
	}
	return in, nil
}

// Indexing reports whether this store indexes events, and from which
// height: blocks committed before indexing was switched on are not in it,
// nor those pruned ([index] keep_blocks, index_prune.go). Every block from
// `from` on has all its entries.
func (s *Store) Indexing() (from uint64, on bool) {
	if !s.opts.Index {
		return 0, false
	}
	v, err := s.kv.Get(indexFromKey)
	if err != nil || len(v) != 8 {
		h, _ := s.Head()
		return h.Height + 1, true // the next block is the first indexed
	}
	return max(binary.BigEndian.Uint64(v), s.indexFloor()), true
}

// ErrNoIndex reports a read of an index the store does not keep.
var ErrNoIndex = fmt.Errorf("state: the event index is off (config [index] enabled = false)")

// AccountEvents lists up to limit entries of addr's history (events, and
// the incentive records the index made), newest first, starting at from
// (inclusive; nil: the newest). next is where the following page starts,
// nil when there is none. The history ends at the pruned floor (Indexing's
// from): what is older is gone.
func (s *Store) AccountEvents(addr types.Address, from *EventRef, limit int) (refs []AccountEntry, next *EventRef, err error) {
	if !s.opts.Index {
		return nil, nil, ErrNoIndex
	}
	prefix := make([]byte, 21)
	prefix[0] = kAddrIndex
	copy(prefix[1:], addr[:])
	var start []byte
	if from != nil {
		start = addrIndexKey(addr, *from)[21:]
	}
	it := s.kv.NewIterator(prefix, start)
	defer it.Release()
	// The floor is read after the iterator's snapshot is taken: pruning
	// only moves it up, so the snapshot holds every entry at or above it.
	floor := s.indexFloor()
	for it.Next() {
		k := it.Key()
		if len(k) != addrIndexKeyLen {
			return nil, nil, fmt.Errorf("%w: address index key of %d bytes", ErrCorrupt, len(k))
		}
		r := EventRef{^binary.BigEndian.Uint64(k[21:]), ^binary.BigEndian.Uint32(k[29:]), ^binary.BigEndian.Uint32(k[33:])}
		if r.Height < floor {
			break
		}
		if len(refs) == limit {
			return refs, &r, nil
		}
		e := AccountEntry{Ref: r}
		if v := it.Value(); len(v) > 0 {
			if e.Incentive, err = decodeIncentive(addr, v); err != nil {
				return nil, nil, err
			}
		}
		refs = append(refs, e)
	}
	return refs, nil, it.Error()
}

// EpochRowAt is one UID's row of an epoch at Height.
type EpochRowAt struct {
	Height uint64
	types.EpochRow
}

// EpochHistory lists the epoch rows of (netuid, uid), newest first, at most
// limit of them, at heights ≤ before and at or above the pruned floor.
func (s *Store) EpochHistory(netuid, uid uint16, before uint64, limit int) ([]EpochRowAt, error) {
	if !s.opts.Index {
		return nil, ErrNoIndex
	}
	prefix := epochRowKey(netuid, uid, 0)[:5]
	it := s.kv.NewIterator(prefix, epochRowKey(netuid, uid, before)[5:])
	defer it.Release()
	floor := s.indexFloor() // after the snapshot, as in AccountEvents
	var out []EpochRowAt
	for len(out) < limit && it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != epochRowKeyLen || len(v) != epochRowLen {
			return nil, fmt.Errorf("%w: epoch row of %d/%d bytes", ErrCorrupt, len(k), len(v))
		}
		r := EpochRowAt{Height: ^binary.BigEndian.Uint64(k[5:])}
		if r.Height < floor {
			break
		}
		r.UID = uid
		copy(r.Hotkey[:], v[:20])
		r.Incentive = binary.BigEndian.Uint16(v[20:])
		r.Dividends = binary.BigEndian.Uint16(v[22:])
		r.Emission = binary.BigEndian.Uint64(v[24:])
		out = append(out, r)
	}
	return out, it.Error()
}

// IndexBytes is the logical size of the indexes (keys and values, before
// Pebble's compression): for sizing, and the figure in docs/notes/events.md.
func (s *Store) IndexBytes() (int64, error) {
	var n int64
	for _, p := range []byte{kAddrIndex, kEpochRows, kIndexLog} {
		it := s.kv.NewIterator([]byte{p}, nil)
		for it.Next() {
			n += int64(len(it.Key()) + len(it.Value()))
		}
		err := it.Error()
		it.Release()
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
