package chain

import (
	"crypto/ecdsa"
	"errors"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// signed signs call from key with the next nonce and the given fee.
func (w *world) signed(k *ecdsa.PrivateKey, fee uint64, call types.Call) *types.Tx {
	w.t.Helper()
	n := w.nonce(crypto.PubkeyToAddress(k.PublicKey))
	tx, err := types.SignTx(types.TxData{ChainID: w.c.ChainID(), Nonce: n, Fee: fee, Call: call}, k)
	if err != nil {
		w.t.Fatal(err)
	}
	return tx
}

// mine finds a PowRegister for hotkey key on netuid.
func (w *world) mine(netuid uint16, hk *ecdsa.PrivateKey, cold types.Address) *types.PowRegister {
	w.t.Helper()
	s, _ := subnet.Get(w.st(), netuid)
	blk := w.height()
	bh, _ := w.c.Store().BlockHash(blk)
	hot := crypto.PubkeyToAddress(hk.PublicKey)
	for nonce := uint64(0); ; nonce++ {
		if subnet.CheckWork(types.PowSeal(netuid, hot, cold, bh, nonce), s.Difficulty) {
			return &types.PowRegister{Netuid: netuid, Coldkey: cold, BlockNumber: blk, Nonce: nonce}
		}
	}
}

func subnetConservation(t *testing.T, w *world) {
	t.Helper()
	st := w.st()
	sum := st.Pool()
	for i := 0; i < 80; i++ {
		sum += st.Account(devkeys.Address(i)).Balance
	}
	for _, h := range staking.Hotkeys(st) {
		for _, n := range staking.Nominators(st, h.Hotkey) {
			sum += n.Amount
		}
		for _, u := range staking.UnbondingOfHotkey(st, h.Hotkey) {
			sum += u.Amount
		}
	}
	for _, s := range subnet.All(st) {
		sum += s.Pending + s.Locked
	}
	for _, pr := range gov.Proposals(st) {
		if pr.Status == gov.StatusVoting {
			sum += pr.Deposit
		}
	}
	if sum != st.Issuance() {
		t.Fatalf("height %d: balances+stakes+unbonding+pool+pending+locked %d != issuance %d", w.height(), sum, st.Issuance())
	}
}

func TestSubnetLifecycle(t *testing.T) {
	w := newWorld(t)
	p := w.c.Params().Subnets
	owner := devkeys.Address(1)
	lock := w.c.NetworkLockCost(w.st(), w.height()+1)
	if lock != p.MinLock {
		t.Fatalf("first lock %d, want the minimum %d", lock, p.MinLock)
	}
	w.ok(w.call(1, &types.RegisterNetwork{Name: "text"}))
	s, ok := subnet.Get(w.st(), 1)
	if !ok || s.Owner != owner || s.Locked != lock || s.Hyper.Tempo != p.Defaults.Tempo {
		t.Fatalf("subnet %+v", s)
	}
	if next := w.c.NetworkLockCost(w.st(), w.height()+1); next <= lock {
		t.Fatalf("lock cost did not rise: %d after %d", next, lock)
	}
	subnetConservation(t, w)

	// Owner settings.
	w.fails(w.call(2, &types.SetHyperparam{Netuid: 1, Name: "kappa", Value: 30000}), subnet.ErrNotSubnetOwner)
	w.fails(w.call(1, &types.SetHyperparam{Netuid: 1, Name: "tempo", Value: 5}), subnet.ErrNotOwnerParam)
	w.ok(w.call(1, &types.SetHyperparam{Netuid: 1, Name: "min_allowed_weights", Value: 2}))

	// Three validators by burn (coldkeys 2..4, hotkeys 30..32), each staking.
	var txs []*types.Tx
	for i := 0; i < 3; i++ {
		txs = append(txs, w.call(2+i, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30 + i)}))
	}
	w.ok(txs...)
	s, _ = subnet.Get(w.st(), 1)
	if s.N != 3 {
		t.Fatalf("N = %d", s.N)
	}
	w.fails(w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30)}), subnet.ErrAlreadyRegistered)
	w.fails(w.call(3, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30)}), subnet.ErrAlreadyRegistered)
	w.ok(w.bind(2, 5)) // hotkey 15 now belongs to coldkey 2
	w.fails(w.call(3, &types.BurnedRegister{Netuid: 1, Hotkey: hot(5)}), staking.ErrNotOwner)
	w.ok(w.call(2, &types.AddStake{Hotkey: devkeys.Address(30), Amount: 300 * tao}),
		w.call(3, &types.AddStake{Hotkey: devkeys.Address(31), Amount: 200 * tao}),
		w.call(4, &types.AddStake{Hotkey: devkeys.Address(32), Amount: 100 * tao}))

	// Eight miners by proof of work, fee-free from empty hotkeys 40..47 (coldkey 5).
	for i := 0; i < 8; i++ {
		hk := devkeys.Key(40 + i)
		if w.st().Account(crypto.PubkeyToAddress(hk.PublicKey)).Balance != 0 {
			t.Fatal("miner hotkey is funded")
		}
		w.ok(w.signed(hk, 0, w.mine(1, hk, devkeys.Address(5))))
	}
	s, _ = subnet.Get(w.st(), 1)
	if s.N != 11 {
		t.Fatalf("N = %d after miners", s.N)
	}
	// Bad work is refused before it reaches a block.
	bad := w.mine(1, devkeys.Key(48), devkeys.Address(5))
	bad.Nonce++
	for subnet.CheckWork(types.PowSeal(1, devkeys.Address(48), devkeys.Address(5), mustHash(t, w, bad.BlockNumber), bad.Nonce), s.Difficulty) {
		bad.Nonce++
	}
	if _, err := w.c.CheckTx(w.st(), w.signed(devkeys.Key(48), 0, bad)); !errors.Is(err, ErrFeeTooLow) {
		t.Fatalf("bad work: %v", err)
	}

	// Run one epoch so permits exist, then validators weight miners (UIDs 3..10):
	// validators 0 and 1 agree, validator 2 deviates.
	w.until(nextEpoch(w, s))
	for i := 0; i < 3; i++ {
		n, _ := subnet.NeuronAt(w.st(), 1, uint16(i))
		if !n.Permit {
			t.Fatalf("validator %d has no permit", i)
		}
	}
	honest := &types.SetWeights{Netuid: 1, UIDs: []uint16{3, 4, 5, 6}, Weights: []uint16{40000, 30000, 20000, 10000}}
	deviant := &types.SetWeights{Netuid: 1, UIDs: []uint16{9, 10}, Weights: []uint16{65535, 65535}}
	for epoch := 0; epoch < 4; epoch++ {
		w.ok(w.signed(devkeys.Key(30), 0, honest), w.signed(devkeys.Key(31), 0, honest), w.signed(devkeys.Key(32), 0, deviant))
		issBefore := w.st().Issuance()
		stakeBefore := totalStake(w)
		poolBefore := w.st().Pool()
		s, _ = subnet.Get(w.st(), 1)
		pendBefore := s.Pending
		ownerBefore := w.st().Account(owner).Balance
		target := nextEpoch(w, s)
		w.until(target)
		s, _ = subnet.Get(w.st(), 1)
		minted := w.st().Issuance() - issBefore
		paid := (totalStake(w) - stakeBefore) + (w.st().Account(owner).Balance - ownerBefore)
		// Everything minted is paid, pending, or still pooled: to the rao.
		if paid+s.Pending+w.st().Pool() != minted+pendBefore+poolBefore {
			t.Fatalf("epoch %d: paid %d + pending %d + pool %d != minted %d + %d + %d", epoch, paid, s.Pending, w.st().Pool(), minted, pendBefore, poolBefore)
		}
		subnetConservation(t, w)
	}
	v0, _ := subnet.NeuronAt(w.st(), 1, 0)
	v2, _ := subnet.NeuronAt(w.st(), 1, 2)
	m3, _ := subnet.NeuronAt(w.st(), 1, 3)
	m7, _ := subnet.NeuronAt(w.st(), 1, 7)
	if v0.Dividends <= v2.Dividends {
		t.Errorf("agreeing validator dividends %d ≤ deviant's %d", v0.Dividends, v2.Dividends)
	}
	if m3.Incentive == 0 || m3.Emission == 0 {
		t.Errorf("top miner earned nothing: %+v", m3)
	}
	if m7.Incentive != 0 || m7.Emission != 0 {
		t.Errorf("unweighted miner earned: %+v", m7)
	}
	if st := staking.Stake(w.st(), devkeys.Address(5), devkeys.Address(43)); st == 0 {
		t.Error("miner incentive was not credited as stake to its coldkey")
	}
}

