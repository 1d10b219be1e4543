package txpool

import (
	"crypto/ecdsa"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

const fee = types.TransferWeight + 200*types.EthByteGas // covers the length fee of a ~110-byte transfer

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func smallConfig(clk Clock) Config {
	return Config{
		AccountSlots: 2, AccountQueue: 8, GlobalSlots: 64, GlobalQueue: 32,
		MaxBytes: 1 << 20, LifetimeSec: 3 * 60 * 60, PriceBumpPct: 10, MaxFeeFree: 16, Clock: clk,
	}
}

func mustAdd(t *testing.T, p *Pool, tx *types.Tx) {
	t.Helper()
	if err := p.Add(tx); err != nil {
		t.Fatalf("add nonce %d tip %d: %v", tx.Nonce(), tx.Tip(), err)
	}
}

// commitPending proposes and commits the next block from the pool and
// updates the pool with it.
func commitPending(t *testing.T, p *Pool, c *chain.Chain) *types.Block {
	t.Helper()
	head, _ := c.Store().Head()
	e, rej, err := c.Propose(chain.Proposal{Time: head.Time + 1}, p.Pending(c.State(), 100))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(e, nil); err != nil {
		t.Fatal(err)
	}
	p.Update(c.State(), e.Block, rej)
	return e.Block
}

func checkCounts(t *testing.T, p *Pool, pending, queued int) {
	t.Helper()
	gp, gq, gb := p.Stats()
	sum := 0
	p.mu.Lock()
	for _, e := range p.mu.all {
		sum += e.tx.MemSize()
	}
	p.mu.Unlock()
	if gp != pending || gq != queued || gb != sum {
		t.Fatalf("pending %d queued %d bytes %d, want %d %d %d", gp, gq, gb, pending, queued, sum)
	}
}

func included(b *types.Block, tx *types.Tx) bool {
	for _, x := range b.Txs {
		if x.Hash() == tx.Hash() {
			return true
		}
	}
	return false
}

// Weakness 4: a spammer with ~1 TAO spread over accounts fills the pool with
// gapped txs (paying a high tip, never spending a rao: gapped txs never run).
// The old pool (one count for all txs) then refused every new sender. Now
// gapped txs only compete for the queue, an honest executable tx is admitted
// and included, and the spam stays out of blocks.
func TestGappedSpamDoesNotBlockHonestSender(t *testing.T) {
	spammers := make([]*ecdsa.PrivateKey, 8)
	p, c := testPoolGenesis(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}), func(g *chain.Genesis) {
		for i := range spammers {
			spammers[i] = devkeys.Key(100 + i)
			g.Alloc = append(g.Alloc, chain.Alloc{Address: devkeys.Address(100 + i), Balance: types.RaoPerTAO / 8})
		}
	})
	admitted := 0
	for _, k := range spammers {
		for n := uint64(1); n <= 8; n++ {
			if p.Add(ptx(t, c, k, n, fee, 1_000, 1)) == nil {
				admitted++
			}
		}
	}
	if admitted != 32 {
		t.Fatalf("%d gapped spam txs admitted, want the global queue (32)", admitted)
	}
	// More gapped spam at the same tip is refused: it does not outbid.
	if err := p.Add(ptx(t, c, devkeys.Key(1), 5, fee, 1_000, 1)); !errors.Is(err, ErrUnderpriced) {
		t.Fatalf("gapped tx into a full queue: %v", err)
	}
	honest := ptx(t, c, devkeys.Key(2), 0, fee, 0, 10)
	mustAdd(t, p, honest)
	checkCounts(t, p, 1, 32)
	b := commitPending(t, p, c)
	if len(b.Txs) != 1 || !included(b, honest) {
		t.Fatalf("block has %d txs, honest included: %v", len(b.Txs), included(b, honest))
	}
	checkCounts(t, p, 0, 32)
	for i := range spammers {
		if bal := c.State().Account(devkeys.Address(100 + i)).Balance; bal != types.RaoPerTAO/8 {
			t.Fatalf("spammer %d balance %d: the spam cost it something after all", i, bal)
		}
	}
}

