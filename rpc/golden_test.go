package rpc_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/query"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

var update = flag.Bool("update", false, "rewrite testdata/responses.golden")

const tao = types.RaoPerTAO

// goldenChain is a test-preset chain built block by block in the test, with
// a known history: transfers (native and Ethereum-signed), a registration,
// stake from an owner and a nominator, an axon, unbonding, root
// registration, a governance proposal with votes, and enough blocks for an
// epoch to pay out.
type goldenChain struct {
	t     testing.TB
	c     *chain.Chain
	store *state.Store
	txs   map[string]types.Hash // named txs, for the calls that look them up
}

func (g *goldenChain) produce(txs ...*types.Tx) *chain.Executed {
	g.t.Helper()
	head, _ := g.store.Head()
	var last *types.Commit
	if head.Height > 0 {
		lc, err := g.store.SeenCommit(head.Height)
		if err != nil {
			g.t.Fatal(err)
		}
		last = lc
	}
	e, rej, err := g.c.Propose(chain.Proposal{Time: head.Time + 200, Proposer: devkeys.Address(0), LastCommit: last}, txs)
	if err != nil {
		g.t.Fatal(err)
	}
	if len(rej) != 0 {
		g.t.Fatalf("block %d rejected %v", e.Block.Height(), rej)
	}
	for i, r := range e.Receipts {
		if r.Status != types.ReceiptSuccess {
			g.t.Fatalf("block %d tx %d (%s) failed: %s", e.Block.Height(), i, txs[i].Call().Kind(), r.Error)
		}
	}
	b := e.Block
	cm := &types.Commit{Height: b.Height(), BlockHash: b.Hash()}
	v := types.Vote{Type: types.Precommit, Height: b.Height(), BlockHash: b.Hash()}
	if err := v.Sign(g.c.ChainID(), devkeys.Key(0)); err != nil {
		g.t.Fatal(err)
	}
	cm.Signatures = append(cm.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	if err := g.c.Commit(e, cm); err != nil {
		g.t.Fatal(err)
	}
	return e
}

func (g *goldenChain) sign(key *ecdsa.PrivateKey, nonce uint64, call types.Call) *types.Tx {
	g.t.Helper()
	tx, err := chain.SignPayingMinFee(g.c.Params(), types.TxData{ChainID: g.c.ChainID(), Nonce: nonce, Call: call}, key)
	if err != nil {
		g.t.Fatal(err)
	}
	return tx
}

func newGoldenChain(t testing.TB) *goldenChain {
	t.Helper()
	c, store := openChain(t, state.Options{CacheMB: 8, TrieCache: 4, Index: true}, 4, func(gen *chain.Genesis) {
		gen.Subnets = []chain.GenesisSubnet{{Name: "apex", Owner: devkeys.Address(0)}}
	})
	g := &goldenChain{t: t, c: c, store: store, txs: map[string]types.Hash{}}
	owner, nominator, hot := devkeys.Key(1), devkeys.Key(2), devkeys.Key(10)
	hotkey := devkeys.Address(10)

	transfer := g.sign(devkeys.Key(0), 0, &types.Transfer{To: types.Address{0x42}, Amount: 3 * tao})
	reg := g.sign(owner, 0, &types.BurnedRegister{Netuid: 1, Hotkey: hotkey})
	fund := g.sign(devkeys.Key(0), 1, &types.Transfer{To: hotkey, Amount: tao})
	miner := g.sign(devkeys.Key(0), 2, &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(11)})
	g.produce(transfer, reg, fund, miner)
	g.txs["transfer"], g.txs["register"] = transfer.Hash(), reg.Hash()

	stake := g.sign(owner, 1, &types.AddStake{Hotkey: hotkey, Amount: 100 * tao})
	nominate := g.sign(nominator, 0, &types.AddStake{Hotkey: hotkey, Amount: 40 * tao})
	axon := g.sign(hot, 0, &types.ServeAxon{Netuid: 1, IP: []byte{10, 0, 0, 7}, Port: 8091, Protocol: 4, Version: 3})
	g.produce(stake, nominate, axon)
	g.txs["stake"] = stake.Hash()

	unstake := g.sign(nominator, 1, &types.RemoveStake{Hotkey: hotkey, Amount: 5 * tao})
	root := g.sign(owner, 2, &types.RootRegister{Hotkey: hotkey})
	propose := g.sign(owner, 3, &types.Propose{ProposalKind: types.ProposalText, Title: "golden", Description: "a text proposal", Deposit: g.c.Params().Gov.MinDeposit})
	etx := ethtypes.MustSignNewTx(devkeys.Key(3), ethtypes.LatestSignerForChainID(new(big.Int).SetUint64(g.c.ChainID())),
		&ethtypes.DynamicFeeTx{ChainID: new(big.Int).SetUint64(g.c.ChainID()), Nonce: 0, GasFeeCap: big.NewInt(5e9), GasTipCap: big.NewInt(1e9),
			Gas: 60_000, To: &types.Address{0x43}, Value: types.RaoToWei(2 * tao)})
	raw, _ := etx.MarshalBinary()
	ethTransfer, err := types.DecodeTx(raw)
	if err != nil {
		t.Fatal(err)
	}
	g.produce(unstake, root, propose, ethTransfer)
	g.txs["eth"] = ethTransfer.Hash()

	g.produce(g.sign(owner, 4, &types.GovVote{ProposalID: 1, Option: types.VoteYes}), g.sign(nominator, 2, &types.GovVote{ProposalID: 1, Option: types.VoteNo}))
	for range 12 { // past an epoch of subnet 1 (tempo 10) and the vote's end
		g.produce()
	}
	// The validator weighs both neurons; the next epoch pays by the weights.
	g.produce(g.sign(hot, 1, &types.SetWeights{Netuid: 1, UIDs: []uint16{0, 1}, Weights: []uint16{100, 65535}}))
	for range 10 {
		g.produce()
	}
	// A second proposal, still voting: its tally is live.
	g.produce(g.sign(owner, 5, &types.Propose{ProposalKind: types.ProposalText, Title: "open", Deposit: g.c.Params().Gov.MinDeposit}))
	g.produce(g.sign(nominator, 3, &types.GovVote{ProposalID: 2, Option: types.VoteAbstain}),
		g.sign(devkeys.Key(3), 1, &types.ScheduleColdkeySwap{NewColdkey: types.Address{0x44}}))
	return g
}

