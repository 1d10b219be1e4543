package chain

import (
	"crypto/ecdsa"
	"errors"
	"github.com/taonet/taod/staking"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const tao = types.RaoPerTAO

// world is a test chain with known keys: coldkeys are dev keys 0..5 (funded),
// hotkeys dev keys 10.., consensus keys dev keys 20...
type world struct {
	t    *testing.T
	c    *Chain
	keys map[types.Address]*ecdsa.PrivateKey // consensus keys by address
	next map[types.Address]uint64            // nonces handed out in the block being built
}

// nonce hands out the next nonce of a, counting txs signed for this block.
func (w *world) nonce(a types.Address) uint64 {
	n := max(w.st().Account(a).Nonce, w.next[a])
	w.next[a] = n + 1
	return n
}

func newWorld(t *testing.T) *world {
	c := newTestChain(t, 6)
	w := &world{t: t, c: c, keys: map[types.Address]*ecdsa.PrivateKey{devkeys.Address(0): devkeys.Key(0)}, next: map[types.Address]uint64{}}
	for i := 20; i < 30; i++ {
		w.keys[devkeys.Address(i)] = devkeys.Key(i)
	}
	return w
}

func (w *world) st() *state.State { return w.c.State() }

// call signs a call from coldkey i with the next nonce.
func (w *world) call(i int, call types.Call) *types.Tx {
	w.t.Helper()
	k := devkeys.Key(i)
	n := w.nonce(crypto.PubkeyToAddress(k.PublicKey))
	tx, err := SignPayingMinFee(w.c.Params(), types.TxData{ChainID: w.c.ChainID(), Nonce: n, Call: call}, k)
	if err != nil {
		w.t.Fatal(err)
	}
	return tx
}

// block produces one block, signed by every validator of its height whose
// key is known, except those in skip.
// fee is what w.call pays for call: the minimum for its length, which is
// the same at every nonce below 128 (one byte).
func (w *world) fee(call types.Call) uint64 {
	w.t.Helper()
	tx, err := SignPayingMinFee(w.c.Params(), types.TxData{ChainID: w.c.ChainID(), Nonce: 1, Call: call}, devkeys.Key(0))
	if err != nil {
		w.t.Fatal(err)
	}
	return tx.Fee()
}

func (w *world) block(ev []types.Evidence, skip map[types.Address]bool, txs ...*types.Tx) *Executed {
	w.t.Helper()
	clear(w.next)
	head, _ := w.c.Store().Head()
	e, rej, err := w.c.Propose(Proposal{Time: head.Time + 200, LastCommit: lastCommit(w.t, w.c), Evidence: ev}, txs)
	if err != nil {
		w.t.Fatal(err)
	}
	if len(rej) != 0 {
		w.t.Fatalf("block %d rejected txs: %v", e.Block.Height(), rej[0].Err)
	}
	set, err := w.c.ValidatorSet(e.Block.Height())
	if err != nil {
		w.t.Fatal(err)
	}
	var signers []*ecdsa.PrivateKey
	for _, v := range set.Validators {
		if k := w.keys[v.Address]; k != nil && !skip[v.Address] {
			signers = append(signers, k)
		}
	}
	if err := w.c.Commit(e, signCommit(w.t, w.c, e.Block, signers...)); err != nil {
		w.t.Fatal(err)
	}
	return e
}

// do runs calls in one block and returns their receipts.
func (w *world) do(txs ...*types.Tx) []types.Receipt {
	w.t.Helper()
	return w.block(nil, nil, txs...).TxReceipts()
}

func (w *world) ok(txs ...*types.Tx) {
	w.t.Helper()
	for i, r := range w.do(txs...) {
		if r.Status != types.ReceiptSuccess {
			w.t.Fatalf("tx %d failed: %s", i, r.Error)
		}
	}
}

func (w *world) fails(tx *types.Tx, want error) {
	w.t.Helper()
	r := w.do(tx)[0]
	if r.Status != types.ReceiptFailed || !strings.Contains(r.Error, strings.TrimPrefix(want.Error(), "chain: ")) {
		w.t.Fatalf("receipt %+v, want failure %q", r, want)
	}
}

func (w *world) height() uint64 {
	h, _ := w.c.Store().Head()
	return h.Height
}

func (w *world) until(h uint64) {
	for w.height() < h {
		w.block(nil, nil)
	}
}

// bind binds consensus key 20+i to hotkey 10+i, owned by coldkey cold.
func (w *world) bind(cold, i int) *types.Tx {
	w.t.Helper()
	b, err := types.SignBind(w.c.ChainID(), devkeys.Address(cold), devkeys.Key(10+i), devkeys.Key(20+i))
	if err != nil {
		w.t.Fatal(err)
	}
	return w.call(cold, b)
}

func hot(i int) types.Address { return devkeys.Address(10 + i) }

func TestStakeAndUnbond(t *testing.T) {
	w := newWorld(t)
	c1 := devkeys.Address(1)
	w.fails(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: tao}), staking.ErrUnknownHotkey)
	w.ok(w.bind(1, 0))
	bal := w.st().Account(c1).Balance
	w.ok(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 100 * tao}))
	if got := staking.Stake(w.st(), c1, hot(0)); got != 100*tao {
		t.Fatalf("stake %d", got)
	}
	if got := w.st().Account(c1).Balance; got != bal-100*tao-w.fee(&types.AddStake{Hotkey: hot(0), Amount: 100 * tao}) {
		t.Fatalf("balance %d", got)
	}
	w.fails(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 1}), staking.ErrBelowMinStake)
	w.fails(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 10_000 * tao}), ErrInsufficientBalance)
	w.fails(w.call(1, &types.RemoveStake{Hotkey: hot(0), Amount: 101 * tao}), staking.ErrInsufficientStake)
	w.fails(w.call(1, &types.RemoveStake{Hotkey: hot(0), Amount: 100*tao - 1}), staking.ErrBelowMinStake)

	bal = w.st().Account(c1).Balance
	e := w.block(nil, nil, w.call(1, &types.RemoveStake{Hotkey: hot(0), Amount: 40 * tao}))
	release := e.Block.Height() + w.c.Params().Staking.UnbondingPeriod
	bal -= w.fee(&types.RemoveStake{Hotkey: hot(0), Amount: 40 * tao})
	if got := staking.UnbondingOf(w.st(), c1); len(got) != 1 || got[0].Amount != 40*tao || got[0].ReleaseAt != release {
		t.Fatalf("unbonding %+v", got)
	}
	w.until(release - 1)
	if w.st().Account(c1).Balance != bal {
		t.Fatal("released early")
	}
	w.block(nil, nil)
	if got := w.st().Account(c1).Balance; got != bal+40*tao {
		t.Fatalf("after release: %d, want %d", got, bal+40*tao)
	}
	if len(staking.UnbondingOf(w.st(), c1)) != 0 || len(staking.UnbondingOfHotkey(w.st(), hot(0))) != 0 {
		t.Fatal("unbonding entry left behind")
	}
}

