package demo

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// TestProcsStopAll: a child that exits on SIGTERM stops within the grace, one
// that ignores it is killed after, and neither is left running.
func TestProcsStopAll(t *testing.T) {
	dir := t.TempDir()
	p := NewProcs(dir, func(args []string) *exec.Cmd { return exec.Command("sh", append([]string{"-c"}, args...)...) })
	if err := p.Start("polite", []string{"echo started; exec sleep 60"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Start("stubborn", []string{"trap '' TERM; echo started; exec sleep 60"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Start("quick", []string{"exit 3"}); err != nil {
		t.Fatal(err)
	}
	pids := p.PIDs()
	time.Sleep(300 * time.Millisecond) // let the shells install their traps
	if ex := p.Exited(); len(ex) != 1 || ex["quick"] == nil {
		t.Errorf("Exited() = %v, want only quick with its status", ex)
	}
	killed := p.StopAll(500 * time.Millisecond)
	if len(killed) != 1 || killed[0] != "stubborn" {
		t.Errorf("killed %v, want [stubborn]", killed)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d still running", pid)
		}
	}
	if err := p.Start("late", []string{"true"}); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after StopAll: %v", err)
	}
}

func snapshot() (Snapshot, map[types.Address]string) {
	names := map[types.Address]string{}
	var ns []rpc.NeuronJSON
	add := func(name, inc, div, emit string) {
		hk := devkeys.Address(100 + len(ns))
		names[hk] = name
		ns = append(ns, rpc.NeuronJSON{UID: uint16(len(ns)), Hotkey: hk, Stake: "1000000000", Incentive: inc, Dividends: div, Emission: emit, Trust: "0", ValidatorTrust: "0"})
	}
	add("v-honest-1", "0", "0.400000000", "1000")
	add("v-honest-2", "0", "0.400000000", "1000")
	add("v-friend", "0", "0.200000000", "500")
	add("m-good", "0.400000000", "0", "1000")
	add("m-slow", "0.250000000", "0", "600")
	add("m-random", "0.050000000", "0", "100")
	add("m-copier", "0.300000000", "0", "800")
	add("m-offline", "0.000000000", "0", "0")
	s := Snapshot{Height: 35, Subnet: rpc.SubnetJSON{Netuid: 1, Name: "predict", Tempo: 10, LastEpoch: 30, PendingEmission: "5000000007", LastEmission: "6000"}, Neurons: ns}
	return s, names
}

func TestVerdicts(t *testing.T) {
	s, names := snapshot()
	vs := Verdicts(s, Cast(), names)
	if len(vs) != 6 {
		t.Fatalf("%d verdicts: %+v", len(vs), vs)
	}
	for _, v := range vs {
		if !v.OK {
			t.Errorf("%s: %s", v.Claim, v.Detail)
		}
	}
	// Break each claim in turn: the copier out-earns the good miner; the
	// friend validator out-earns the honest ones.
	s.Neurons[6].Incentive = "0.5"
	s.Neurons[2].Dividends = "0.5"
	bad := 0
	for _, v := range Verdicts(s, Cast(), names) {
		if !v.OK {
			bad++
		}
	}
	if bad != 3 {
		t.Errorf("%d failed verdicts, want 3 (copier, 2 × dividends)", bad)
	}
}

func TestCheckEmission(t *testing.T) {
	cur, _ := snapshot()
	// Previous epoch at 20, read at block 27: dust 3 rao (pending 7 blocks
	// of 1 TAO + 3). Epoch 30 paid 10 TAO + 3 - dust 7 = 9,999,999,996.
	prev := Snapshot{Height: 27, Subnet: rpc.SubnetJSON{Tempo: 10, LastEpoch: 20, PendingEmission: "7000000003"}}
	cur.Subnet.LastEmission = "9999999996"
	var toNeurons uint64
	for _, n := range cur.Neurons {
		toNeurons += raoOf(n.Emission)
	}
	owner := uint64(9999999996) - toNeurons
	if err := CheckEmission(prev, cur, types.RaoPerTAO, owner); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(){
		"one rao more paid":  func() { cur.Subnet.LastEmission = "9999999997" },
		"owner cut off by 1": func() { owner++ },
		"epochs skipped":     func() { cur.Subnet.LastEpoch = 40; cur.Height = 45 },
	} {
		c, o := cur, owner
		f()
		if err := CheckEmission(prev, cur, types.RaoPerTAO, owner); !errors.Is(err, ErrEmission) {
			t.Errorf("%s: %v", name, err)
		}
		cur, owner = c, o
	}
}

func TestRender(t *testing.T) {
	s, names := snapshot()
	var b bytes.Buffer
	Render(&b, s, names, true)
	out := b.String()
	if !strings.HasPrefix(out, ansiClear) {
		t.Error("no clear sequence")
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3+len(s.Neurons) {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	good := lines[3+3]
	if !strings.Contains(good, "m-good") || !strings.Contains(good, "0.4000") || !strings.Contains(good, strings.Repeat("#", 12)) {
		t.Errorf("good miner's row: %q", good)
	}
	b.Reset()
	Render(&b, s, nil, false)
	if strings.Contains(b.String(), ansiClear) || !strings.Contains(b.String(), devkeys.Address(103).Hex()[:10]) {
		t.Errorf("unnamed render:\n%s", b.String())
	}
}

func TestClearHome(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := clearHome(dir); err == nil {
		t.Fatal("removed a directory that is no node home")
	}
	if _, err := os.Stat(filepath.Join(dir, "precious.txt")); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "home")
	if err := clearHome(home); err != nil {
		t.Fatalf("missing home: %v", err)
	}
	if _, _, err := node.InitHome(home, node.InitOptions{Preset: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := clearHome(home); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(home); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old demo home left: %v", err)
	}
}

// A node that cannot start (its RPC port taken) ends the demo with the
// node's error, promptly: the demo once waited forever for the node's exit,
// which its startup wait had already consumed.
func TestRunReportsANodeThatCannotStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = Run(ctx, Config{Home: filepath.Join(t.TempDir(), "home"), Preset: "test", RPCAddr: ln.Addr().String()})
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v (ctx %v), want the node's start error before the deadline", err, ctx.Err())
	}
	if !strings.Contains(err.Error(), "node stopped") {
		t.Fatalf("Run = %v, want it to say the node stopped", err)
	}
}
