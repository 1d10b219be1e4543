//go:build chaos

package test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// TestChaosEquivocatorSlashed: four validators hand over to staked power;
// then one runs with the equivocation fault switch. Its double signs become
// evidence in a block, it is slashed and jailed, leaves the set at the next
// epoch, and the others go on.
func TestChaosEquivocatorSlashed(t *testing.T) {
	nw := newNetwork(t, 4, 0)
	for i := 0; i < 4; i++ {
		nw.start(i)
	}
	nw.waitAll(2, 30*time.Second)
	c := nw.nodes[0].client
	var chainID uint64
	c.Call(&chainID, "tao_chainId")
	send := func(k int, nonce uint64, call types.Call) types.Hash {
		tx := signPaying(t, devkeys.Key(k), types.TxData{ChainID: chainID, Nonce: nonce, Call: call})
		var h types.Hash
		if err := c.Call(&h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes())); err != nil {
			t.Fatal(err)
		}
		return h
	}
	// Node i's consensus key is bound to hotkey dev(10+i), owned by dev i, staked 100 TAO.
	var hashes []types.Hash
	for i := 0; i < 4; i++ {
		ck, err := node.LoadOrCreateValidatorKey(filepath.Join(nw.lay.Nodes[i].Home, "config", "validator_key"))
		if err != nil {
			t.Fatal(err)
		}
		bind, err := types.SignBind(chainID, devkeys.Address(i), devkeys.Key(10+i), ck)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, send(i, 0, bind), send(i, 1, &types.AddStake{Hotkey: devkeys.Address(10 + i), Amount: 100 * types.RaoPerTAO}))
	}
	for _, h := range hashes {
		waitReceiptOn(t, c, h)
	}
	// Wait for the staked set.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var set rpc.ValidatorsJSON
		c.Call(&set, "stake_validators", "latest")
		if !set.Bootstrap && len(set.Validators) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no handover to staked validators: %+v", set)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Node 3 turns byzantine.
	nw.stop(3)
	nw.startWith(3, func(cfg *node.Config) { cfg.Chaos.Equivocate = true })
	hot3 := devkeys.Address(13)
	deadline = time.Now().Add(60 * time.Second)
	var hk *rpc.HotkeyJSON
	for {
		c.Call(&hk, "stake_ofHotkey", hot3)
		if hk != nil && hk.Jailed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("equivocator not jailed: %+v", hk)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if hk.TotalStake == "100000000000" {
		t.Fatal("equivocator jailed but not slashed")
	}
	// The others go on; at the next epoch boundary the set drops it.
	h := nw.height(0)
	nw.waitAll(h+15, 60*time.Second)
	var set rpc.ValidatorsJSON
	c.Call(&set, "stake_validators", "latest")
	ck3 := crypto.PubkeyToAddress(mustKey(t, filepath.Join(nw.lay.Nodes[3].Home, "config", "validator_key")).PublicKey)
	for _, v := range set.Validators {
		if v.ConsensusKey == ck3 {
			t.Fatal("jailed validator still in the set")
		}
	}
	nw.checkNoFork()
	t.Logf("equivocator slashed to %s rao and jailed; %d validators remain", hk.TotalStake, len(set.Validators))
}