// Queued txs expire after the lifetime with no activity from their sender;
// pending ones stay (a block will take them).
func TestQueuedTxsExpire(t *testing.T) {
	clk := &fakeClock{time.Unix(1_000, 0)}
	p, c := testPool(t, smallConfig(clk))
	mustAdd(t, p, ptx(t, c, devkeys.Key(0), 0, fee, 0, 1))
	gapped := ptx(t, c, devkeys.Key(0), 2, fee, 0, 1)
	mustAdd(t, p, gapped)
	other := ptx(t, c, devkeys.Key(1), 3, fee, 0, 1)
	mustAdd(t, p, other)
	checkCounts(t, p, 1, 2)

	clk.t = clk.t.Add(3*time.Hour - time.Second)
	mustAdd(t, p, ptx(t, c, devkeys.Key(1), 5, fee, 0, 1)) // sender 1 is active again
	p.Update(c.State(), &types.Block{}, nil)
	checkCounts(t, p, 1, 3)

	clk.t = clk.t.Add(2 * time.Second) // sender 0 idle for 3 h + 1 s
	p.Update(c.State(), &types.Block{}, nil)
	if _, ok := p.Get(gapped.Hash()); ok {
		t.Fatal("queued tx outlived its lifetime")
	}
	if _, ok := p.Get(other.Hash()); !ok {
		t.Fatal("an active sender's queued tx expired")
	}
	checkCounts(t, p, 1, 2)

	clk.t = clk.t.Add(3 * time.Hour)
	p.Update(c.State(), &types.Block{}, nil)
	checkCounts(t, p, 1, 0)
}

// A full pool evicts the cheapest evictable tx for one that pays a higher
// tip, and refuses one that does not with a clear error. Victims are tails
// (no gap opens) and a sender's first AccountSlots pending txs are safe.
func TestFullPoolEvictsByTip(t *testing.T) {
	cfg := smallConfig(&fakeClock{time.Unix(1_000, 0)})
	cfg.GlobalSlots, cfg.GlobalQueue = 4, 2
	p, c := testPool(t, cfg)
	k0, k1, k2 := devkeys.Key(0), devkeys.Key(1), devkeys.Key(2)
	var a []*types.Tx
	for n := uint64(0); n < 4; n++ {
		a = append(a, ptx(t, c, k0, n, fee, 1, 1))
		mustAdd(t, p, a[n])
	}
	err := p.Add(ptx(t, c, k1, 0, fee, 1, 1))
	if !errors.Is(err, ErrUnderpriced) {
		t.Fatalf("equal tip into a full pool: %v", err)
	}
	t.Log(err)
	mustAdd(t, p, ptx(t, c, k1, 0, fee, 2, 1))
	if _, ok := p.Get(a[3].Hash()); ok {
		t.Fatal("the cheapest tail was not evicted")
	}
	mustAdd(t, p, ptx(t, c, k1, 1, fee, 5, 1))
	if _, ok := p.Get(a[2].Hash()); ok {
		t.Fatal("the next tail was not evicted")
	}
	// Sender 0 is down to its guaranteed two slots: nothing is evictable.
	if err := p.Add(ptx(t, c, k2, 0, fee, 1_000, 1)); !errors.Is(err, ErrPoolFull) {
		t.Fatalf("pool of protected txs: %v", err)
	}
	if got := p.PendingNonce(c.State(), devkeys.Address(0)); got != 2 {
		t.Fatalf("sender 0 pending nonce %d: eviction opened a gap", got)
	}
	checkCounts(t, p, 4, 0)

	// The queue: victims are tails; a queued newcomer must outbid the
	// cheapest tail, an executable one evicts queued txs whatever they pay.
	q5, q6 := ptx(t, c, k2, 5, fee, 1, 1), ptx(t, c, k2, 6, fee, 3, 1)
	mustAdd(t, p, q5)
	mustAdd(t, p, q6)
	if err := p.Add(ptx(t, c, k1, 9, fee, 2, 1)); !errors.Is(err, ErrUnderpriced) {
		t.Fatalf("queued tx under the cheapest queued tail (tip 3): %v", err)
	}
	mustAdd(t, p, ptx(t, c, k1, 9, fee, 4, 1))
	if _, ok := p.Get(q6.Hash()); ok {
		t.Fatal("queued tail not evicted")
	}
	if _, ok := p.Get(q5.Hash()); !ok {
		t.Fatal("a queued tx that is not a tail was evicted")
	}
	checkCounts(t, p, 4, 2)
}

