package state

import (
	"testing"

	"github.com/taonet/taod/types"
)

// An epoch block's journal entry lists exactly the keys its epoch tables
// made (incentive records under hotkeys and owners, epoch rows), and the
// events' keys are what indexRecords re-derives from the receipts alone:
// together, every key the block wrote, which is what pruning deletes.
func TestIndexJournalListsEpochKeys(t *testing.T) {
	tab, rs := incentiveTable()
	rs[0].Events = []types.Event{{Kind: types.EvTransfer, Addr: addrOf(1, 1), Peer: addrOf(2, 2), Amount: 5}}
	written := map[string]bool{}
	var journal []byte
	entryBytes := 0
	indexRecords(tab.Height, rs, []types.EpochTable{tab}, func(k, v []byte) {
		if string(k) == string(indexLogKey(tab.Height)) {
			journal = v
			return
		}
		written[string(k)] = true
		entryBytes += len(k) + len(v)
	})
	t.Logf("4,096-UID epoch: %d index entries, %d B; journal %d B", len(written), entryBytes, len(journal))
	found := map[string]bool{}
	indexRecords(tab.Height, rs, nil, func(k, _ []byte) { found[string(k)] = true })
	// The transfer under sender and recipient, the three dividends events
	// under their hotkeys.
	events := len(found)
	if events != 5 {
		t.Fatalf("%d keys re-derived from the receipts, want 5", events)
	}
	for len(journal) > 0 {
		l := int(journal[0])
		if l != addrIndexKeyLen && l != epochRowKeyLen || len(journal) < 1+l {
			t.Fatalf("journal entry of %d bytes", l)
		}
		found[string(journal[1:1+l])] = true
		journal = journal[1+l:]
	}
	if len(found) != len(written) {
		t.Fatalf("journal and receipts find %d keys (%d from events), the block wrote %d", len(found), events, len(written))
	}
	for k := range written {
		if !found[k] {
			t.Fatalf("key %x written but not found again", k)
		}
	}
	if len(written)-events < 2*4096 {
		t.Fatalf("only %d epoch-derived keys for a 4,096-UID table", len(written)-events)
	}
}