func TestRemoveStakePaysFeeFromAmount(t *testing.T) {
	w := newWorld(t)
	c2 := devkeys.Address(2)
	w.ok(w.bind(2, 0))
	bal := w.st().Account(c2).Balance
	all := bal - w.fee(&types.AddStake{Hotkey: hot(0), Amount: bal}) // same encoded length as bal − fee
	w.ok(w.call(2, &types.AddStake{Hotkey: hot(0), Amount: all}))
	if w.st().Account(c2).Balance != 0 {
		t.Fatal("balance left")
	}
	w.ok(w.call(2, &types.RemoveStake{Hotkey: hot(0), Amount: 10 * tao}))
	if got := staking.Stake(w.st(), c2, hot(0)); got != all-10*tao {
		t.Fatalf("stake %d", got)
	}
	if u := staking.UnbondingOf(w.st(), c2); len(u) != 1 || u[0].Amount != 10*tao-w.fee(&types.RemoveStake{Hotkey: hot(0), Amount: 10 * tao}) {
		t.Fatalf("unbonding %+v", u)
	}
	// Other calls cannot take the fee from stake.
	if _, err := w.c.CheckTx(w.st(), w.call(2, &types.Transfer{To: c2, Amount: 1})); !errors.Is(err, ErrCannotPayFee) {
		t.Fatalf("transfer with no balance: %v", err)
	}
}

