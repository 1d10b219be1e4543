package test

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
)

// TestStakingCLI binds a consensus key, stakes, unstakes and sets a take with
// the CLI against a running node, and reads it all back over stake_ RPC.
func TestStakingCLI(t *testing.T) {
	n := startCLINode(t)
	run, p := n.run, n.p
	hot, ck, consFile := n.bindHotkey()

	run("stake", "add", "--from", "dev1", "--hotkey", hot, "--amount", "5")
	run("stake", "add", "--from", "dev2", "--hotkey", hot, "--amount-rao", "2000000000")
	run("stake", "remove", "--from", "dev1", "--hotkey", hot, "--amount", "1.5")
	run("stake", "take", "--from", "dev1", "--hotkey", hot, "--take", "9.5")
	if o, err := n.try("stake", "take", "--from", "dev2", "--hotkey", hot, "--take", "1"); err == nil || !strings.Contains(o, "does not own") {
		t.Fatalf("take by a non-owner: %v\n%s", err, o)
	}

	var list struct {
		Stakes    []rpc.PositionJSON  `json:"stakes"`
		Unbonding []rpc.UnbondingJSON `json:"unbonding"`
	}
	if err := json.Unmarshal([]byte(run("stake", "list", "--from", "dev1", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Stakes) != 1 || list.Stakes[0].Stake != "3500000000" || len(list.Unbonding) != 1 || list.Unbonding[0].Amount != "1500000000" {
		t.Fatalf("stake list: %+v", list)
	}

	c, err := gethrpc.Dial(p.url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var hk *rpc.HotkeyJSON
	must(t, c.Call(&hk, "stake_ofHotkey", hot))
	if hk == nil || hk.Owner != devkeys.Address(1) || hk.TotalStake != "5500000000" || hk.TakePPM != 95_000 || len(hk.Nominators) != 2 {
		t.Fatalf("stake_ofHotkey: %+v", hk)
	}
	if hk.PendingKey == nil && (hk.ConsensusKey == nil || *hk.ConsensusKey != crypto.PubkeyToAddress(ck.PublicKey)) {
		t.Fatalf("consensus key not bound: %+v", hk)
	}
	var got string
	must(t, c.Call(&got, "stake_getStake", devkeys.Address(2), hot))
	if got != "2000000000" {
		t.Fatalf("stake_getStake %s", got)
	}
	var dels []rpc.HotkeyJSON
	must(t, c.Call(&dels, "stake_delegates"))
	if len(dels) != 1 {
		t.Fatalf("delegates %+v", dels)
	}
	var set rpc.ValidatorsJSON
	must(t, c.Call(&set, "stake_validators", "latest"))
	if !set.Bootstrap || len(set.Validators) != 1 || set.TotalPower == 0 {
		t.Fatalf("validators %+v", set)
	}
	if o := run("validator", "list"); !strings.Contains(o, "bootstrap") {
		t.Fatalf("validator list:\n%s", o)
	}
	// A consensus key cannot be bound twice.
	if o, err := n.try("validator", "bind-key", "--from", "dev1", "--hotkey-key", "hot", "--consensus-key", consFile); err == nil || !strings.Contains(o, "cannot be reused") {
		t.Fatalf("rebinding: %v\n%s", err, o)
	}
}

func hexKey(k *ecdsa.PrivateKey) string { return hex.EncodeToString(crypto.FromECDSA(k)) }