func mustHash(t *testing.T, w *world, h uint64) types.Hash {
	bh, err := w.c.Store().BlockHash(h)
	if err != nil {
		t.Fatal(err)
	}
	return bh
}

// nextEpoch is the next height at which subnet s runs its epoch.
func nextEpoch(w *world, s subnet.Info) uint64 {
	h := w.height() + 1
	for (h+uint64(s.Netuid))%s.Hyper.Tempo != 0 {
		h++
	}
	return h
}

func totalStake(w *world) uint64 {
	var t uint64
	for _, h := range staking.Hotkeys(w.st()) {
		t += h.Info.TotalStake
	}
	return t
}

func TestCommitReveal(t *testing.T) {
	w := newWorld(t)
	w.ok(w.call(1, &types.RegisterNetwork{}))
	w.ok(w.call(1, &types.SetHyperparam{Netuid: 1, Name: "commit_reveal", Value: 1}))
	w.ok(w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30)}), w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(31)}))
	hk := devkeys.Key(30)
	w.ok(w.call(2, &types.Transfer{To: devkeys.Address(30), Amount: tao}))
	uids, ws, salt := []uint16{1}, []uint16{100}, []byte("pepper")
	// Direct weights are refused while commit-reveal is on (paid call: it fails).
	w.fails(w.signed(hk, 100_000, &types.SetWeights{Netuid: 1, UIDs: uids, Weights: ws}), subnet.ErrCommitReveal)
	// Bootstrapping subnet (no stake): committing is fee-free.
	h := types.WeightsCommitHash(devkeys.Address(30), 1, uids, ws, salt, 0)
	w.ok(w.signed(hk, 0, &types.CommitWeights{Netuid: 1, Hash: h}))
	committed := w.height()
	p := w.c.Params().Subnets.Defaults
	reveal := &types.RevealWeights{Netuid: 1, UIDs: uids, Weights: ws, Salt: salt}
	w.fails(w.signed(hk, 100_000, reveal), subnet.ErrRevealEarly)
	w.until(committed + p.RevealDelay - 1)
	wrong := &types.RevealWeights{Netuid: 1, UIDs: uids, Weights: []uint16{101}, Salt: salt}
	w.fails(w.signed(hk, 100_000, wrong), subnet.ErrRevealMismatch)
	w.ok(w.signed(hk, 0, reveal))
	if got := subnet.WeightsOf(w.st(), 1, 0); len(got.Index) != 1 || got.Values[0] != 100 {
		t.Fatalf("revealed weights %+v", got)
	}
	if n, _ := subnet.NeuronAt(w.st(), 1, 0); n.LastUpdate != w.height() {
		t.Fatal("weights do not count from the reveal block")
	}
	// A second commit, revealed too late.
	w.until(w.height() + p.WeightsRateLimit)
	w.ok(w.signed(hk, 0, &types.CommitWeights{Netuid: 1, Hash: h}))
	w.until(w.height() + p.RevealDelay + p.RevealWindow)
	w.fails(w.signed(hk, 100_000, reveal), subnet.ErrRevealLate)
}