func TestTakeSplitToTheRao(t *testing.T) {
	w := newWorld(t)
	owner, n1, n2 := devkeys.Address(1), devkeys.Address(2), devkeys.Address(3)
	w.ok(w.bind(1, 0))
	w.ok(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 100 * tao}),
		w.call(2, &types.AddStake{Hotkey: hot(0), Amount: 30*tao + 7}),
		w.call(3, &types.AddStake{Hotkey: hot(0), Amount: 70*tao + 3}))
	w.fails(w.call(2, &types.SetTake{Hotkey: hot(0), Take: 1}), staking.ErrNotOwner)
	w.fails(w.call(1, &types.SetTake{Hotkey: hot(0), Take: 180_001}), staking.ErrTakeTooHigh)
	w.ok(w.call(1, &types.SetTake{Hotkey: hot(0), Take: 123_457}))
	w.fails(w.call(1, &types.SetTake{Hotkey: hot(0), Take: 100_000}), staking.ErrRateLimited)

	st := w.st()
	before := map[types.Address]uint64{owner: staking.Stake(st, owner, hot(0)), n1: staking.Stake(st, n1, hot(0)), n2: staking.Stake(st, n2, hot(0))}
	const reward = 1_000_000_007
	if err := staking.CreditReward(st, hot(0), reward); err != nil {
		t.Fatal(err)
	}
	// The same split computed independently with big integers.
	total := new(big.Int)
	for _, v := range before {
		total.Add(total, new(big.Int).SetUint64(v))
	}
	cut := reward * 123_457 / 1_000_000
	rest := uint64(reward - cut)
	var paid uint64
	want := map[types.Address]uint64{}
	for a, v := range before {
		share := new(big.Int).Mul(new(big.Int).SetUint64(rest), new(big.Int).SetUint64(v))
		share.Div(share, total)
		want[a] = v + share.Uint64()
		paid += share.Uint64()
	}
	want[owner] += uint64(cut) + rest - paid
	var sum uint64
	for a, v := range want {
		if got := staking.Stake(st, a, hot(0)); got != v {
			t.Errorf("%s: stake %d, want %d", a, got, v)
		}
		sum += staking.Stake(st, a, hot(0)) - before[a]
	}
	if sum != reward {
		t.Fatalf("credited %d of %d", sum, reward)
	}
	if h, _ := staking.HotkeyOf(st, hot(0)); h.TotalStake != before[owner]+before[n1]+before[n2]+reward {
		t.Fatalf("total stake %d", h.TotalStake)
	}
}

// stakeValidators binds hotkeys 0..n-1 (coldkeys 1..n) and stakes amounts[i].
func (w *world) stakeValidators(amounts ...uint64) {
	var txs []*types.Tx
	for i := range amounts {
		txs = append(txs, w.bind(i+1, i))
	}
	w.ok(txs...)
	txs = nil
	for i, a := range amounts {
		txs = append(txs, w.call(i+1, &types.AddStake{Hotkey: hot(i), Amount: a}))
	}
	w.ok(txs...)
}