// The pool is bounded in bytes too: an executable tx evicts queued ones to
// fit, a queued one must outbid.
func TestPoolBoundedInBytes(t *testing.T) {
	cfg := smallConfig(&fakeClock{time.Unix(1_000, 0)})
	p, c := testPool(t, cfg)
	probe := ptx(t, c, devkeys.Key(0), 1, fee, 1, 1)
	p.cfg.MaxBytes = 3 * probe.MemSize() // by encoded size (~6 times smaller) all would fit
	q1, q2 := ptx(t, c, devkeys.Key(0), 1, fee, 1, 1), ptx(t, c, devkeys.Key(0), 2, fee, 1, 1)
	q3 := ptx(t, c, devkeys.Key(1), 4, fee, 1, 1)
	for _, tx := range []*types.Tx{q1, q2, q3} {
		mustAdd(t, p, tx)
	}
	if err := p.Add(ptx(t, c, devkeys.Key(2), 4, fee, 1, 1)); !errors.Is(err, ErrUnderpriced) {
		t.Fatalf("queued tx over the byte limit: %v", err)
	}
	mustAdd(t, p, ptx(t, c, devkeys.Key(2), 0, fee, 0, 1))
	if _, _, b := p.Stats(); b > p.cfg.MaxBytes {
		t.Fatalf("%d bytes pooled, limit %d", b, p.cfg.MaxBytes)
	}
	if _, ok := p.Get(q3.Hash()); ok {
		t.Fatal("the newest cheapest queued tail was not the one evicted")
	}
	checkCounts(t, p, 1, 2)
}

