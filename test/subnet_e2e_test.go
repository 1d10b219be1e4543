package test

import (
	"crypto/ecdsa"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// sendAll signs each (key, fee, call), sends them and waits for every receipt.
type job struct {
	key  *ecdsa.PrivateKey
	fee  uint64
	call types.Call
}

func (tn *testNode) run(t *testing.T, jobs ...job) []*rpc.ReceiptJSON {
	t.Helper()
	var chainID uint64
	tn.call(t, &chainID, "tao_chainId")
	nonces := map[types.Address]uint64{}
	var hashes []types.Hash
	for _, j := range jobs {
		a := crypto.PubkeyToAddress(j.key.PublicKey)
		n, ok := nonces[a]
		if !ok {
			tn.call(t, &n, "tao_getNonce", a)
		}
		nonces[a] = n + 1
		d := types.TxData{ChainID: chainID, Nonce: n, Fee: j.fee, Call: j.call}
		tx, err := types.SignTx(d, j.key)
		if j.fee > 0 {
			tx = signPaying(t, j.key, d) // the length fee on top of the weight
		}
		if err != nil {
			t.Fatal(err)
		}
		var h types.Hash
		if err := tn.client.Call(&h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes())); err != nil {
			t.Fatalf("%v: %v", j.call.Kind(), err)
		}
		hashes = append(hashes, h)
	}
	out := make([]*rpc.ReceiptJSON, len(hashes))
	for i, h := range hashes {
		out[i] = tn.waitReceipt(t, h)
		if out[i].Status != "success" {
			t.Fatalf("%v failed: %s", jobs[i].call.Kind(), out[i].Error)
		}
	}
	return out
}

func paid(k *ecdsa.PrivateKey, c types.Call) job { return job{k, c.Weight(), c} }
func free(k *ecdsa.PrivateKey, c types.Call) job { return job{k, 0, c} }