func TestRegistrationRulesAndPruning(t *testing.T) {
	w := newWorld(t)
	w.ok(w.call(1, &types.RegisterNetwork{}))
	w.ok(w.call(1, &types.SetHyperparam{Netuid: 1, Name: "immunity_period", Value: 0}))
	p := w.c.Params().Subnets.Defaults
	// More than max_regs_per_block in one block: the extra one fails.
	var txs []*types.Tx
	for i := 0; i < int(p.MaxRegsPerBlock)+1; i++ {
		txs = append(txs, w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(50 + i)}))
	}
	rs := w.do(txs...)
	if rs[len(rs)-1].Status != types.ReceiptFailed {
		t.Fatal("registration beyond max_regs_per_block succeeded")
	}
	// Registrations above target raise the burn at the next adjustment.
	s, _ := subnet.Get(w.st(), 1)
	before := s.Burn
	w.until(s.LastAdjust + s.Hyper.AdjustmentInterval)
	s, _ = subnet.Get(w.st(), 1)
	if s.Burn != subnet.AdjustCost(before, uint64(p.MaxRegsPerBlock), p.TargetRegsPerInterval, p.MinBurn, p.MaxBurn) {
		t.Fatalf("burn %d after %d regs (was %d)", s.Burn, p.MaxRegsPerBlock, before)
	}
	// Fill the subnet, then one more registration replaces the lowest-scored neuron.
	for s.N < uint16(p.MaxUIDs) {
		var txs []*types.Tx
		for i := 0; i < int(p.MaxRegsPerBlock) && int(s.N)+i < int(p.MaxUIDs); i++ {
			txs = append(txs, w.call(3, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(100 + int(s.N) + i)}))
		}
		w.ok(txs...)
		s, _ = subnet.Get(w.st(), 1)
	}
	w.ok(w.call(4, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(999)}))
	s, _ = subnet.Get(w.st(), 1)
	uid, ok := subnet.UIDOf(w.st(), 1, devkeys.Address(999))
	if s.N != uint16(p.MaxUIDs) || !ok {
		t.Fatalf("full subnet: N %d, new hotkey registered %v", s.N, ok)
	}
	n, _ := subnet.NeuronAt(w.st(), 1, uid)
	if n.Hotkey != devkeys.Address(999) {
		t.Fatal("uid slot not taken over")
	}
	subnetConservation(t, w)
}

