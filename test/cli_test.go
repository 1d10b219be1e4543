package test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
)

func runCLI(t *testing.T, bin, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestDevnetAndCLI runs `taod devnet` as a user would, in a fresh directory:
// it starts with no flags but the port, the wallet and query commands work
// against it, Ctrl-C stops it cleanly, a second run resumes the same chain
// and --reset starts a new one.
func TestDevnetAndCLI(t *testing.T) {
	bin, err := buildTaod()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr := freePort(t)
	url := "http://" + addr
	env := []string{"TAOD_RPC=" + url, "TAOD_KEYRING=" + filepath.Join(dir, "keyring")}

	startDevnet := func(args ...string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, append([]string{"devnet", "--rpc.addr", addr, "--metrics.addr", "", "--explorer.addr", "", "--p2p.listen", "/ip4/127.0.0.1/tcp/0"}, args...)...)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			if c, err := gethrpc.Dial(url); err == nil {
				var h uint64
				err = c.Call(&h, "tao_blockNumber")
				c.Close()
				if err == nil && h >= 1 {
					return cmd, &out
				}
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("devnet did not produce a block:\n%s", out.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	stop := func(cmd *exec.Cmd, out *bytes.Buffer) {
		cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("devnet did not stop cleanly on Ctrl-C: %v\n%s", err, out.String())
		}
	}
	genesisHash := func() string {
		c, err := gethrpc.Dial(url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var b *rpc.HeaderJSON
		must(t, c.Call(&b, "tao_getBlockByNumber", 0, false))
		return b.Hash.Hex()
	}

	cmd, out := startDevnet()
	for _, want := range []string{"created a new devnet", devkeys.Address(0).Hex(), filepath.Join(".devnet", "keys", "dev0.json"), "RPC      http://" + addr} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("devnet banner lacks %q:\n%s", want, out.String())
		}
	}
	g1 := genesisHash()

	// Wallet: a new coldkey from a password file, listed by name and address.
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct horse\n"), 0o600)
	o, err := runCLI(t, bin, dir, env, "keys", "new", "alice", "--password-file", pw)
	if err != nil || !strings.Contains(o, "address 0x") {
		t.Fatalf("keys new: %v\n%s", err, o)
	}
	alice := strings.Fields(o[strings.Index(o, "address "):])[1]
	if o, err := runCLI(t, bin, dir, env, "keys", "list"); err != nil || !strings.Contains(o, "alice") || !strings.Contains(o, alice) {
		t.Fatalf("keys list: %v\n%s", err, o)
	}
	if o, err := runCLI(t, bin, dir, env, "keys", "new", "alice", "--password-file", pw); err == nil {
		t.Fatalf("a second alice was created:\n%s", o)
	}

	// Transfer 1.5 TAO from dev0 to alice, waiting for inclusion.
	o, err = runCLI(t, bin, dir, env, "tx", "transfer", "--from", "dev0", "--to", alice, "--amount", "1.5")
	if err != nil || !strings.Contains(o, "status success") || !strings.Contains(o, "block  ") {
		t.Fatalf("transfer: %v\n%s", err, o)
	}
	o, err = runCLI(t, bin, dir, env, "query", "balance", alice, "--json")
	if err != nil {
		t.Fatalf("balance: %v\n%s", err, o)
	}
	var bal struct {
		Rao   string `json:"balance_rao"`
		TAO   string `json:"balance_tao"`
		Nonce uint64 `json:"nonce"`
	}
	if err := json.Unmarshal([]byte(o), &bal); err != nil || bal.Rao != "1500000000" || bal.TAO != "1.5" {
		t.Fatalf("alice balance: %v %q", err, o)
	}
	// alice sends back in rao, unlocking her key with the password file.
	o, err = runCLI(t, bin, dir, env, "tx", "transfer", "--from", "alice", "--password-file", pw, "--to", devkeys.Address(0).Hex(), "--amount-rao", "1000")
	if err != nil || !strings.Contains(o, "status success") {
		t.Fatalf("alice transfer: %v\n%s", err, o)
	}
	// Clear errors for bad input, before anything is sent.
	for _, bad := range [][]string{
		{"tx", "transfer", "--from", "dev0", "--to", "0x1234", "--amount", "1"},
		{"tx", "transfer", "--from", "dev0", "--to", alice, "--amount", "1.0000000001"},
		{"tx", "transfer", "--from", "nobody", "--to", alice, "--amount", "1"},
		{"tx", "transfer", "--from", "dev0", "--to", alice, "--amount", "999999999"},
	} {
		if o, err := runCLI(t, bin, dir, env, bad...); err == nil || !strings.Contains(o, "error:") {
			t.Errorf("%v: want a clear error, got %v\n%s", bad, err, o)
		}
	}
	for _, q := range [][]string{{"query", "block"}, {"query", "block", "1"}, {"query", "issuance"}, {"query", "block", "--json"}} {
		if o, err := runCLI(t, bin, dir, env, q...); err != nil || len(o) == 0 {
			t.Errorf("%v: %v\n%s", q, err, o)
		}
	}
	o, _ = runCLI(t, bin, dir, env, "query", "issuance")
	if !strings.Contains(o, "block reward       1 TAO (era 0)") {
		t.Errorf("issuance output:\n%s", o)
	}
	stop(cmd, out)

	// Resume: same genesis, height continues.
	cmd, out = startDevnet()
	if !strings.Contains(out.String(), "resuming the devnet") || genesisHash() != g1 {
		t.Fatalf("second run did not resume the chain:\n%s", out.String())
	}
	stop(cmd, out)

	// Reset: a new chain.
	cmd, out = startDevnet("--reset")
	if genesisHash() == g1 {
		t.Fatal("--reset kept the old chain")
	}
	stop(cmd, out)
}
