package chain

import (
	"crypto/ecdsa"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// pruneChain is a chain on a store that keeps the index of the last keep
// blocks (0: all), with its senders' next nonces.
type pruneChain struct {
	t     *testing.T
	c     *Chain
	s     *state.Store
	nonce map[types.Address]uint64
}

func openPruneChain(t *testing.T, dir string, keep uint64) *pruneChain {
	t.Helper()
	c, s := openChainWith(t, dir, state.Options{CacheMB: 8, TrieCache: 4, Index: true, IndexKeep: keep})
	p := &pruneChain{t: t, c: c, s: s, nonce: map[types.Address]uint64{}}
	for i := range 4 {
		a := devkeys.Address(i)
		p.nonce[a] = c.State().Account(a).Nonce
	}
	return p
}

func (p *pruneChain) call(k *ecdsa.PrivateKey, call types.Call) *types.Tx {
	p.t.Helper()
	a := crypto.PubkeyToAddress(k.PublicKey)
	tx, err := SignPayingMinFee(p.c.Params(), types.TxData{ChainID: p.c.ChainID(), Nonce: p.nonce[a], Call: call}, k)
	if err != nil {
		p.t.Fatal(err)
	}
	p.nonce[a]++
	return tx
}

// blocks produces n blocks of one transfer each to the recipient.
func (p *pruneChain) blocks(n int) {
	p.t.Helper()
	for range n {
		e, _ := produce(p.t, p.c, p.call(devkeys.Key(3), &types.Transfer{To: pruneRecipient, Amount: 1}))
		if e.Receipts[0].Status != types.ReceiptSuccess {
			p.t.Fatalf("block %d: %s", e.Block.Height(), e.Receipts[0].Error)
		}
	}
}

func (p *pruneChain) head() uint64 { h, _ := p.s.Head(); return h.Height }

func (p *pruneChain) from() uint64 {
	from, on := p.s.Indexing()
	if !on {
		p.t.Fatal("index off")
	}
	return from
}

// history pages through a's whole history, limit entries a page.
func (p *pruneChain) history(a types.Address, limit int) []state.AccountEntry {
	p.t.Helper()
	var all []state.AccountEntry
	var cur *state.EventRef
	for {
		page, next, err := p.s.AccountEvents(a, cur, limit)
		if err != nil {
			p.t.Fatal(err)
		}
		all = append(all, page...)
		if next == nil {
			return all
		}
		cur = next
	}
}

// receiptHistory is a's history as the receipts hold it (events naming a,
// newest first) at heights from..head: what the index must answer.
func (p *pruneChain) receiptHistory(a types.Address, from uint64) []state.EventRef {
	p.t.Helper()
	var out []state.EventRef
	for h := p.head(); h >= max(from, 1); h-- {
		hash, _ := p.s.BlockHash(h)
		rs, err := p.s.Receipts(hash)
		if err != nil {
			p.t.Fatal(err)
		}
		for ri := len(rs) - 1; ri >= 0; ri-- {
			for ei := len(rs[ri].Events) - 1; ei >= 0; ei-- {
				if e := rs[ri].Events[ei]; e.Addr == a || e.Peer == a {
					out = append(out, state.EventRef{Height: h, Receipt: uint32(ri), Event: uint32(ei)})
				}
			}
		}
	}
	return out
}

// epochHeights are the heights ≥ from whose block receipt reports an epoch
// of netuid 1, newest first.
func (p *pruneChain) epochHeights(from uint64) []uint64 {
	var out []uint64
	for h := p.head(); h >= max(from, 1); h-- {
		hash, _ := p.s.BlockHash(h)
		rs, _ := p.s.Receipts(hash)
		for _, e := range rs[len(rs)-1].Events {
			if e.Kind == types.EvEpoch && e.Netuid == 1 {
				out = append(out, h)
			}
		}
	}
	return out
}

var (
	pruneRecipient = devkeys.Address(50)
	pruneMiner     = devkeys.Address(30)
)

// check asserts the index holds exactly the window [from, head]: no key
// older, the recipient's history (paged 7 at a time) equal to the one the
// receipts give for the window, and the miner's epoch rows those of the
// window's epochs.
func (p *pruneChain) check(wantFrom uint64) {
	p.t.Helper()
	if got := p.from(); got != wantFrom {
		p.t.Fatalf("head %d: index from %d, want %d", p.head(), got, wantFrom)
	}
	st, err := p.s.IndexStats()
	if err != nil {
		p.t.Fatal(err)
	}
	if st.OldestAddr < wantFrom || st.EpochRows > 0 && st.OldestEpoch < wantFrom || st.Journal > 0 && st.OldestJournal < wantFrom {
		p.t.Fatalf("head %d, from %d: keys older than the floor remain: %+v", p.head(), wantFrom, st)
	}
	want := p.receiptHistory(pruneRecipient, wantFrom)
	got := p.history(pruneRecipient, 7)
	if len(got) != len(want) {
		p.t.Fatalf("head %d: %d history entries, receipts give %d from %d", p.head(), len(got), len(want), wantFrom)
	}
	for i := range want {
		if got[i].Ref != want[i] || got[i].Incentive != nil {
			p.t.Fatalf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	epochs := p.epochHeights(wantFrom)
	rows, err := p.s.EpochHistory(1, 0, ^uint64(0), 1000)
	if err != nil {
		p.t.Fatal(err)
	}
	if len(rows) != len(epochs) || st.EpochRows != len(epochs) || st.Journal != len(epochs) {
		p.t.Fatalf("head %d: %d epoch rows read, %d kept, %d journal entries; %d epochs since %d", p.head(), len(rows), st.EpochRows, st.Journal, len(epochs), wantFrom)
	}
	for i, r := range rows {
		if r.Height != epochs[i] || r.Hotkey != pruneMiner {
			p.t.Fatalf("epoch row %d: %+v, want height %d", i, r, epochs[i])
		}
	}
}

// A chain of a few hundred blocks with keep_blocks = 40: every commit
// prunes the block that left the window, and the index holds the window
// exactly; the floor survives a restart; keep_blocks raised keeps the
// floor (nothing returns), set to 0 stops pruning, lowered catches up a
// bounded number of blocks per commit.
func TestIndexPruneKeepsTheWindow(t *testing.T) {
	dir := t.TempDir()
	p := openPruneChain(t, dir, 40)
	produce(t, p.c, p.call(devkeys.Key(1), &types.RegisterNetwork{Name: "prune"}))
	produce(t, p.c, p.call(devkeys.Key(2), &types.BurnedRegister{Netuid: 1, Hotkey: pruneMiner}))
	p.blocks(20)
	p.check(0) // 22 blocks: nothing pruned yet
	if len(p.epochHeights(0)) == 0 {
		t.Fatal("no epoch in 22 blocks: the test would not exercise the journal")
	}
	p.blocks(278)
	p.check(p.head() + 1 - 40)
	st, _ := p.s.IndexStats()
	t.Logf("head 300, keep 40: %+v, %d epochs kept", st, len(p.epochHeights(p.from())))
	if p.head() != 300 {
		t.Fatalf("head %d", p.head())
	}

	// A page taken before the floor passes it ends at the floor: the
	// entries still kept, then no next page.
	old := p.history(pruneRecipient, 1000)
	cur := old[len(old)-3].Ref // three entries above the floor
	p.blocks(1)                // the floor moves one block up
	page, next, err := p.s.AccountEvents(pruneRecipient, &cur, 100)
	if err != nil || next != nil {
		t.Fatalf("page across the floor: next %v, err %v", next, err)
	}
	for _, e := range page {
		if e.Ref.Height < p.from() {
			t.Fatalf("entry %+v below the floor %d", e.Ref, p.from())
		}
	}
	if len(page) == 0 || len(page) >= 3 {
		t.Fatalf("page across the floor: %d entries, want 1-2 (the floor block's went)", len(page))
	}

	// Restart with the same window: the floor is where it was.
	floor := p.from()
	p.s.Close()
	p = openPruneChain(t, dir, 40)
	if p.from() != floor {
		t.Fatalf("after restart: from %d, want %d", p.from(), floor)
	}
	p.blocks(5)
	p.check(floor + 5)

	// Raised: nothing is pruned until the window reaches the floor, and
	// nothing pruned comes back.
	floor = p.from()
	p.s.Close()
	p = openPruneChain(t, dir, 60)
	p.blocks(10)
	p.check(floor)
	p.blocks(15) // head+1-60 passes the old floor
	p.check(p.head() + 1 - 60)

	// 0: no more pruning; the floor stays reported.
	floor = p.from()
	p.s.Close()
	p = openPruneChain(t, dir, 0)
	p.blocks(30)
	p.check(floor)

	// Lowered from 90 blocks to 10: the floor catches up, at most 64
	// blocks per commit (these blocks are small: the key budget is not
	// reached), then follows the head.
	floor = p.from()
	p.s.Close()
	p = openPruneChain(t, dir, 10)
	p.blocks(1)
	p.check(floor + 64)
	p.blocks(1)
	p.check(p.head() + 1 - 10)
	p.blocks(3)
	p.check(p.head() + 1 - 10)
	p.s.Close()
}
