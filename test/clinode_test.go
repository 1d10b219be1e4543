package test

import (
	"crypto/ecdsa"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// cliNode is a taod binary running a fresh test-preset home, with the CLI
// pointed at it (its RPC, and a keyring holding the dev keys).
type cliNode struct {
	t         *testing.T
	bin, home string
	p         *proc
	env       []string
}

func startCLINode(t *testing.T) *cliNode {
	t.Helper()
	bin, err := buildTaod()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if out, err := exec.Command(bin, "init", "--home", home, "--preset", "test").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	p := startProc(t, bin, home, freePort(t))
	t.Cleanup(func() { p.cmd.Process.Signal(syscall.SIGTERM); p.cmd.Wait() })
	return &cliNode{t: t, bin: bin, home: home, p: p, env: []string{"TAOD_RPC=" + p.url, "TAOD_KEYRING=" + filepath.Join(home, "keys")}}
}

// try runs a CLI command and returns its output and error.
func (c *cliNode) try(args ...string) (string, error) {
	return runCLI(c.t, c.bin, c.home, c.env, args...)
}

// run runs a CLI command that must succeed.
func (c *cliNode) run(args ...string) string {
	c.t.Helper()
	o, err := c.try(args...)
	if err != nil {
		c.t.Fatalf("taod %v: %v\n%s", args, err, o)
	}
	return o
}

// newHotkey creates a keyring key "hot" (empty password) and a consensus key
// file, and binds them for coldkey dev1. It returns the hotkey address, the
// consensus key and its file.
func (c *cliNode) bindHotkey() (string, *ecdsa.PrivateKey, string) {
	c.t.Helper()
	pw := filepath.Join(c.home, "pw")
	os.WriteFile(pw, nil, 0o600)
	o := c.run("keys", "new", "hot", "--password-file", pw)
	hot := strings.Fields(o[strings.Index(o, "address "):])[1]
	ck, _ := crypto.GenerateKey()
	consFile := filepath.Join(c.home, "cons_key")
	os.WriteFile(consFile, []byte(hexKey(ck)), 0o600)
	c.run("validator", "bind-key", "--from", "dev1", "--hotkey-key", "hot", "--consensus-key", consFile)
	return hot, ck, consFile
}
