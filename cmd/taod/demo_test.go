package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The demo's devnet has one validator and no peers: a p2p address is
// refused up front instead of being silently unused (it starts nothing).
func TestDemoRefusesP2PListen(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	home := filepath.Join(t.TempDir(), "demo")
	root.SetArgs([]string{"devnet", "--demo", "--home", home, "--p2p.listen", "/ip4/127.0.0.1/tcp/0"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "--p2p.listen has no use with --demo") {
		t.Fatalf("devnet --demo --p2p.listen: %v", err)
	}
	if strings.Contains(out.String(), "a fresh chain") {
		t.Fatalf("the demo started before refusing:\n%s", out.String())
	}
}
