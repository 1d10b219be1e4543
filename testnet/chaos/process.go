package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/taonet/taod/testnet"
)

// ProcessCluster runs a testnet as child processes of a taod built with the
// chaos tag, node i on 127.0.0.(i+1). Kill and Pause are signals; a
// partition is each node's chaos-only switch POST /chaos/partition on its
// loopback metrics address, which closes the connections to the peers of
// the other side and refuses new ones, both ways (p2p.Host.Block).
type ProcessCluster struct {
	bin string
	lay *testnet.Layout

	mu struct {
		sync.Mutex
		procs []*proc // by node; nil: not running
	}
}

type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, set before done is closed
}

// ProcessPorts are the ports of the chaos process testnet (metrics is the
// RPC port + 1000), chosen below Linux's ephemeral range.
const (
	ProcessP2PPort = 31333
	ProcessRPCPort = 29944
)

// NewProcessCluster generates a process testnet in dir for bin.
func NewProcessCluster(dir, bin string, o testnet.Options) (*ProcessCluster, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("chaos: taod binary: %w", err)
	}
	o.Dir = dir
	o.Addr = func(i int) string { return fmt.Sprintf("127.0.0.%d", i+1) }
	o.P2PPort = func(int) int { return ProcessP2PPort }
	o.RPCPort = func(int) int { return ProcessRPCPort }
	for i := 0; i < o.Validators+o.FullNodes; i++ {
		for _, port := range []int{ProcessP2PPort, ProcessRPCPort, ProcessRPCPort + 1000} {
			addr := fmt.Sprintf("%s:%d", o.Addr(i), port)
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return nil, fmt.Errorf("chaos: %s is not free (another testnet running?): %w", addr, err)
			}
			l.Close()
		}
	}
	lay, err := testnet.Generate(o)
	if err != nil {
		return nil, err
	}
	c := &ProcessCluster{bin: bin, lay: lay}
	c.mu.procs = make([]*proc, len(lay.Nodes))
	return c, nil
}

// Layout is the generated testnet.
func (c *ProcessCluster) Layout() *testnet.Layout { return c.lay }

// Up starts every node.
func (c *ProcessCluster) Up(ctx context.Context) error {
	for i := range c.lay.Nodes {
		if err := c.Start(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// Down kills every node that still runs.
func (c *ProcessCluster) Down(context.Context) error {
	c.mu.Lock()
	procs := slices.Clone(c.mu.procs)
	clear(c.mu.procs)
	c.mu.Unlock()
	for _, p := range procs {
		if p != nil {
			p.cmd.Process.Signal(syscall.SIGCONT)
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	return nil
}

func (c *ProcessCluster) logPath(i int) string { return filepath.Join(c.lay.Nodes[i].Home, "node.log") }

// Start runs node i (taod start --home) logging to <home>/node.log.
func (c *ProcessCluster) Start(ctx context.Context, i int) error {
	c.mu.Lock()
	if c.mu.procs[i] != nil {
		c.mu.Unlock()
		return fmt.Errorf("chaos: %s is already running", c.lay.Nodes[i].Name)
	}
	c.mu.Unlock()
	log, err := os.OpenFile(c.logPath(i), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(c.bin, "start", "--home", c.lay.Nodes[i].Home)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("chaos: start %s: %w", c.lay.Nodes[i].Name, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	c.mu.Lock()
	c.mu.procs[i] = p
	c.mu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err = waitRPC(wctx, "http://"+c.lay.Nodes[i].RPC, func() (bool, string) {
		select {
		case <-p.done:
			logs, _ := os.ReadFile(c.logPath(i))
			return true, fmt.Sprintf("%s: %v\n%s", c.lay.Nodes[i].Name, p.err, lastLines(string(logs), 5))
		default:
			return false, ""
		}
	})
	if err != nil {
		c.forget(i, p)
		p.cmd.Process.Kill()
		<-p.done
	}
	return err
}

func (c *ProcessCluster) forget(i int, p *proc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.procs[i] == p {
		c.mu.procs[i] = nil
	}
}

func (c *ProcessCluster) running(i int) (*proc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.mu.procs[i]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("chaos: %s is not running", c.lay.Nodes[i].Name)
}

// Stop sends SIGTERM and waits (SIGKILL after 15 s).
func (c *ProcessCluster) Stop(ctx context.Context, i int) error {
	p, err := c.running(i)
	if err != nil {
		return err
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	c.forget(i, p)
	return nil
}

// Kill sends SIGKILL to every listed node, then waits for them.
func (c *ProcessCluster) Kill(ctx context.Context, nodes ...int) error {
	var ps []*proc
	for _, i := range nodes {
		p, err := c.running(i)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.cmd.Process.Kill()
	}
	for k, p := range ps {
		<-p.done
		c.forget(nodes[k], p)
	}
	return nil
}

// Pause sends SIGSTOP.
func (c *ProcessCluster) Pause(ctx context.Context, i int) error { return c.signal(i, syscall.SIGSTOP) }

// Unpause sends SIGCONT.
func (c *ProcessCluster) Unpause(ctx context.Context, i int) error {
	return c.signal(i, syscall.SIGCONT)
}

func (c *ProcessCluster) signal(i int, s syscall.Signal) error {
	p, err := c.running(i)
	if err != nil {
		return err
	}
	return p.cmd.Process.Signal(s)
}

// Partition tells every running node which peers to cut off: those outside
// its group (nodes in no group form one group of their own).
func (c *ProcessCluster) Partition(ctx context.Context, groups ...[]int) error {
	side := make([]int, len(c.lay.Nodes)) // 0: the rest
	for k, g := range groups {
		for _, i := range g {
			side[i] = k + 1
		}
	}
	for i := range c.lay.Nodes {
		var block []string
		for j, other := range c.lay.Nodes {
			if side[j] != side[i] {
				block = append(block, other.PeerID)
			}
		}
		if err := c.partition(ctx, i, block); err != nil {
			return err
		}
	}
	return nil
}

// Heal lifts every node's cut.
func (c *ProcessCluster) Heal(ctx context.Context) error {
	for i := range c.lay.Nodes {
		if err := c.partition(ctx, i, []string{}); err != nil {
			return err
		}
	}
	return nil
}

func (c *ProcessCluster) partition(ctx context.Context, i int, block []string) error {
	if _, err := c.running(i); err != nil {
		return nil // a stopped node has no connections to cut
	}
	cfg, err := readConfig(c.lay.Nodes[i].Home)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string][]string{"block": block})
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, "http://"+cfg.Metrics.Addr+"/chaos/partition", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("chaos: partition %s: %w", c.lay.Nodes[i].Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("chaos: partition %s: %s (is the binary built with -tags chaos?)", c.lay.Nodes[i].Name, resp.Status)
	}
	return nil
}

// Logs returns <home>/node.log.
func (c *ProcessCluster) Logs(_ context.Context, i int) (string, error) {
	b, err := os.ReadFile(c.logPath(i))
	return string(b), err
}
