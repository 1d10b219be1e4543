package state

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/types"
)

// Pruning an epoch block (storeEpochBlock) finds again every key its
// commit wrote, none twice: the events' from the receipts, the incentive
// records' and epoch rows' from the tables rebuilt out of the epoch rows
// and the journal's owners.
func TestPruneFindsEveryKeyOfAnEpochBlock(t *testing.T) {
	s, h, written := storeEpochBlock(t)
	var recs blockRecords
	n, err := s.pruneHeight(h, &recs)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, k := range recs.dels {
		if found[string(k)] {
			t.Fatalf("key %x deleted twice", k)
		}
		found[string(k)] = true
	}
	if n != len(recs.dels) || len(found) != len(written) {
		t.Fatalf("pruning finds %d keys (%d counted), the block wrote %d", len(found), n, len(written))
	}
	for k := range written {
		if !found[k] {
			t.Fatalf("key %x written but not found again", k)
		}
	}
	if st, _ := s.IndexStats(); st.EpochRows != 4098 || st.Journal != 1 || st.AddrEntries < 2*4096 {
		t.Fatalf("the block wrote %+v", st)
	}
}

// BenchmarkPruneEpochBlock: finding the keys of a block with a 4,096-UID
// epoch again (4,098 epoch rows read, 12,294 keys).
func BenchmarkPruneEpochBlock(b *testing.B) {
	s, h, _ := storeEpochBlock(b)
	for b.Loop() {
		var recs blockRecords
		if _, err := s.pruneHeight(h, &recs); err != nil {
			b.Fatal(err)
		}
	}
}

// storeEpochBlock opens an in-memory store holding one indexed block: a
// transfer, a 4,096-UID epoch with dividends, owners, a self-owned hotkey,
// a row without owner and a row paid nothing, and a second, 2-UID table
// after it, whose incentive ranks follow the first's. It returns the
// block's height and the keys its commit wrote.
func storeEpochBlock(t testing.TB) (*Store, uint64, map[string]bool) {
	s, err := Open("", Options{FS: vfs.NewMem(), Index: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tab, rs := incentiveTable()
	small := types.EpochTable{Netuid: 9, Height: tab.Height, Rows: []types.EpochRow{
		{UID: 0, Hotkey: addrOf(0xdd, 0), Emission: 7}, {UID: 1, Hotkey: addrOf(0xdd, 1), Emission: 9},
	}, Owners: []types.Address{addrOf(0xee, 0), addrOf(0xee, 1)}}
	epochs := []types.EpochTable{tab, small}
	rs[0].Events = []types.Event{{Kind: types.EvTransfer, Addr: addrOf(1, 1), Peer: addrOf(2, 2), Amount: 5}}
	block := &rs[len(rs)-1]
	for _, e := range epochs {
		block.Events = append(block.Events, types.Event{Kind: types.EvEpoch, Netuid: uint64(e.Netuid), UID: uint64(len(e.Rows))})
	}
	h := tab.Height
	hash := types.Hash{0xab}
	enc, err := rlp.EncodeToBytes(rs)
	if err != nil {
		t.Fatal(err)
	}
	b := s.kv.newBatch(0)
	b.Put(heightKey(h), hash[:])
	b.Put(prefixed(kReceipts, hash), enc)
	written := map[string]bool{}
	var entryBytes, journalBytes int
	indexRecords(h, rs, epochs, func(k, v []byte) {
		b.Put(k, v)
		written[string(k)] = true
		if k[0] == kIndexLog {
			journalBytes += len(v)
		} else {
			entryBytes += len(k) + len(v)
		}
	})
	if err := b.Write(false); err != nil {
		t.Fatal(err)
	}
	t.Logf("4,096 + 2 UIDs: %d keys, entries %d B, journal %d B", len(written), entryBytes, journalBytes)
	return s, h, written
}
