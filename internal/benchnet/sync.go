package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/testnet"
)

// syncPhase runs a fresh network with 10 ms blocks until it has n empty
// blocks, then starts a late full node and times its catch-up.
func syncPhase(bin, dir string, nv, n int) error {
	lay, err := testnet.Generate(testnet.Options{
		Dir: filepath.Join(dir, "sync"), Validators: nv, FullNodes: 1, Preset: "test",
		Addr:    func(i int) string { return fmt.Sprintf("127.0.0.%d", i+31) },
		P2PPort: func(int) int { return 38333 },
		RPCPort: func(int) int { return 39944 },
		Genesis: func(g *chain.Genesis) { g.Params.BlockTimeMs = 10 },
	})
	if err != nil {
		return err
	}
	var procs []*proc
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	for _, nd := range lay.Nodes[:nv] {
		p, err := startNode(bin, nd)
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	t0 := time.Now()
	for height(procs[0].rpc) < uint64(n) {
		if time.Since(t0) > 5*time.Minute {
			return fmt.Errorf("sync phase: only %d blocks after 5 min", height(procs[0].rpc))
		}
		time.Sleep(200 * time.Millisecond)
	}
	produced := time.Since(t0)
	// Stop the validators so the target does not move, then sync from one.
	for _, p := range procs[1:] {
		p.stop()
	}
	procs = procs[:1]
	head := height(procs[0].rpc)
	late, err := startNode(bin, lay.Nodes[nv])
	if err != nil {
		return err
	}
	procs = append(procs, late)
	start := height(late.rpc)
	t1 := time.Now()
	for height(late.rpc) < head && time.Since(t1) < 3*time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(t1)
	got := height(late.rpc) - start
	fmt.Printf("\nsync phase\nempty blocks produced  %d in %s (%.0f blocks/s, 10 ms target)\n", head, produced.Round(time.Millisecond), float64(head)/produced.Seconds())
	fmt.Printf("late node sync         %d blocks in %s: %.0f blocks/s (each commit verified)\n", got, took.Round(time.Millisecond), float64(got)/took.Seconds())
	return nil
}