// testBackend serves a chain through the node's query surface, with an
// empty txpool and no network.
type testBackend struct {
	*query.Chain
	c    *chain.Chain
	sync rpc.SyncStatus
}

func newTestBackend(c *chain.Chain) testBackend { return testBackend{Chain: query.New(c), c: c} }

func (b testBackend) DecodeTx(raw []byte) (*types.Tx, error)         { return types.DecodeTx(raw) }
func (b testBackend) SubmitTx(*types.Tx) error                       { return errors.New("read-only test backend") }
func (b testBackend) PendingTx(types.Hash) (*types.Tx, bool)         { return nil, false }
func (b testBackend) PoolSize() int                                  { return 0 }
func (b testBackend) SubscribeHeads() (<-chan *types.Header, func()) { return nil, func() {} }
func (b testBackend) Started() time.Time                             { return time.Now() }
func (b testBackend) Peers() int                                     { return 0 }
func (b testBackend) PendingNonce(a types.Address) uint64            { return b.c.State().Account(a).Nonce }
func (b testBackend) SyncStatus() rpc.SyncStatus                     { return b.sync }

// TestResponsesUnchanged calls every read method of every namespace on a
// chain with a known history and compares each answer, byte for byte, with
// testdata/responses.golden, recorded before the API was moved onto its
// query interface: refactors of the read path must not change a response.
// Rewrite the file with -update only for a deliberate change of the API.
func TestResponsesUnchanged(t *testing.T) {
	g := newGoldenChain(t)
	client := dialChain(t, g.c)

	head, _ := g.store.Head()
	b3, err := g.store.BlockByHeight(3)
	if err != nil {
		t.Fatal(err)
	}
	owner, nominator, hotkey, stranger := devkeys.Address(1), devkeys.Address(2), devkeys.Address(10), types.Address{0x99}
	hex := func(n uint64) string { return fmt.Sprintf("0x%x", n) }
	calls := []struct {
		method string
		params []any
	}{
		{"tao_chainId", nil},
		{"tao_blockNumber", nil},
		{"tao_getBlockByNumber", []any{3, false}},
		{"tao_getBlockByNumber", []any{3, true}},
		{"tao_getBlockByNumber", []any{"latest", false}},
		{"tao_getBlockByNumber", []any{"0x1", true}},
		{"tao_getBlockByNumber", []any{1_000_000, false}},
		{"tao_getBlockByHash", []any{b3.Hash(), true}},
		{"tao_getBlockByHash", []any{types.Hash{1}, false}},
		{"tao_getBalance", []any{owner}},
		{"tao_getBalance", []any{owner, 1}},
		{"tao_getBalance", []any{owner, "earliest"}},
		{"tao_getBalance", []any{owner, 1_000_000}},
		{"tao_getNonce", []any{owner}},
		{"tao_getNonce", []any{owner, 2}},
		{"tao_getNonce", []any{owner, "pending"}},
		{"tao_getTransactionByHash", []any{g.txs["transfer"]}},
		{"tao_getTransactionByHash", []any{g.txs["eth"]}},
		{"tao_getTransactionByHash", []any{types.Hash{2}}},
		{"tao_getTransactionReceipt", []any{g.txs["stake"]}},
		{"tao_getTransactionReceipt", []any{g.txs["eth"]}},
		{"tao_getTransactionReceipt", []any{types.Hash{2}}},
		{"tao_totalIssuance", nil},
		{"tao_emissionSchedule", nil},
		{"tao_getProof", []any{types.Address{0x42}, 2}},
		{"tao_getProof", []any{stranger}},
		{"tao_getProof", []any{owner, 1_000_000}},

		{"subnet_list", nil},
		{"subnet_info", []any{1}},
		{"subnet_info", []any{99}},
		{"subnet_hyperparams", []any{1}},
		{"subnet_hyperparams", []any{99}},
		{"subnet_metagraph", []any{1}},
		{"subnet_metagraph", []any{99}},
		{"subnet_snapshot", []any{1}},
		{"subnet_snapshot", []any{99}},
		{"subnet_neuron", []any{1, 0}},
		{"subnet_neuron", []any{1, 50}},
		{"subnet_bonds", []any{1, 0}},
		{"subnet_bonds", []any{1, 1}},
		{"subnet_bonds", []any{1, 50}},
		{"subnet_bonds", []any{99, 0}},
		{"subnet_weights", []any{1}},
		{"subnet_weights", []any{99}},
		{"subnet_weightsCommit", []any{1, hotkey}},
		{"subnet_weightsCommit", []any{99, hotkey}},
		{"subnet_weightsCommit", []any{1, "0x12"}},
		{"subnet_root", nil},
		{"subnet_lockCost", nil},

		{"stake_getStake", []any{owner, hotkey}},
		{"stake_getStake", []any{stranger, hotkey}},
		{"stake_ofHotkey", []any{hotkey}},
		{"stake_ofHotkey", []any{stranger}},
		{"stake_delegates", nil},
		{"stake_stakesOf", []any{nominator}},
		{"stake_stakesOf", []any{stranger}},
		{"stake_validators", nil},
		{"stake_validators", []any{1}},
		{"stake_validators", []any{head.Height + 2}},
		{"stake_unbonding", []any{nominator}},
		{"stake_coldkeySwap", []any{devkeys.Address(3)}},
		{"stake_coldkeySwap", []any{stranger}},
		{"stake_coldkeySwaps", nil},
		{"stake_coldkeySwaps", []any{1}},
		{"stake_coldkeySwaps", []any{0}},

		{"gov_proposals", nil},
		{"gov_proposals", []any{"voting"}},
		{"gov_proposals", []any{"passed"}},
		{"gov_proposals", []any{"bogus"}},
		{"gov_proposal", []any{1}},
		{"gov_proposal", []any{2}},
		{"gov_proposal", []any{99}},
		{"gov_votes", []any{1}},
		{"gov_votes", []any{2}},
		{"gov_votes", []any{99}},
		{"gov_params", nil},

		{"net_version", nil},

		{"eth_chainId", nil},
		{"eth_blockNumber", nil},
		{"eth_gasPrice", nil},
		{"eth_maxPriorityFeePerGas", nil},
		{"eth_getBlockByNumber", []any{hex(3), true}},
		{"eth_getBlockByNumber", []any{"latest", false}},
		{"eth_getBlockByNumber", []any{"earliest", false}},
		{"eth_getBlockByNumber", []any{hex(1_000_000), false}},
		{"eth_getBlockByHash", []any{b3.Hash(), false}},
		{"eth_getBlockByHash", []any{types.Hash{1}, false}},
		{"eth_getBalance", []any{owner, "latest"}},
		{"eth_getBalance", []any{owner, hex(1)}},
		{"eth_getBalance", []any{owner, map[string]any{"blockHash": b3.Hash()}}},
		{"eth_getBalance", []any{owner, map[string]any{"blockHash": types.Hash{1}}}},
		{"eth_getTransactionCount", []any{devkeys.Address(3), "latest"}},
		{"eth_getTransactionCount", []any{devkeys.Address(3), hex(2)}},
		{"eth_getTransactionCount", []any{devkeys.Address(3), "pending"}},
		{"eth_getCode", []any{owner, "latest"}},
		{"eth_getStorageAt", []any{owner, "0x00", "latest"}},
		{"eth_call", []any{map[string]any{"to": owner}, "latest"}},
		{"eth_estimateGas", []any{map[string]any{"from": owner, "to": stranger, "value": "0x3b9aca00"}}},
		{"eth_estimateGas", []any{map[string]any{"from": stranger, "to": owner, "value": "0x3b9aca00"}}},
		{"eth_estimateGas", []any{map[string]any{"from": owner}}},
		{"eth_getTransactionByHash", []any{g.txs["transfer"]}},
		{"eth_getTransactionByHash", []any{g.txs["eth"]}},
		{"eth_getTransactionByHash", []any{g.txs["register"]}},
		{"eth_getTransactionReceipt", []any{g.txs["eth"]}},
		{"eth_getTransactionReceipt", []any{g.txs["register"]}},
		{"eth_getTransactionReceipt", []any{types.Hash{2}}},
		{"eth_feeHistory", []any{"0x5", "latest", []float64{25, 75}}},
		{"eth_feeHistory", []any{"0x5", hex(3), []float64{}}},
		{"eth_feeHistory", []any{"0x5", hex(1_000_000), []float64{}}},
	}
	var got bytes.Buffer
	ctx := context.Background()
	for _, c := range calls {
		var res json.RawMessage
		err := client.CallContext(ctx, &res, c.method, c.params...)
		params, _ := json.Marshal(c.params)
		fmt.Fprintf(&got, "%s %s\n", c.method, params)
		var rerr gethrpc.Error
		switch {
		case errors.As(err, &rerr):
			fmt.Fprintf(&got, "  error %d: %s\n", rerr.ErrorCode(), rerr.Error())
		case err != nil:
			t.Fatalf("%s: %v", c.method, err)
		default:
			var indented bytes.Buffer
			if err := json.Indent(&indented, res, "  ", "  "); err != nil {
				t.Fatalf("%s: %v", c.method, err)
			}
			fmt.Fprintf(&got, "  %s\n", indented.Bytes())
		}
	}

	path := filepath.Join("testdata", "responses.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (record it with -update)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		gl, wl := bytes.Split(got.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := range min(len(gl), len(wl)) {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("responses differ from %s at line %d:\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("responses differ from %s in length: %d lines, want %d", path, len(gl), len(wl))
	}
}
