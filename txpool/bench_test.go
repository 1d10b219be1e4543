package txpool

import (
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// BenchmarkAdd10kPending2000 admits 10,000 transfers from 1,000 senders (ten
// nonces each, senders recovered beforehand as the gossip validator does) and
// takes a 2,000-tx block's candidates.
func BenchmarkAdd10kPending2000(b *testing.B) {
	const senders, per = 1000, 10
	s, err := state.Open(b.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g, err := chain.Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(senders), 100*types.RaoPerTAO)
	if err != nil {
		b.Fatal(err)
	}
	c, err := chain.New(s, g)
	if err != nil {
		b.Fatal(err)
	}
	txs := make([]*types.Tx, 0, senders*per)
	for i := 0; i < senders; i++ {
		k := devkeys.Key(i)
		for n := uint64(0); n < per; n++ {
			tx, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: n, Fee: types.TransferWeight + 200*types.EthByteGas, Tip: uint64(i % 7),
				Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, k)
			if err != nil {
				b.Fatal(err)
			}
			tx.Sender()
			txs = append(txs, tx)
		}
	}
	cfg := DefaultConfig()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := New(cfg, c)
		for _, tx := range txs {
			if err := p.Add(tx); err != nil {
				b.Fatal(err)
			}
		}
		if got := p.Pending(c.State(), 2000); len(got) != 2000 {
			b.Fatalf("%d pending", len(got))
		}
	}
}

// BenchmarkAddEvicting measures Add into a full queue, each admission
// evicting the cheapest queued tail, with 5,000 other senders pending: the
// victim search scans only the senders eviction may pick from.
func BenchmarkAddEvicting(b *testing.B) {
	const spam, honest, bidders = 1024, 5000, 1000
	s, err := state.Open(b.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g, err := chain.Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(spam+honest+bidders), types.RaoPerTAO)
	if err != nil {
		b.Fatal(err)
	}
	c, err := chain.New(s, g)
	if err != nil {
		b.Fatal(err)
	}
	sign := func(key int, nonce, tip uint64) *types.Tx {
		tx, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: nonce, Fee: types.TransferWeight + 200*types.EthByteGas, Tip: tip,
			Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(key))
		if err != nil {
			b.Fatal(err)
		}
		tx.Sender()
		return tx
	}
	var fill, bids []*types.Tx
	for i := 0; i < spam; i++ {
		fill = append(fill, sign(i, 1, 0))
	}
	for i := spam; i < spam+honest; i++ {
		fill = append(fill, sign(i, 0, 0))
	}
	for i := 0; i < bidders; i++ {
		bids = append(bids, sign(spam+honest+i, 1, uint64(1+i)))
	}
	cfg := DefaultConfig()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := New(cfg, c)
		for _, tx := range fill {
			if err := p.Add(tx); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for _, tx := range bids {
			if err := p.Add(tx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*bidders), "ns/evicting-add")
}

// BenchmarkPending10kSenders takes a 2,000-tx block's candidates from 10,000
// senders with one pending tx each (the nonce reads dominate).
func BenchmarkPending10kSenders(b *testing.B) {
	const senders = 10_000
	s, err := state.Open(b.TempDir(), state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g, err := chain.Preset("test", 1, devkeys.Addresses(1), devkeys.Addresses(senders), types.RaoPerTAO)
	if err != nil {
		b.Fatal(err)
	}
	c, err := chain.New(s, g)
	if err != nil {
		b.Fatal(err)
	}
	p := New(DefaultConfig(), c)
	for i := 0; i < senders; i++ {
		tx, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Fee: types.TransferWeight + 200*types.EthByteGas, Tip: uint64(i % 7),
			Call: &types.Transfer{To: types.Address{9}, Amount: 1}}, devkeys.Key(i))
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Add(tx); err != nil {
			b.Fatal(err)
		}
	}
	st := c.State()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := p.Pending(st, 2000); len(got) != 2000 {
			b.Fatalf("%d pending", len(got))
		}
	}
}
