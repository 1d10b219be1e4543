package main

// The network under test: taod processes, their RSS and CPU from /proc.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/testnet"
)

// clockTicks is Linux's USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat (100 on every architecture Go supports on Linux).
const clockTicks = 100

type proc struct {
	cmd *exec.Cmd
	rpc *gethrpc.Client
	url string
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

func startNode(bin string, n testnet.NodeInfo, extra ...string) (*proc, error) {
	log, err := os.Create(filepath.Join(n.Home, "node.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"start", "--home", n.Home, "--log.level", "warn"}, extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, url: "http://" + n.RPC}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := gethrpc.Dial(p.url)
		if err == nil {
			var h uint64
			if c.Call(&h, "tao_blockNumber") == nil {
				p.rpc = c
				return p, nil
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			return nil, fmt.Errorf("%s did not start (see %s)", n.Name, filepath.Join(n.Home, "node.log"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// setConfig sets key (a setting testnet.Generate wrote, as it writes every
// field) in a node's config.toml to value.
func setConfig(home, key string, value any) error {
	path := filepath.Join(home, "config", "config.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := bytes.Split(b, []byte("\n"))
	found := false
	for i, l := range lines {
		if k, _, ok := bytes.Cut(l, []byte("=")); ok && string(bytes.TrimSpace(k)) == key {
			lines[i] = []byte(fmt.Sprintf("%s = %v", key, value))
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%s: no %s setting", path, key)
	}
	return os.WriteFile(path, bytes.Join(lines, []byte("\n")), 0o644)
}

func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is a process's user + system CPU time so far.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields count from its ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	// f[0] is field 3 (state): utime is field 14, stime 15.
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return float64(ut+st) / clockTicks
}

func height(c *gethrpc.Client) uint64 {
	var h uint64
	c.Call(&h, "tao_blockNumber")
	return h
}

// metricsAddr is where testnet.Generate puts a node's metrics: its RPC
// host, port + 1000.
func metricsAddr(n testnet.NodeInfo) string {
	host, port, _ := strings.Cut(n.RPC, ":")
	p, _ := strconv.Atoi(port)
	return fmt.Sprintf("%s:%d", host, p+1000)
}

// profile fetches a CPU profile of d from a node serving pprof on its
// metrics address and writes it to out.
func profile(metricsAddr string, d time.Duration, out string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", metricsAddr, max(1, int(d/time.Second))))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", resp.Status)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
