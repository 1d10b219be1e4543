package chain

import (
	"bytes"
	"errors"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"testing"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// stakedWorld binds hotkeys 0..hotkeys-1 (owned by coldkey 1) and stakes
// from coldkeys 0..5 on each: 6 × hotkeys stake positions.
func stakedWorld(t *testing.T, hotkeys int) *world {
	w := newWorld(t)
	var txs []*types.Tx
	for i := 0; i < hotkeys; i++ {
		txs = append(txs, w.bind(1, i))
	}
	w.ok(txs...)
	txs = nil
	for i := 0; i < hotkeys; i++ {
		for c := 0; c < 6; c++ {
			txs = append(txs, w.call(c, &types.AddStake{Hotkey: hot(i), Amount: tao}))
		}
	}
	w.ok(txs...)
	return w
}

// proposeCancelWrites runs cycles Propose+Cancel pairs from coldkey 5 in one
// block's context and returns the state writes they made.
func proposeCancelWrites(t *testing.T, w *world, cycles int) int {
	t.Helper()
	st := w.st()
	x, err := w.c.newBlockCtx(st, w.height()+1)
	if err != nil {
		t.Fatal(err)
	}
	from := devkeys.Address(5)
	before := st.Snapshot() // the journal length: one entry per write
	for i := 0; i < cycles; i++ {
		if err := x.gv.Propose(from, &types.Propose{ProposalKind: types.ProposalText, Title: "spam", Deposit: tao}); err != nil {
			t.Fatal(err)
		}
		id := getU64(st, keyNextProposal)
		if err := x.gv.CancelProposal(from, &types.CancelProposal{ProposalID: id}); err != nil {
			t.Fatal(err)
		}
	}
	return st.Snapshot() - before
}

// TestGovProposeWritesIndependentOfStake attacks weakness 6: each Propose
// wrote a snapshot of every stake position (and every staked hotkey's
// owner), and Cancel refunded the whole deposit, so one deposit drove
// hundreds of writes per cycle, many cycles per block. Now the writes of a
// Propose+Cancel cycle do not depend on the number of positions.
func TestGovProposeWritesIndependentOfStake(t *testing.T) {
	small, large := stakedWorld(t, 1), stakedWorld(t, 10) // 6 and 60 positions
	const cycles = 10
	ws, wl := proposeCancelWrites(t, small, cycles), proposeCancelWrites(t, large, cycles)
	t.Logf("writes for %d Propose+Cancel cycles: %d with 6 positions, %d with 60", cycles, ws, wl)
	if ws != wl {
		t.Fatalf("writes depend on the stake positions: %d with 6, %d with 60", ws, wl)
	}
	if per := wl / cycles; per > 12 {
		t.Fatalf("%d writes per Propose+Cancel cycle", per)
	}
}

// TestGovCancelForfeitsAndEndCap: a cancellation recycles half the deposit
// (a cycle is not free), and at most gov.MaxProposalsPerEnd proposals end at one
// height, so a block's tally work is bounded.
func TestGovCancelForfeitsAndEndCap(t *testing.T) {
	w := stakedWorld(t, 2)
	st := w.st()
	x, _ := w.c.newBlockCtx(st, w.height()+1)
	from := devkeys.Address(5)
	bal, iss := st.Account(from).Balance, st.Issuance()
	for i := 0; i < gov.MaxProposalsPerEnd; i++ {
		if err := x.gv.Propose(from, &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: 2 * tao}); err != nil {
			t.Fatalf("proposal %d: %v", i, err)
		}
	}
	if err := x.gv.Propose(from, &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: 2 * tao}); !errors.Is(err, gov.ErrTooManyProposals) {
		t.Fatalf("proposal beyond the cap: %v", err)
	}
	if err := x.gv.CancelProposal(from, &types.CancelProposal{ProposalID: 1}); err != nil {
		t.Fatal(err)
	}
	if got := st.Account(from).Balance; got != bal-gov.MaxProposalsPerEnd*2*tao+tao {
		t.Fatalf("balance after cancel %d, want half the deposit back", got)
	}
	if st.Issuance() != iss-tao {
		t.Fatalf("issuance %d, want %d: half the deposit recycled", st.Issuance(), iss-tao)
	}
	// The cancellation freed its slot.
	if err := x.gv.Propose(from, &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: 2 * tao}); err != nil {
		t.Fatalf("slot not freed by the cancellation: %v", err)
	}
}

