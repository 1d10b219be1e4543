package testnet

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// Start runs every node of a layout as a child process of bin (taod start),
// logging to <home>/node.log, until ctx ends; then it stops them with
// SIGTERM and waits.
func Start(ctx context.Context, lay *Layout, bin string, out io.Writer) error {
	var cmds []*exec.Cmd
	defer func() {
		for _, c := range cmds {
			c.Process.Signal(syscall.SIGTERM)
		}
		for _, c := range cmds {
			c.Wait()
		}
	}()
	for _, n := range lay.Nodes {
		log, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		c := exec.CommandContext(context.Background(), bin, "start", "--home", n.Home)
		c.Stdout, c.Stderr = log, log
		if err := c.Start(); err != nil {
			return fmt.Errorf("testnet: start %s: %w", n.Name, err)
		}
		cmds = append(cmds, c)
		role := "full node"
		if n.Validator {
			role = "validator"
		}
		fmt.Fprintf(out, "%s  %-9s  rpc http://%s  log %s\n", n.Name, role, n.RPC, filepath.Join(n.Home, "node.log"))
	}
	fmt.Fprintf(out, "\n%d nodes running; Ctrl-C stops them. `taod testnet status --dir %s` shows their heights.\n", len(cmds), lay.Dir)
	exited := make(chan string, len(cmds))
	for i, c := range cmds {
		go func(name string, c *exec.Cmd) {
			c.Wait()
			exited <- name
		}(lay.Nodes[i].Name, c)
	}
	select {
	case <-ctx.Done():
		return nil
	case name := <-exited:
		return fmt.Errorf("testnet: %s exited; see its node.log", name)
	}
}

// NodeStatus is one node's view.
type NodeStatus struct {
	Name      string
	Height    uint64
	Peers     int
	LastBlock time.Duration // age of the last block
	Err       error
}

// Status asks every node of a layout for its head, peers and last block age.
func Status(ctx context.Context, lay *Layout) []NodeStatus {
	out := make([]NodeStatus, len(lay.Nodes))
	for i, n := range lay.Nodes {
		out[i].Name = n.Name
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		c, err := gethrpc.DialContext(cctx, "http://"+n.RPC)
		if err == nil {
			var h struct {
				Height         uint64 `json:"height"`
				Peers          int    `json:"peers"`
				LastBlockAgeMs int64  `json:"lastBlockAgeMs"`
			}
			err = c.CallContext(cctx, &h, "net_health")
			out[i].Height, out[i].Peers, out[i].LastBlock = h.Height, h.Peers, time.Duration(h.LastBlockAgeMs)*time.Millisecond
			c.Close()
		}
		cancel()
		out[i].Err = err
	}
	return out
}

// PrintStatus renders Status as a table.
func PrintStatus(w io.Writer, st []NodeStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tHEIGHT\tPEERS\tLAST BLOCK")
	for _, s := range st {
		if s.Err != nil {
			fmt.Fprintf(tw, "%s\t-\t-\tdown (%v)\n", s.Name, s.Err)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s ago\n", s.Name, s.Height, s.Peers, s.LastBlock.Round(time.Millisecond))
	}
	return tw.Flush()
}
