package attack

import (
	"crypto/ecdsa"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/txpool"
	"github.com/taonet/taod/types"
)

// inChild runs the calling test again in a child process and fails if the
// child does: a panic inside a node (weakness 5 crashes every node at the
// same height, weakness 9 in gov Propose) then fails that test instead of
// killing the whole suite, and each test's peak RSS is its own process's.
// It reports whether the caller is the child and should run the test body.
func inChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv("TAOD_ATTACK_CHILD") == t.Name() {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=3m")
	cmd.Env = append(os.Environ(), "TAOD_ATTACK_CHILD="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		if len(out) > 6000 {
			out = append([]byte("…"), out[len(out)-6000:]...)
		}
		t.Fatalf("%s in a child process: %v\n%s", t.Name(), err, out)
	}
	t.Logf("child passed:\n%s", lastLines(string(out), 12))
	return false
}

func lastLines(s string, n int) string {
	for i := len(s) - 2; i >= 0; i-- {
		if s[i] == '\n' {
			if n--; n == 0 {
				return s[i+1:]
			}
		}
	}
	return s
}

// submit signs d with key and adds it to node i's pool, failing the test on
// refusal.
func (nw *honestNet) submit(i int, key func() types.TxData, signer int) *types.Tx {
	nw.t.Helper()
	tx, err := types.SignTx(key(), devkeys.Key(signer))
	if err != nil {
		nw.t.Fatal(err)
	}
	if err := nw.nodes[i].n.SubmitTx(tx); err != nil {
		nw.t.Fatalf("submit %T from dev%d: %v", tx.Call(), signer, err)
	}
	return tx
}

// nonceOf is dev key k's next nonce on node i.
func (nw *honestNet) nonceOf(i, k int) uint64 {
	return nw.nodes[i].n.Chain().State().Account(devkeys.Address(k)).Nonce
}