// TestForeignAndMalformedStakeKeys: a foreign key under the stake prefix
// (issue 11: a trie node hash starting "k", read through the flat keyspace
// as a 31-byte key) made Propose slice it out of range ([1:41]) on every
// validator. Now Propose does not scan positions; every decoder leaves a
// key of another shape out (so a node's result does not depend on which
// such keys its store holds) and refuses a record of the right shape with a
// malformed value (staking.ErrMalformedRecord) instead of panicking.
func TestForeignAndMalformedStakeKeys(t *testing.T) {
	w := stakedWorld(t, 1)
	// The same proposal and vote on a state without foreign keys, for
	// reference.
	ref := w.st()
	xr, _ := w.c.newBlockCtx(ref, w.height()+1)
	if err := xr.gv.Propose(devkeys.Address(5), &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: tao}); err != nil {
		t.Fatal(err)
	}
	ref.Set(govKey('v', 1, devkeys.Address(1).Bytes()), []byte{types.VoteYes})
	clean, cleanTotal, err := gov.TallyStake(ref, []uint64{1})
	if err != nil || clean[0].Yes == 0 {
		t.Fatalf("reference tally %+v: %v", clean, err)
	}

	st := w.st()
	x, _ := w.c.newBlockCtx(st, w.height()+1)
	// Foreign keys of a trie node's length (31 bytes after the flat prefix)
	// under the prefixes execution scans; the one under "k" is what Propose
	// sliced out of range.
	for _, p := range [][]byte{{pStake}, key(pStake, hot(0).Bytes()), {pPending}, {pCandidate}, {pMissed}, key(pRelease, u64b(x.height)), govKey('v', 1), key(pGov, []byte{'e'}, u64b(x.height)), key(pUnbond, hot(0).Bytes())} {
		k := append(bytes.Clone(p), make([]byte, 31-len(p))...)
		k[len(k)-1] = 0x5A
		st.Set(k, []byte{0xDE, 0xAD})
	}
	if err := x.gv.Propose(devkeys.Address(5), &types.Propose{ProposalKind: types.ProposalText, Title: "t", Deposit: tao}); err != nil {
		t.Fatal(err)
	}
	st.Set(govKey('v', 1, devkeys.Address(1).Bytes()), []byte{types.VoteYes})
	if got, total, err := gov.TallyStake(st, []uint64{1}); err != nil || got[0] != clean[0] || total != cleanTotal {
		t.Fatalf("tally with foreign keys: %+v of %d (%v), want %+v of %d", got, total, err, clean[0], cleanTotal)
	}
	if _, err := x.sk.Slash(hot(0), 1000); err != nil {
		t.Fatalf("slash with foreign keys: %v", err)
	}
	if err := staking.CreditReward(st, hot(0), tao); err != nil {
		t.Fatalf("reward with foreign keys: %v", err)
	}
	if _, err := 0, x.sk.ReleaseUnbonding(); err != nil {
		t.Fatalf("release with foreign keys: %v", err)
	}
	if err := x.sk.UpdateValidatorSet(); err != nil {
		t.Fatalf("validator set with foreign keys: %v", err)
	}
	if err := migrateDowntimeWindow(st, x.height, 20, 40); err != nil {
		t.Fatalf("downtime migration with foreign keys: %v", err)
	}
	if err := x.gv.EndBlock(); err != nil {
		t.Fatalf("end of voting with foreign keys: %v", err)
	}
	if n := staking.Nominators(st, hot(0)); len(n) != 6 {
		t.Fatalf("query lists %d positions, want the 6 real ones", len(n))
	}
	// Query scans leave foreign keys out instead of panicking on them.
	st.Set([]byte{pGov, 'p', 0xFF}, []byte{0xC5, 1})
	st.Set(append(key(pRootMember), 0x01), marker)
	if prs := gov.Proposals(st); len(prs) != 1 {
		t.Fatalf("%d proposals listed, want the one real", len(prs))
	}
	if len(subnet.RootMembers(st)) != 0 {
		t.Fatal("a foreign key listed as a root member")
	}
	// A record of the right shape with a malformed value is corruption.
	st.Set(key(pStake, hot(0).Bytes(), devkeys.Address(1).Bytes()), []byte{1, 2, 3})
	if _, _, err := gov.TallyStake(st, []uint64{1}); !errors.Is(err, staking.ErrMalformedRecord) {
		t.Fatalf("tally over a malformed position: %v", err)
	}
	if _, err := x.sk.Slash(hot(0), 1000); !errors.Is(err, staking.ErrMalformedRecord) {
		t.Fatalf("slash over a malformed position: %v", err)
	}
	st.Set(key(pRelease, u64b(x.height), hot(0).Bytes(), devkeys.Address(3).Bytes()), marker)
	if _, err := 0, x.sk.ReleaseUnbonding(); !errors.Is(err, staking.ErrMalformedRecord) {
		t.Fatalf("release queue entry without its amount: %v", err)
	}
}

// BenchmarkTallyStake20k: the end-of-voting tally of 16 proposals over
// 20,000 committed stake positions (2,000 hotkeys × 10 coldkeys), one pass.
func BenchmarkTallyStake20k(b *testing.B) {
	c := newTestChain(b, 6)
	c.endBlockHook = func(x *blockCtx) error {
		for h := 0; h < 2_000; h++ {
			var hk types.Address
			hk[0], hk[1], hk[19] = 0xEE, byte(h>>8), byte(h)
			staking.RegisterHotkey(x.st, x.p.Staking, hk, devkeys.Address(h%6))
			for ck := 0; ck < 10; ck++ {
				staking.CreditStake(x.st, devkeys.Address(100+ck), hk, tao)
			}
		}
		return nil
	}
	produce(b, c)
	c.endBlockHook = nil
	st := c.State()
	ids := make([]uint64, gov.MaxProposalsPerEnd)
	for i := range ids {
		ids[i] = uint64(i + 1)
		for v := 0; v < 6; v++ {
			st.Set(govKey('v', ids[i], devkeys.Address(v).Bytes()), []byte{types.VoteYes})
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t, total, err := gov.TallyStake(st, ids)
		if err != nil || total != 20_000*tao || t[0].Yes != total {
			b.Fatalf("tally %+v of %d: %v", t[0], total, err)
		}
	}
}