// TestSubnetEndToEnd: on the test preset (tempo 10, 200 ms blocks) a subnet is
// created, 3 validators register by burn and stake, 8 miners register (4 by
// burn, 4 by proof of work from empty hotkeys), validators set weights over
// several tempos, and the metagraph, stakes and balances move as the rules say.
func TestSubnetEndToEnd(t *testing.T) {
	tn := startNode(t, nil)
	owner := devkeys.Key(0)
	tn.run(t, paid(owner, &types.RegisterNetwork{Name: "e2e"}))
	var info rpc.SubnetJSON
	tn.call(t, &info, "subnet_info", 1)
	if info.Owner == nil || *info.Owner != devkeys.Address(0) || info.Tempo != 10 {
		t.Fatalf("subnet_info %+v", info)
	}
	// Validators: hotkeys 30..32, coldkeys dev1..dev3.
	var jobs []job
	for i := 0; i < 3; i++ {
		jobs = append(jobs, paid(devkeys.Key(1+i), &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(30 + i)}))
	}
	tn.run(t, jobs...)
	tn.run(t, paid(devkeys.Key(1), &types.AddStake{Hotkey: devkeys.Address(30), Amount: 300 * types.RaoPerTAO}),
		paid(devkeys.Key(2), &types.AddStake{Hotkey: devkeys.Address(31), Amount: 200 * types.RaoPerTAO}),
		paid(devkeys.Key(3), &types.AddStake{Hotkey: devkeys.Address(32), Amount: 100 * types.RaoPerTAO}))
	// Miners: 4 by burn (coldkey dev3), 4 by proof of work (coldkey dev3, empty hotkeys).
	jobs = nil
	for i := 0; i < 4; i++ {
		jobs = append(jobs, paid(devkeys.Key(3), &types.BurnedRegister{Netuid: 1, Hotkey: devkeys.Address(40 + i)}))
	}
	tn.run(t, jobs...)
	for i := 4; i < 8; i++ {
		hk := devkeys.Key(40 + i)
		tn.call(t, &info, "subnet_info", 1)
		var head rpc.HeaderJSON
		tn.call(t, &head, "tao_getBlockByNumber", "latest", false)
		var nonce uint64
		for !subnet.CheckWork(types.PowSeal(1, devkeys.Address(40+i), devkeys.Address(3), head.Hash, nonce), info.Difficulty) {
			nonce++
		}
		tn.run(t, free(hk, &types.PowRegister{Netuid: 1, Coldkey: devkeys.Address(3), BlockNumber: head.Number, Nonce: nonce}))
	}
	var mg []rpc.NeuronJSON
	tn.call(t, &mg, "subnet_metagraph", 1)
	if len(mg) != 11 || mg[10].Coldkey != devkeys.Address(3) {
		t.Fatalf("metagraph after registration: %d neurons", len(mg))
	}
	// Fund validator hotkeys for paid fallbacks and serve an axon (fee-free).
	tn.run(t, free(devkeys.Key(40), &types.ServeAxon{Netuid: 1, IP: []byte{127, 0, 0, 1}, Port: 8091}))

	// Wait for an epoch (permits), then weights: validators 0, 1 agree; 2 deviates.
	waitEpoch := func() {
		var now uint64
		tn.call(t, &now, "tao_blockNumber")
		tn.waitHeight(t, now+11)
	}
	waitEpoch()
	tn.call(t, &mg, "subnet_metagraph", 1)
	for i := 0; i < 3; i++ {
		if !mg[i].Permit {
			t.Fatalf("validator %d has no permit: %+v", i, mg[i])
		}
	}
	minerStake0 := stakeOf(t, tn, devkeys.Address(3), devkeys.Address(43))
	ownerBal := balance(t, tn, devkeys.Address(0))
	for round := 0; round < 3; round++ {
		tn.run(t,
			free(devkeys.Key(30), &types.SetWeights{Netuid: 1, UIDs: []uint16{3, 4, 5, 6}, Weights: []uint16{4, 3, 2, 1}}),
			free(devkeys.Key(31), &types.SetWeights{Netuid: 1, UIDs: []uint16{3, 4, 5, 6}, Weights: []uint16{4, 3, 2, 1}}),
			free(devkeys.Key(32), &types.SetWeights{Netuid: 1, UIDs: []uint16{9, 10}, Weights: []uint16{1, 1}}))
		waitEpoch()
	}
	tn.call(t, &mg, "subnet_metagraph", 1)
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	if num(mg[3].Incentive) <= num(mg[6].Incentive) || num(mg[6].Incentive) == 0 {
		t.Errorf("miner incentives do not follow the weights: uid3 %s uid6 %s", mg[3].Incentive, mg[6].Incentive)
	}
	if num(mg[7].Incentive) != 0 || mg[7].Emission != "0" {
		t.Errorf("unweighted miner earned: %+v", mg[7])
	}
	if num(mg[0].Dividends) <= num(mg[2].Dividends) {
		t.Errorf("agreeing validator dividends %s ≤ deviant's %s", mg[0].Dividends, mg[2].Dividends)
	}
	if num(mg[0].Consensus) != 0 || num(mg[3].Consensus) == 0 {
		t.Errorf("consensus: validator %s, top miner %s", mg[0].Consensus, mg[3].Consensus)
	}
	if got := stakeOf(t, tn, devkeys.Address(3), devkeys.Address(43)); got <= minerStake0 {
		t.Errorf("miner emission not credited as stake: %d ≤ %d", got, minerStake0)
	}
	if balance(t, tn, devkeys.Address(0)) <= ownerBal {
		t.Error("subnet owner received no owner cut")
	}
	if mg[0].Axon != nil || mg[3].Axon == nil || mg[3].Axon.Port != 8091 {
		t.Errorf("axons: %+v %+v", mg[0].Axon, mg[3].Axon)
	}
	var n rpc.NeuronDetail
	tn.call(t, &n, "subnet_neuron", 1, 0)
	if len(n.Weights) != 4 || n.Weights[0] != [2]uint16{3, 4} {
		t.Errorf("subnet_neuron weights %v", n.Weights)
	}
	// Bad input gets clear errors.
	if e := tn.callErr(t, "subnet_info", 99); !strings.Contains(e.Error(), "does not exist") {
		t.Errorf("unknown subnet: %v", e)
	}
	if e := tn.callErr(t, "subnet_neuron", 1, 500); !strings.Contains(e.Error(), "no uid 500") {
		t.Errorf("unknown uid: %v", e)
	}
}

func stakeOf(t *testing.T, tn *testNode, cold, hot types.Address) uint64 {
	var s string
	tn.call(t, &s, "stake_getStake", cold, hot)
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}