// A gap that fills promotes the queued txs, whether it is filled by an Add
// or by a block carrying the missing nonce.
func TestGapFillPromotes(t *testing.T) {
	p, c := testPool(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}))
	k0 := devkeys.Key(0)
	t1, t2, t0 := ptx(t, c, k0, 1, fee, 0, 1), ptx(t, c, k0, 2, fee, 0, 1), ptx(t, c, k0, 0, fee, 0, 1)
	mustAdd(t, p, t1)
	mustAdd(t, p, t2)
	checkCounts(t, p, 0, 2)
	if got := p.Pending(c.State(), 10); len(got) != 0 {
		t.Fatalf("%d gapped txs pending", len(got))
	}
	mustAdd(t, p, t0)
	checkCounts(t, p, 3, 0)
	if got := p.Pending(c.State(), 10); len(got) != 3 {
		t.Fatalf("%d pending after the gap filled", len(got))
	}

	// Sender 1's nonce 0 reaches a block through another node's pool.
	k1 := devkeys.Key(1)
	u1 := ptx(t, c, k1, 1, fee, 0, 1)
	mustAdd(t, p, u1)
	head, _ := c.Store().Head()
	e, _, err := c.Propose(chain.Proposal{Time: head.Time + 1}, []*types.Tx{ptx(t, c, k1, 0, fee, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(e, nil); err != nil {
		t.Fatal(err)
	}
	p.Update(c.State(), e.Block, nil)
	checkCounts(t, p, 4, 0)
}

// Weakness 8, pool side: a proposal that leaves a tx out at the weight limit
// reports the sender's next tx as "nonce too high"; the pool keeps it (the
// old pool dropped it). Definitively invalid rejections still drop the tx,
// and the sender's later txs are demoted to queued, not lost or left pending.
func TestUpdateKeepsTxsLeftOutForBlockLimit(t *testing.T) {
	p, c := testPoolGenesis(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}), func(g *chain.Genesis) {
		g.Params.MaxBlockWeight = 2 * types.TransferWeight
	})
	a0 := ptx(t, c, devkeys.Key(0), 0, fee, 5, 1)
	heavy, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: 0, Fee: types.TakeWeight + 200*types.EthByteGas, Tip: 1,
		Call: &types.SetTake{Hotkey: devkeys.Address(1), Take: 0}}, devkeys.Key(1))
	if err != nil {
		t.Fatal(err)
	}
	b1 := ptx(t, c, devkeys.Key(1), 1, fee, 1, 1)
	for _, tx := range []*types.Tx{a0, heavy, b1} {
		mustAdd(t, p, tx)
	}
	head, _ := c.Store().Head()
	e, rej, err := c.Propose(chain.Proposal{Time: head.Time + 1}, p.Pending(c.State(), 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 0 {
		t.Fatalf("proposal rejected %v: a sender's txs after one left out at a limit are skipped, not rejected", rej)
	}
	// The pool stays robust to a proposer that reports them anyway (the
	// chain did before issue 11): "nonce too high" drops nothing.
	p.Update(c.State(), &types.Block{}, []chain.Rejected{{Tx: b1, Err: chain.ErrNonceTooHigh}})
	if err := c.Commit(e, nil); err != nil {
		t.Fatal(err)
	}
	p.Update(c.State(), e.Block, nil)
	if _, ok := p.Get(b1.Hash()); !ok {
		t.Fatal("a valid tx left out for the block limit was dropped")
	}
	if got := p.Pending(c.State(), 10); len(got) != 2 || got[0].Hash() != heavy.Hash() || got[1].Hash() != b1.Hash() {
		t.Fatalf("next block's candidates: %d txs", len(got))
	}

	// "Cannot pay" is definitive only for the sender's first tx.
	p.Update(c.State(), &types.Block{}, []chain.Rejected{{Tx: b1, Err: chain.ErrCannotPayFee}})
	if _, ok := p.Get(b1.Hash()); !ok {
		t.Fatal("a tx behind the sender's first was dropped for its balance at another point of a block")
	}
	// A definitive rejection (here: fee below a raised base fee, as the
	// proposer would report it) drops the tx; the one after it is queued.
	p.Update(c.State(), &types.Block{}, []chain.Rejected{{Tx: heavy, Err: chain.ErrFeeTooLow}})
	if _, ok := p.Get(heavy.Hash()); ok {
		t.Fatal("definitively invalid tx kept")
	}
	checkCounts(t, p, 0, 1)
	if got := p.Pending(c.State(), 10); len(got) != 0 {
		t.Fatalf("%d txs pending behind a gap", len(got))
	}
	a1 := ptx(t, c, devkeys.Key(0), 1, fee, 0, 1)
	mustAdd(t, p, a1)
	p.Update(c.State(), &types.Block{}, []chain.Rejected{{Tx: a1, Err: chain.ErrCannotPayFee}})
	if _, ok := p.Get(a1.Hash()); ok {
		t.Fatal("the sender's first tx kept although it cannot pay")
	}
	checkCounts(t, p, 0, 1)
}

// A balance that drops below what the pooled txs need trims the sender's
// tail from the first unaffordable tx.
func TestUpdateTrimsUnaffordable(t *testing.T) {
	p, c := testPool(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}))
	k0 := devkeys.Key(0)
	bal := c.State().Account(devkeys.Address(0)).Balance
	t1 := ptx(t, c, k0, 1, fee, 0, bal/2)
	t2 := ptx(t, c, k0, 2, fee, 0, 1)
	mustAdd(t, p, t1)
	mustAdd(t, p, t2)
	// Nonce 0 reaches a block from elsewhere and spends most of the balance.
	head, _ := c.Store().Head()
	e, _, err := c.Propose(chain.Proposal{Time: head.Time + 1}, []*types.Tx{ptx(t, c, k0, 0, fee, 0, bal-bal/4)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(e, nil); err != nil {
		t.Fatal(err)
	}
	p.Update(c.State(), e.Block, nil)
	if p.Len() != 0 {
		t.Fatalf("%d unaffordable txs kept", p.Len())
	}
	checkCounts(t, p, 0, 0)
}

// withSubnets opens subnets 1 and 2 (PoW registration is open) on the test
// chain.
func withSubnets(g *chain.Genesis) {
	g.Subnets = []chain.GenesisSubnet{{Name: "apex", Owner: devkeys.Address(0)}, {Name: "beta", Owner: devkeys.Address(0)}}
}

func powRegister(t *testing.T, c *chain.Chain, netuid uint16, hk *ecdsa.PrivateKey, nonce uint64, cold types.Address) *types.Tx {
	t.Helper()
	s, ok := subnet.Get(c.State(), netuid)
	if !ok {
		t.Fatalf("no subnet %d", netuid)
	}
	head, _ := c.Store().Head()
	hot := crypto.PubkeyToAddress(hk.PublicKey)
	for w := uint64(0); ; w++ {
		if subnet.CheckWork(types.PowSeal(netuid, hot, cold, head.Hash, w), s.Difficulty) {
			tx, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: nonce,
				Call: &types.PowRegister{Netuid: netuid, Coldkey: cold, BlockNumber: head.Height, Nonce: w}}, hk)
			if err != nil {
				t.Fatal(err)
			}
			return tx
		}
	}
}