// passParam puts a governance proposal setting key to value to the vote:
// dev2 proposes, dev1 (the only staker) votes yes. It reports whether the
// change is in force on node i a few blocks after the voting period. A fix
// may refuse a change the state cannot take (at submission or when the
// vote ends) rather than migrate the state: that is logged and reported,
// not failed; a crash or a stopped chain is what fails.
func (nw *honestNet) passParam(i int, id uint64, key, value string, inForce func() bool) bool {
	t := nw.t
	t.Helper()
	chainID := nw.chainID()
	sign := func(k int, d types.TxData) *types.Tx {
		tx, err := types.SignTx(d, devkeys.Key(k))
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	n2 := nw.nonceOf(i, 2)
	pro := sign(2, types.TxData{ChainID: chainID, Nonce: n2, Fee: generousFee, Call: &types.Propose{
		ProposalKind: types.ProposalParamChange, Title: "set " + key,
		Changes: []types.ParamChange{{Key: key, Value: value}}, Deposit: types.RaoPerTAO,
	}})
	if err := nw.nodes[i].n.SubmitTx(pro); err != nil {
		t.Logf("proposal %s=%s refused at submission: %v", key, value, err)
		return false
	}
	if !nw.waitNonce(i, devkeys.Address(2), n2+1, 15*time.Second) {
		t.Fatalf("proposal %d (%s=%s) not committed within 15 s", id, key, value)
	}
	end := nw.height(i) + nw.nodes[i].n.Chain().Params().Gov.VotingPeriod + 5
	n1 := nw.nonceOf(i, 1)
	vote := sign(1, types.TxData{ChainID: chainID, Nonce: n1, Fee: generousFee, Call: &types.GovVote{ProposalID: id, Option: types.VoteYes}})
	if err := nw.nodes[i].n.SubmitTx(vote); err != nil {
		t.Fatalf("vote on proposal %d: %v", id, err)
	}
	if !nw.waitNode(i, end, 30*time.Second) {
		t.Fatalf("%s did not reach height %d (voting end + 5) within 30 s: at %d", nw.nodes[i].name, end, nw.height(i))
	}
	if !inForce() {
		t.Logf("proposal %d (%s=%s) not in force after its vote: refused", id, key, value)
		return false
	}
	return true
}

// A passed proposal raises staking.downtime_window (20 → 1,000) while a
// validator is offline, then lowers it (→ 10); the offline validator comes
// back. No node crashes, blocks continue at their pace, and the returning
// validator catches up (weakness 5: today raising it leaves the offline
// validator's record with a 3-byte bit array indexed up to 124: index out
// of range in chain/evidence.go, on every node at the same height, and
// again on every restart). Runs in a child process, so that today's panic
// fails this test only (as every attack does: inChild).
func TestAttackGovDowntimeWindow(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	// dev1 holds all the stake that votes, under the 1 TAO a validator
	// needs: the set is unchanged.
	nw.bindAndStake(1, types.RaoPerTAO/2)

	// node3 goes offline: its downtime record fills with misses. The
	// baseline is the three validators' rate without it (its proposer turns
	// time out): the attack is the parameter change, not the absence.
	nw.stop(3)
	// Without node3 every fourth height waits out a propose timeout, so
	// blocks come at ~1.5/s, unevenly: windows of 12 s (~18 blocks) keep
	// one block more or less within a few percent.
	const window3 = 12 * time.Second
	base := nw.rates(window3)
	window := func() uint64 { return nw.nodes[0].n.Chain().Params().Staking.DowntimeWindow }
	if nw.passParam(0, 1, "staking.downtime_window", "1000", func() bool { return window() == 1000 }) {
		t.Logf("downtime_window raised to 1,000 by height %d", nw.height(0))
	}
	under := nw.rates(window3)
	if nw.passParam(0, 2, "staking.downtime_window", "10", func() bool { return window() == 10 }) {
		t.Logf("downtime_window lowered to 10 by height %d", nw.height(0))
	}
	h := nw.maxHeight()
	nw.waitAll(h+10, 20*time.Second)
	// The offline validator returns and catches up through both changes.
	nw.start(3, nil)
	nw.waitAll(nw.maxHeight()+5, 30*time.Second)
	// Three validators of four (power 30 of 40) carried the chain: their
	// rate under the changes is compared with the three's before.
	nw.assertHealthy(base[:3], under[:3])
}

// bindAndStake has dev key k bind a fresh hotkey (with a fresh consensus
// key) and stake amount on it; it returns the hotkey.
func (nw *honestNet) bindAndStake(k int, amount uint64) types.Address {
	t := nw.t
	t.Helper()
	chainID := nw.chainID()
	hot, cons := newKey(t), newKey(t)
	hotA, consA := crypto.PubkeyToAddress(hot.PublicKey), crypto.PubkeyToAddress(cons.PublicKey)
	msg := types.BindMessage(chainID, devkeys.Address(k), hotA, consA)
	hs, err := crypto.Sign(msg[:], hot)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := crypto.Sign(msg[:], cons)
	if err != nil {
		t.Fatal(err)
	}
	n := nw.nonceOf(0, k)
	nw.submit(0, func() types.TxData {
		return types.TxData{ChainID: chainID, Nonce: n, Fee: generousFee,
			Call: &types.BindConsensusKey{Hotkey: hotA, ConsensusKey: consA, HotkeySig: hs, ConsensusSig: cs}}
	}, k)
	nw.submit(0, func() types.TxData {
		return types.TxData{ChainID: chainID, Nonce: n + 1, Fee: generousFee, Call: &types.AddStake{Hotkey: hotA, Amount: amount}}
	}, k)
	if !nw.waitNonce(0, devkeys.Address(k), n+2, 15*time.Second) {
		t.Fatal("bind and stake not committed")
	}
	return hotA
}

// Gov Propose/Cancel spam over many stake positions: 2,000 accounts stake
// the minimum on one hotkey, then one sender keeps 64 txs in flight,
// proposing and at once cancelling (the deposit comes back, only fees are
// spent). Each Propose snapshots every stake position. Block rate must hold
// (weakness 6: writes amplified per Propose, and state.Iterate rescanning
// the block's writes on each call: quadratic).
// submitRetrying submits tx as a client told "busy" would: again after a
// pause while the pool's admission bound refuses it (txpool.ErrBusy), until
// wait has passed. For set-up bursts larger than the bound.
func submitRetrying(n *node.Node, tx *types.Tx, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := n.SubmitTx(tx)
		if !errors.Is(err, txpool.ErrBusy) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAttackGovProposeCancelSpam(t *testing.T) {
	if !inChild(t) {
		return
	}
	const positions = 2_000
	fund := map[types.Address]uint64{}
	keys := make([]*ecdsa.PrivateKey, positions)
	for a := range keys {
		keys[a] = cheapKey(a)
		fund[crypto.PubkeyToAddress(keys[a].PublicKey)] = types.RaoPerTAO
	}
	nw := newNetwork(t, netOpts{fund: fund})
	chainID := nw.chainID()
	hot := nw.bindAndStake(1, types.RaoPerTAO/2)
	minStake := nw.nodes[0].n.Chain().Params().Staking.MinStake
	for a, key := range keys {
		tx, err := types.SignTx(types.TxData{ChainID: chainID, Fee: generousFee / 100, Call: &types.AddStake{Hotkey: hot, Amount: minStake}}, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := submitRetrying(nw.nodes[a%nw.vals].n, tx, 30*time.Second); err != nil {
			t.Fatalf("stake position %d: %v", a, err)
		}
	}
	last := crypto.PubkeyToAddress(keys[positions-1].PublicKey)
	deadline := time.Now().Add(30 * time.Second)
	for nw.nodes[0].n.Chain().State().Account(last).Nonce == 0 || nw.nodes[0].n.Chain().State().Account(crypto.PubkeyToAddress(keys[0].PublicKey)).Nonce == 0 {
		if time.Now().After(deadline) {
			t.Fatal("stake positions not committed within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d stake positions on one hotkey by height %d", positions, nw.height(0))

	// dev2 alone proposes, so its j-th proposal has ID j+1.
	var proposals uint64
	var next uint64
	var refused firstErr
	nw.underAttack(func(r *runner) {
		r.every(50*time.Millisecond, func() {
			done := nw.nonceOf(0, 2)
			next = max(next, done)
			for ; next < done+64 && !r.stopped(); next += 2 {
				proposals++
				id := proposals
				pro, err := types.SignTx(types.TxData{ChainID: chainID, Nonce: next, Fee: generousFee, Call: &types.Propose{
					ProposalKind: types.ProposalText, Title: "spam", Deposit: types.RaoPerTAO}}, devkeys.Key(2))
				if err != nil {
					t.Error(err)
					return
				}
				can, err := types.SignTx(types.TxData{ChainID: chainID, Nonce: next + 1, Fee: generousFee, Call: &types.CancelProposal{ProposalID: id}}, devkeys.Key(2))
				if err != nil {
					t.Error(err)
					return
				}
				if err := nw.nodes[0].n.SubmitTx(pro); err != nil {
					refused.note(err)
					proposals--
					return
				}
				if err := nw.nodes[0].n.SubmitTx(can); err != nil {
					refused.note(err)
					return
				}
			}
		})
	})
	refused.log(t, "spam txs")
	t.Logf("proposals made and cancelled: %d (committed: dev2 nonce %d)", proposals, nw.nonceOf(0, 2))
	if nw.nonceOf(0, 2) < 40 {
		t.Errorf("only %d spam txs committed: the attack did not run (or the chain stopped)", nw.nonceOf(0, 2))
	}
}