func TestValidatorSetHandoverAtHPlus2(t *testing.T) {
	w := newWorld(t)
	p := w.c.Params().Staking
	boot, _ := w.c.ValidatorSet(1)
	if !boot.Bootstrap || len(boot.Validators) != 1 || boot.Validators[0].Address != devkeys.Address(0) {
		t.Fatalf("genesis set %+v", boot)
	}
	// Below the handover threshold: one validator, the bootstrap set stays.
	w.stakeValidators(20 * tao)
	w.until(p.ConsensusEpoch + 2)
	if s, _ := w.c.ValidatorSet(p.ConsensusEpoch + 2); !s.Bootstrap {
		t.Fatal("handed over with one candidate")
	}
	w.ok(w.bind(2, 1))
	w.ok(w.call(2, &types.AddStake{Hotkey: hot(1), Amount: 5 * tao}))
	H := (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch // next epoch's last block
	w.until(H)
	s1, _ := w.c.ValidatorSet(H + 1)
	s2, _ := w.c.ValidatorSet(H + 2)
	if !s1.Bootstrap || s2.Bootstrap {
		t.Fatalf("set at H+1 bootstrap=%v, at H+2 bootstrap=%v", s1.Bootstrap, s2.Bootstrap)
	}
	if len(s2.Validators) != 2 || s2.Validators[0].Address != devkeys.Address(20) || s2.Validators[0].Power != 20 || s2.Validators[1].Power != 5 || s2.Hotkeys[1] != hot(1) {
		t.Fatalf("staked set %+v", s2)
	}
	bh, _ := w.c.Store().BlockByHeight(H)
	if bh.Header.NextValidatorsHash != s1.Hash() {
		t.Fatal("header H announces the new set early")
	}
	e := w.block(nil, nil) // H+1
	if e.Block.Header.NextValidatorsHash != s2.Hash() || e.Block.Header.ValidatorsHash != s1.Hash() {
		t.Fatal("header H+1 does not carry the next set's hash")
	}
	// H+2 must be finalised by the new set: the bootstrap key alone cannot.
	head, _ := w.c.Store().Head()
	x, _, err := w.c.Propose(Proposal{Time: head.Time + 1, LastCommit: lastCommit(t, w.c)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs2, err := consensus.NewValidatorSet(s2.Validators)
	if err != nil {
		t.Fatal(err)
	}
	if err := consensus.VerifyCommit(consensus.SigVerifier{ChainID: w.c.ChainID()}, cs2, H+2, x.Block.Hash(), signCommit(t, w.c, x.Block, devkeys.Key(0))); !errors.Is(err, consensus.ErrBadCommit) {
		t.Fatalf("bootstrap key finalised a staked height: %v", err)
	}
	w.block(nil, nil) // H+2, signed by keys 20 and 21
	w.block(nil, nil)
	if e := w.block(nil, nil); e.Block.Header.ValidatorsHash != s2.Hash() {
		t.Fatal("staked set does not govern after H+2")
	}
}

// handedOver returns a world whose set (from the returned height) is three
// staked validators with the given stakes.
func handedOver(t *testing.T, stakes ...uint64) (*world, uint64) {
	w := newWorld(t)
	w.stakeValidators(stakes...)
	p := w.c.Params().Staking
	H := (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch
	w.until(H + 2)
	if s, _ := w.c.ValidatorSet(H + 2); s.Bootstrap {
		t.Fatal("no handover")
	}
	return w, H + 2
}

func doubleSign(t *testing.T, w *world, k *ecdsa.PrivateKey, h uint64) types.Evidence {
	a := types.Vote{Type: types.Precommit, Height: h, Round: 0, BlockHash: types.Hash{1}}
	b := a
	b.BlockHash = types.Hash{2}
	if a.Sign(w.c.ChainID(), k) != nil || b.Sign(w.c.ChainID(), k) != nil {
		t.Fatal("sign")
	}
	return types.Evidence{A: a, B: b}
}

func TestEvidenceSlashesIncludingUnbonding(t *testing.T) {
	w, from := handedOver(t, 40*tao, 40*tao, 10*tao)
	p := w.c.Params().Staking
	// A nominator of validator 0 (coldkey 4), and some of its stake unbonding.
	w.ok(w.call(4, &types.AddStake{Hotkey: hot(0), Amount: 10 * tao}))
	w.ok(w.call(1, &types.RemoveStake{Hotkey: hot(0), Amount: 8 * tao}))
	st := w.st()
	ownBefore, nomBefore := staking.Stake(st, devkeys.Address(1), hot(0)), staking.Stake(st, devkeys.Address(4), hot(0))
	unbBefore := staking.UnbondingOf(st, devkeys.Address(1))[0].Amount
	issBefore := st.Issuance()

	ev := doubleSign(t, w, devkeys.Key(20), from)
	x, _ := w.c.newBlockCtx(w.st(), w.height()+1)
	if err := x.sk.CheckEvidence(&ev); err != nil {
		t.Fatalf("valid evidence refused: %v", err)
	}
	e := w.block([]types.Evidence{ev}, nil)
	if len(e.Block.Evidence) != 1 {
		t.Fatal("evidence not included")
	}
	st = w.st()
	cut := func(v uint64) uint64 { return v - v*uint64(p.SlashFraction)/1_000_000 }
	if got := staking.Stake(st, devkeys.Address(1), hot(0)); got != cut(ownBefore) {
		t.Errorf("own stake %d, want %d", got, cut(ownBefore))
	}
	if got := staking.Stake(st, devkeys.Address(4), hot(0)); got != cut(nomBefore) {
		t.Errorf("nominator stake %d, want %d", got, cut(nomBefore))
	}
	if got := staking.UnbondingOf(st, devkeys.Address(1))[0].Amount; got != cut(unbBefore) {
		t.Errorf("unbonding %d, want %d", got, cut(unbBefore))
	}
	slashed := (ownBefore - cut(ownBefore)) + (nomBefore - cut(nomBefore)) + (unbBefore - cut(unbBefore))
	if st.Issuance() != issBefore+1*tao-slashed {
		t.Errorf("issuance %d, want %d (reward minted, slash recycled)", st.Issuance(), issBefore+1*tao-slashed)
	}
	if h, _ := staking.HotkeyOf(st, hot(0)); !h.Jailed {
		t.Fatal("not jailed")
	}
	// Refusals: duplicate, too old, not in the set, bad signature, same block.
	x, _ = w.c.newBlockCtx(w.st(), w.height()+1)
	if err := x.sk.CheckEvidence(&ev); !errors.Is(err, staking.ErrDuplicateEvidence) {
		t.Errorf("duplicate: %v", err)
	}
	stranger := doubleSign(t, w, devkeys.Key(29), from)
	if err := x.sk.CheckEvidence(&stranger); !errors.Is(err, staking.ErrBadEvidence) {
		t.Errorf("not in set: %v", err)
	}
	forged := doubleSign(t, w, devkeys.Key(21), from)
	forged.B.Signature = forged.A.Signature
	if err := x.sk.CheckEvidence(&forged); !errors.Is(err, staking.ErrBadEvidence) {
		t.Errorf("bad signature: %v", err)
	}
	same := doubleSign(t, w, devkeys.Key(21), from)
	same.B = same.A
	if err := x.sk.CheckEvidence(&same); !errors.Is(err, staking.ErrBadEvidence) {
		t.Errorf("same block: %v", err)
	}
	old := doubleSign(t, w, devkeys.Key(21), from)
	x.sk.Height = from + p.UnbondingPeriod + 1
	if err := x.sk.CheckEvidence(&old); !errors.Is(err, staking.ErrEvidenceTooOld) {
		t.Errorf("too old: %v", err)
	}
	// A jailed validator leaves the set at the next epoch and needs Unjail.
	w.fails(w.call(1, &types.Unjail{Hotkey: hot(0)}), staking.ErrStillJailed)
	H := (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch
	w.until(H + 2)
	s, _ := w.c.ValidatorSet(H + 2)
	for _, v := range s.Validators {
		if v.Address == devkeys.Address(20) {
			t.Fatal("jailed validator still in the set")
		}
	}
	h, _ := staking.HotkeyOf(w.st(), hot(0))
	w.until(h.JailedUntil)
	w.fails(w.call(2, &types.Unjail{Hotkey: hot(0)}), staking.ErrNotOwner)
	w.ok(w.call(1, &types.Unjail{Hotkey: hot(0)}))
	w.fails(w.call(1, &types.Unjail{Hotkey: hot(0)}), staking.ErrNotJailed)
	H = (w.height()/p.ConsensusEpoch + 1) * p.ConsensusEpoch
	w.until(H + 2)
	s, _ = w.c.ValidatorSet(H + 2)
	if s.Validators[0].Address != devkeys.Address(20) && s.Validators[1].Address != devkeys.Address(20) {
		t.Fatalf("unjailed validator not back: %+v", s.Validators)
	}
}

func TestDowntimeJails(t *testing.T) {
	w, _ := handedOver(t, 40*tao, 40*tao, 10*tao)
	p := w.c.Params().Staking
	before := staking.Stake(w.st(), devkeys.Address(3), hot(2))
	skip := map[types.Address]bool{devkeys.Address(22): true}
	var jailedAt uint64
	for i := uint64(0); i < p.DowntimeWindow && jailedAt == 0; i++ {
		w.block(nil, skip)
		if h, _ := staking.HotkeyOf(w.st(), hot(2)); h.Jailed {
			jailedAt = w.height()
		}
	}
	if jailedAt == 0 {
		t.Fatal("validator missing every block was not jailed")
	}
	want := before - before*uint64(p.DowntimeSlash)/1_000_000
	if got := staking.Stake(w.st(), devkeys.Address(3), hot(2)); got != want {
		t.Fatalf("downtime slash: stake %d, want %d", got, want)
	}
	if h, _ := staking.HotkeyOf(w.st(), hot(0)); h.Jailed {
		t.Fatal("a validator that signed was jailed")
	}
}

// TestConservationUnderStaking: balances + stakes + unbonding + pool equal
// total issuance after random sequences of calls, rewards and slashes.
func TestConservationUnderStaking(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		w := newWorld(t)
		rng := rand.New(rand.NewPCG(seed, 7))
		w.stakeValidators(20*tao, 20*tao, 5*tao)
		// Each block pays part of the pool to a random validator hotkey.
		w.c.endBlockHook = func(x *blockCtx) error {
			pool := x.st.Pool()
			r := rng.Uint64N(pool/2 + 1)
			x.st.SetPool(pool - r)
			return staking.CreditReward(x.st, hot(rng.IntN(3)), r)
		}
		for b := 0; b < 30; b++ {
			var txs []*types.Tx
			used := map[int]bool{}
			for n := 0; n < 4; n++ {
				from := 1 + rng.IntN(5)
				if used[from] {
					continue
				}
				used[from] = true
				amt := rng.Uint64N(30*tao) + 1
				var call types.Call
				switch rng.IntN(4) {
				case 0:
					call = &types.Transfer{To: devkeys.Address(rng.IntN(6)), Amount: amt}
				case 1:
					call = &types.AddStake{Hotkey: hot(rng.IntN(3)), Amount: amt}
				case 2:
					call = &types.RemoveStake{Hotkey: hot(rng.IntN(3)), Amount: amt}
				default:
					call = &types.SetTake{Hotkey: hot(rng.IntN(3)), Take: uint32(rng.IntN(180_001))}
				}
				txs = append(txs, w.call(from, call))
			}
			var ev []types.Evidence
			if b == 15 {
				if s, _ := w.c.ValidatorSet(w.height()); !s.Bootstrap {
					ev = append(ev, doubleSign(t, w, w.keys[s.Validators[0].Address], w.height()))
				}
			}
			w.block(ev, nil, txs...)
			checkConservation(t, w, seed, b)
		}
	}
}

func checkConservation(t *testing.T, w *world, seed uint64, b int) {
	t.Helper()
	st := w.st()
	sum := st.Pool()
	for i := 0; i < 30; i++ {
		sum += st.Account(devkeys.Address(i)).Balance
	}
	for _, h := range staking.Hotkeys(st) {
		var total uint64
		for _, n := range staking.Nominators(st, h.Hotkey) {
			sum += n.Amount
			total += n.Amount
		}
		if total != h.Info.TotalStake {
			t.Fatalf("seed %d block %d: hotkey %s total %d, positions %d", seed, b, h.Hotkey, h.Info.TotalStake, total)
		}
		for _, u := range staking.UnbondingOfHotkey(st, h.Hotkey) {
			sum += u.Amount
		}
	}
	if sum != st.Issuance() {
		t.Fatalf("seed %d block %d: balances+stakes+unbonding+pool %d != issuance %d", seed, b, sum, st.Issuance())
	}
}
