package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/rpc"
)

// TestGovernanceUpgradeHalt passes an upgrade proposal with the CLI, sees the
// node stop cleanly at the halt height with a message naming the upgrade,
// and restarts it with --upgrade to go on. A proposal touching monetary
// policy is refused at submission.
func TestGovernanceUpgradeHalt(t *testing.T) {
	n := startCLINode(t)
	bin, home, p, run := n.bin, n.home, n.p, n.run
	addr := strings.TrimPrefix(p.url, "http://")
	hot, _, _ := n.bindHotkey()
	run("stake", "add", "--from", "dev1", "--hotkey", hot, "--amount", "10")

	if o, err := n.try("gov", "propose", "--from", "dev2", "--kind", "param", "--title", "more TAO", "--change", "emission.max_supply=42000000", "--amount", "1"); err == nil || !strings.Contains(o, "monetary policy") {
		t.Fatalf("monetary proposal: %v\n%s", err, o)
	}

	c, err := gethrpc.Dial(p.url)
	if err != nil {
		t.Fatal(err)
	}
	var params rpc.ParamsJSON
	must(t, c.Call(&params, "gov_params"))
	var head uint64
	must(t, c.Call(&head, "tao_blockNumber"))
	halt := head + params.Params.Gov.VotingPeriod + 8
	run("gov", "propose", "--from", "dev2", "--kind", "upgrade", "--title", "v2", "--upgrade-name", "v2", "--upgrade-height", strconv.FormatUint(halt, 10), "--amount", "1")
	run("gov", "vote", "--from", "dev1", "--id", "1", "--option", "yes")
	var pr rpc.ProposalJSON
	must(t, c.Call(&pr, "gov_proposal", 1))
	if pr.Status != "voting" || pr.Tally.Yes != "10000000000" {
		t.Fatalf("live proposal %+v", pr)
	}
	c.Close()

	// The node stops by itself at the halt height, with exit status 3.
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errorsAs(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("node exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		t.Fatal("node did not stop for the upgrade")
	}
	log, _ := os.ReadFile(filepath.Join(home, "node.log"))
	if !strings.Contains(string(log), `upgrade "v2"`) || !strings.Contains(string(log), "--upgrade v2") {
		t.Fatalf("no upgrade message in the log:\n%s", tail(string(log), 2000))
	}

	// Restart without the upgrade: it refuses again. With it: blocks go on.
	cmd := exec.Command(bin, "start", "--home", home, "--rpc.addr", addr, "--metrics.addr", "", "--p2p.listen", "/ip4/127.0.0.1/tcp/0")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "software upgrade required") {
		t.Fatalf("restart without the upgrade: %v\n%s", err, tail(string(out), 2000))
	}
	p2 := startProcArgs(t, bin, home, addr, "--upgrade", "v2")
	defer func() { p2.cmd.Process.Signal(syscall.SIGTERM); p2.cmd.Wait() }()
	c, _ = gethrpc.Dial(p2.url)
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for head < halt+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		must(t, c.Call(&head, "tao_blockNumber"))
	}
	if head < halt+2 {
		t.Fatalf("upgraded node stuck at %d (halt %d)", head, halt)
	}
	if o := run("gov", "show", "1"); !strings.Contains(o, "passed") {
		t.Fatalf("gov show:\n%s", o)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