// Fee-free calls: one per hotkey, kind and subnet at a time and per the
// chain's rate-limit window, never queued, and the keys remembered are
// bounded; a zero-balance hotkey may still send one (that is what fee-free
// is for). The old pool admitted every fee-free tx whose dry run passed on
// the head state, so one hotkey could pool any number.
func TestFeeFreeRule(t *testing.T) {
	cfg := smallConfig(&fakeClock{time.Unix(1_000, 0)})
	cfg.MaxFeeFree = 3
	p, c := testPoolGenesis(t, cfg, withSubnets)
	hk := devkeys.Key(200) // unfunded
	first := powRegister(t, c, 1, hk, 0, devkeys.Address(1))
	mustAdd(t, p, first)
	if err := p.Add(powRegister(t, c, 1, hk, 1, devkeys.Address(2))); !errors.Is(err, ErrFeeFreeLimited) {
		t.Fatalf("second fee-free registration of a hotkey on a subnet: %v", err)
	}
	other := powRegister(t, c, 2, hk, 1, devkeys.Address(1))
	mustAdd(t, p, other) // another subnet: another rate limit
	if err := p.Add(powRegister(t, c, 1, devkeys.Key(201), 1, devkeys.Address(2))); !errors.Is(err, ErrFeeFreeGapped) {
		t.Fatalf("gapped fee-free tx: %v", err)
	}
	mustAdd(t, p, powRegister(t, c, 1, devkeys.Key(202), 0, devkeys.Address(2)))
	if err := p.Add(powRegister(t, c, 1, devkeys.Key(203), 0, devkeys.Address(2))); !errors.Is(err, ErrFeeFreeLimited) {
		t.Fatalf("fee-free tx past the remembered keys: %v", err)
	}
	b := commitPending(t, p, c)
	if !included(b, first) || !included(b, other) {
		t.Fatal("fee-free registrations not included")
	}
	// Weights and axons wait out the subnet's own rate limits.
	st := c.State()
	sub, _ := subnet.Get(st, 1)
	if w := p.feeFreeWindow(st, &types.SetWeights{Netuid: 1}); w != max(sub.Hyper.WeightsRateLimit, 1) || w < 2 {
		t.Fatalf("weights window %d, subnet limit %d", w, sub.Hyper.WeightsRateLimit)
	}
	if w := p.feeFreeWindow(st, &types.ServeAxon{Netuid: 1}); w != max(sub.Hyper.ServingRateLimit, 1) {
		t.Fatalf("axon window %d, subnet limit %d", w, sub.Hyper.ServingRateLimit)
	}
	// The window (one block for PowRegister) has passed and the tx left the
	// pool: the hotkey is forgotten and may send its next fee-free call.
	p.mu.Lock()
	remembered := len(p.mu.free)
	p.mu.Unlock()
	if remembered != 0 {
		t.Fatalf("%d hotkeys still remembered after their window", remembered)
	}
}