func TestRootSharesAndSubnetLimit(t *testing.T) {
	w := newWorld(t)
	p := w.c.Params().Subnets
	w.ok(w.call(1, &types.RegisterNetwork{}))
	w.ok(w.call(2, &types.RegisterNetwork{}))
	w.block(nil, nil)
	a, _ := subnet.Get(w.st(), 1)
	b, _ := subnet.Get(w.st(), 2)
	if a.Share != subnet.ShareScale/2 || b.Share != subnet.ShareScale/2 {
		t.Fatalf("equal shares without root weights: %d %d", a.Share, b.Share)
	}
	// A staked root member weights subnet 2 only.
	w.ok(w.bind(3, 0))
	w.ok(w.call(3, &types.AddStake{Hotkey: hot(0), Amount: 50 * tao}))
	w.fails(w.call(4, &types.RootRegister{Hotkey: hot(0)}), staking.ErrNotOwner)
	w.ok(w.call(3, &types.RootRegister{Hotkey: hot(0)}))
	w.ok(w.signed(devkeys.Key(10), 0, &types.SetRootWeights{Netuids: []uint16{2}, Weights: []uint16{1}}))
	w.until((w.height()/p.RootTempo + 1) * p.RootTempo)
	a, _ = subnet.Get(w.st(), 1)
	b, _ = subnet.Get(w.st(), 2)
	if b.Share <= a.Share || b.Share < subnet.ShareScale*9/10 {
		t.Fatalf("weighted shares: subnet1 %d subnet2 %d", a.Share, b.Share)
	}
	subnetConservation(t, w)
	// Fill to the limit, then the next creation prunes the lowest-share non-immune subnet.
	for len(subnet.All(w.st())) < p.SubnetLimit {
		w.ok(w.call(1, &types.RegisterNetwork{}))
	}
	w.until(w.height() + p.NetworkImmunity + 1)
	w.until((w.height()/p.RootTempo + 1) * p.RootTempo)
	bal := w.st().Account(devkeys.Address(1)).Balance
	lock1, _ := subnet.Get(w.st(), 1)
	w.ok(w.call(2, &types.RegisterNetwork{Name: "new"}))
	if len(subnet.All(w.st())) != p.SubnetLimit {
		t.Fatalf("%d subnets", len(subnet.All(w.st())))
	}
	if _, ok := subnet.Get(w.st(), 2); !ok {
		t.Fatal("the highest-share subnet was pruned")
	}
	if got := w.st().Account(devkeys.Address(1)).Balance; got <= bal {
		t.Fatalf("pruned subnet's lock (%d) not returned to its owner", lock1.Locked)
	}
	evs := w.events(types.EvSubnetPruned)
	if len(evs) != 1 || evs[0].Addr != devkeys.Address(1) || evs[0].Amount == 0 {
		t.Fatalf("subnet pruned events %+v", evs)
	}
	if s, ok := subnet.Get(w.st(), uint16(evs[0].Netuid)); ok && s.Name != "new" {
		t.Fatalf("the event names subnet %d, which is still there: %+v", evs[0].Netuid, s)
	}
	subnetConservation(t, w)
}

func TestFeeFreeOnlyWhenEligible(t *testing.T) {
	w := newWorld(t)
	w.ok(w.call(1, &types.RegisterNetwork{}))
	// An unregistered hotkey's weights cannot be free.
	if _, err := w.c.CheckTx(w.st(), w.signed(devkeys.Key(60), 0, &types.SetWeights{Netuid: 1, UIDs: []uint16{0}, Weights: []uint16{1}})); !errors.Is(err, ErrFeeTooLow) {
		t.Fatalf("free weights from a stranger: %v", err)
	}
	// A free ServeAxon by a registered neuron works; by others it is refused.
	w.ok(w.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(61)}))
	w.ok(w.signed(devkeys.Key(61), 0, &types.ServeAxon{Netuid: 1, IP: []byte{10, 0, 0, 1}, Port: 8091}))
	n, _ := subnet.NeuronAt(w.st(), 1, 0)
	if n.Axon.Port != 8091 {
		t.Fatalf("axon %+v", n.Axon)
	}
	if _, err := w.c.CheckTx(w.st(), w.signed(devkeys.Key(62), 0, &types.ServeAxon{Netuid: 1, IP: []byte{10, 0, 0, 1}, Port: 1})); !errors.Is(err, ErrFeeTooLow) {
		t.Fatalf("free axon from a stranger: %v", err)
	}
}
