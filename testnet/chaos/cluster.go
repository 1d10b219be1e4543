package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/pelletier/go-toml/v2"

	"github.com/taonet/taod/node"
	"github.com/taonet/taod/testnet"
)

// Cluster is a running testnet and the faults that can be done to its nodes
// (indices into its layout). The docker cluster does them to containers and
// networks, the process cluster to processes and, for partitions, through a
// chaos-only switch of each node.
type Cluster interface {
	Layout() *testnet.Layout
	// Up starts every node; Down stops them and removes what Up created
	// (containers, networks, processes). Down must work after any failure.
	Up(ctx context.Context) error
	Down(ctx context.Context) error
	// Start runs a stopped node and waits for its RPC; if the node exits
	// first (it refused to start), the error says so with its last log lines.
	Start(ctx context.Context, i int) error
	// Stop stops a node cleanly (SIGTERM); Kill with SIGKILL, all at once.
	Stop(ctx context.Context, i int) error
	Kill(ctx context.Context, nodes ...int) error
	// Pause freezes a node (SIGSTOP, docker pause) and Unpause thaws it.
	Pause(ctx context.Context, i int) error
	Unpause(ctx context.Context, i int) error
	// Partition cuts each group off from the other groups and from the nodes
	// in no group; Heal reconnects everyone.
	Partition(ctx context.Context, groups ...[]int) error
	Heal(ctx context.Context) error
	// Logs returns what node i has logged, across restarts.
	Logs(ctx context.Context, i int) (string, error)
}

// ErrExited reports a node that exited while it was expected to run.
var ErrExited = errors.New("chaos: node exited")

// waitRPC waits until url answers tao_blockNumber, exited reports the
// process gone, or ctx ends.
func waitRPC(ctx context.Context, url string, exited func() (bool, string)) error {
	c, err := gethrpc.DialContext(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		var h uint64
		err := c.CallContext(cctx, &h, "tao_blockNumber")
		cancel()
		if err == nil {
			return nil
		}
		if gone, why := exited(); gone {
			return fmt.Errorf("%w: %s", ErrExited, why)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chaos: %s did not answer: %w (last: %v)", url, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// setChaos changes the [chaos] fault switches in a node's config.toml; they
// take effect at its next start. It does not validate: the test binary need
// not be built with the chaos tag, the node's binary must.
func setChaos(home string, f func(*node.ChaosConfig)) error {
	cfg, err := readConfig(home)
	if err != nil {
		return err
	}
	f(&cfg.Chaos)
	return cfg.Save()
}

// readConfig reads a node's config.toml without validating it (see setChaos).
func readConfig(home string) (node.Config, error) {
	cfg := node.DefaultConfig(home)
	b, err := os.ReadFile(node.ConfigFile(home))
	if err != nil {
		return cfg, err
	}
	if err := toml.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("chaos: %s: %w", node.ConfigFile(home), err)
	}
	return cfg, nil
}