// Update's and Add's bookkeeping stays exact through a seeded random mix of
// adds, replacements, evictions, definitive rejections (demotions) and
// expiry, and the limits always hold.
func TestCountsStayExact(t *testing.T) {
	clk := &fakeClock{time.Unix(1_000, 0)}
	cfg := smallConfig(clk)
	cfg.GlobalSlots, cfg.GlobalQueue, cfg.AccountQueue = 8, 6, 4
	p, c := testPoolGenesis(t, cfg, func(g *chain.Genesis) {
		for i := 10; i < 16; i++ {
			g.Alloc = append(g.Alloc, chain.Alloc{Address: devkeys.Address(i), Balance: types.RaoPerTAO})
		}
	})
	rng := rand.New(rand.NewPCG(1, 2))
	outcomes := map[bool]int{}
	for i := 0; i < 600; i++ {
		k := devkeys.Key(10 + rng.IntN(6))
		err := p.Add(ptx(t, c, k, uint64(rng.IntN(9)), fee, uint64(rng.IntN(20)), 1))
		outcomes[err == nil]++
		switch rng.IntN(20) {
		case 0:
			clk.t = clk.t.Add(time.Duration(rng.IntN(4)) * time.Hour)
			p.Update(c.State(), &types.Block{}, nil)
		case 1:
			p.mu.Lock()
			var victim *types.Tx
			for _, e := range p.mu.all {
				if victim == nil || e.seq < p.mu.all[victim.Hash()].seq {
					victim = e.tx
				}
			}
			p.mu.Unlock()
			if victim != nil {
				p.Update(c.State(), &types.Block{}, []chain.Rejected{{Tx: victim, Err: chain.ErrFeeTooLow}})
			}
		}
		p.mu.Lock()
		pend, que := 0, 0
		for from, a := range p.mu.senders {
			run := 0
			for a.txs[a.nonce+uint64(run)] != nil {
				run++
			}
			if run != a.pending || len(a.txs) == 0 || a.txs[a.last] == nil || a.from != from || a.queued() > cfg.AccountQueue {
				p.mu.Unlock()
				t.Fatalf("step %d: account pending %d, run %d, %d txs, tail %d", i, a.pending, run, len(a.txs), a.last)
			}
			for n := range a.txs {
				if n > a.last || n < a.nonce {
					p.mu.Unlock()
					t.Fatalf("step %d: nonce %d outside [%d, tail %d]", i, n, a.nonce, a.last)
				}
			}
			inQ := a.qi >= 0 && p.mu.queued.h[a.qi] == a
			_, inO := p.mu.overSlots[a]
			if inQ != (a.queued() > 0) || inO != (a.pending > cfg.AccountSlots) || a.qt != 0 {
				p.mu.Unlock()
				t.Fatalf("step %d: eviction index out of date", i)
			}
			pend += a.pending
			que += a.queued()
		}
		for j, a := range p.mu.queued.h {
			if p.mu.senders[a.from] != a || a.qi != j {
				p.mu.Unlock()
				t.Fatalf("step %d: a forgotten sender is still indexed", i)
			}
			if j > 0 && cheaper(a.tailAfter(0), p.mu.queued.h[(j-1)/2].tailAfter(0)) {
				p.mu.Unlock()
				t.Fatalf("step %d: queued heap out of order", i)
			}
		}
		p.mu.Unlock()
		checkCounts(t, p, pend, que)
		if pend > cfg.GlobalSlots || que > cfg.GlobalQueue {
			t.Fatalf("step %d: %d pending, %d queued over the limits", i, pend, que)
		}
	}
	if outcomes[true] < 100 || outcomes[false] < 100 {
		t.Fatalf("the mix is one-sided: %v", outcomes)
	}
}

// The gossip validator calls Add from several goroutines while the driver
// calls Pending and Update: run under -race, the pool's state stays exact.
func TestConcurrentAddUpdate(t *testing.T) {
	p, c := testPoolGenesis(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}), func(g *chain.Genesis) {
		for i := 10; i < 14; i++ {
			g.Alloc = append(g.Alloc, chain.Alloc{Address: devkeys.Address(i), Balance: types.RaoPerTAO})
		}
	})
	txs := make([][]*types.Tx, 4)
	for w := range txs {
		for n := uint64(0); n < 12; n++ {
			txs[w] = append(txs[w], ptx(t, c, devkeys.Key(10+w), n, fee, n%3, 1))
		}
	}
	var wg sync.WaitGroup
	for w := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, tx := range txs[w] {
				if err := p.Add(tx); err != nil {
					t.Errorf("add: %v", err)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			p.Pending(c.State(), 10)
			p.Update(c.State(), &types.Block{}, nil)
		}
	}()
	wg.Wait()
	checkCounts(t, p, 48, 0)
}

// A tx heavier than a block may hold is refused: no proposal could take it,
// and the proposer skips it silently, so the sender's later txs would wait
// behind it for good.
func TestTooHeavyRefused(t *testing.T) {
	p, c := testPoolGenesis(t, smallConfig(&fakeClock{time.Unix(1_000, 0)}), func(g *chain.Genesis) {
		g.Params.MaxBlockWeight = types.TransferWeight
	})
	heavy, err := types.SignTx(types.TxData{ChainID: c.ChainID(), Nonce: 0, Fee: types.TakeWeight,
		Call: &types.SetTake{Hotkey: devkeys.Address(1), Take: 0}}, devkeys.Key(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Add(heavy); !errors.Is(err, ErrTooHeavy) {
		t.Fatalf("tx over the block weight: %v", err)
	}
	mustAdd(t, p, ptx(t, c, devkeys.Key(1), 0, fee, 0, 1))
}
