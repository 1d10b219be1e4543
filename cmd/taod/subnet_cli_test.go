package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/keyring"
)

// taod runs the CLI in process against the node and keyring of n.
func taod(t *testing.T, n *clienttest.Node, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append(args, "--rpc", n.URL, "--keyring", n.KeysDir()))
	err := root.ExecuteContext(ctx)
	return out.String() + errOut.String(), err
}

func mustTaod(t *testing.T, n *clienttest.Node, args ...string) string {
	t.Helper()
	o, err := taod(t, n, args...)
	if err != nil {
		t.Fatalf("taod %v: %v\n%s", args, err, o)
	}
	if !strings.Contains(o, "status success") {
		t.Fatalf("taod %v:\n%s", args, o)
	}
	return o
}

// The subnet verbs through client/: a hotkey with no TAO registers by PoW,
// serves its axon and sets weights fee-free while the subnet bootstraps;
// once stake exists, a hotkey without a permit has its weights refused
// before sending, with the rule and the epoch block.
func TestSubnetVerbsAndPermitRefusal(t *testing.T) {
	n := clienttest.Start(t)
	kr := &keyring.Keyring{Dir: n.KeysDir(), ScryptN: keystore.LightScryptN, ScryptP: keystore.LightScryptP}
	var hot [3]keyring.Entry
	for i := range hot {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if hot[i], err = kr.Import([]string{"hot0", "hot1", "hot2"}[i], k, ""); err != nil {
			t.Fatal(err)
		}
	}
	mustTaod(t, n, "subnet", "create", "--from", "dev0", "--name", "cli")
	mustTaod(t, n, "subnet", "register", "--netuid", "1", "--from", "dev1", "--hotkey", hot[0].Address.Hex())
	for _, args := range [][]string{
		{"subnet", "register", "--pow", "--netuid", "1", "--from", "hot1", "--coldkey", devkeys.Address(1).Hex()},
		{"subnet", "serve", "--netuid", "1", "--from", "hot0", "--ip", "127.0.0.1", "--port", "8091"},
		{"subnet", "weights", "--netuid", "1", "--from", "hot1", "--uids", "0,1", "--weights", "1,1"},
	} {
		if o := mustTaod(t, n, args...); !strings.Contains(o, "fee    0 rao") {
			t.Fatalf("taod %v was not fee-free:\n%s", args, o)
		}
	}
	mustTaod(t, n, "stake", "add", "--from", "dev1", "--hotkey", hot[0].Address.Hex(), "--amount", "10")
	// hot2 registers once stake exists and never sets weights: no stake,
	// no permit (hot1, which set weights while the subnet bootstrapped, may
	// have earned dividends, stake and a permit at an epoch since).
	mustTaod(t, n, "subnet", "register", "--pow", "--netuid", "1", "--from", "hot2", "--coldkey", devkeys.Address(1).Hex())
	o, err := taod(t, n, "subnet", "weights", "--netuid", "1", "--from", "hot2", "--uids", "0", "--weights", "1")
	if err == nil || !strings.Contains(err.Error(), "no validator permit on subnet 1 (uid 2): the hotkey has no stake, and each epoch (next at block") {
		t.Fatalf("weights without a permit: %v\n%s", err, o)
	}
	if strings.Contains(o, "hash") {
		t.Fatalf("a refused call was sent:\n%s", o)
	}
}
