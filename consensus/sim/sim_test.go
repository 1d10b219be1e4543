package sim

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	seedsFlag = flag.Int("seeds", 0, "number of seeds TestSimSeeds runs (default 200, or $SIM_SEEDS)")
	seedFlag  = flag.Int64("seed", -1, "run only this seed in TestSimSeeds")
	firstFlag = flag.Uint64("first-seed", 1, "first seed of TestSimSeeds")
)

func seedCount(t *testing.T) int {
	if *seedsFlag > 0 {
		return *seedsFlag
	}
	if s := os.Getenv("SIM_SEEDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("SIM_SEEDS=%q is not a positive number", s)
		}
		return n
	}
	if testing.Short() {
		return 40
	}
	return 200
}

func replay(seed uint64) string {
	return fmt.Sprintf("go test ./consensus/sim -run TestSimSeeds -seed %d -v", seed)
}

// TestSimSeeds runs many random scenarios and checks safety and liveness in
// each. A failing seed prints the command that replays it.
func TestSimSeeds(t *testing.T) {
	seeds := make([]uint64, 0)
	if *seedFlag >= 0 {
		seeds = append(seeds, uint64(*seedFlag))
	} else {
		for i := range seedCount(t) {
			seeds = append(seeds, *firstFlag+uint64(i))
		}
	}
	var (
		mu    sync.Mutex
		total struct {
			decisions, evidence, torn, crashes, rejected, maxRecovery, chain int
			maxRound                                                         uint32
		}
	)
	start := time.Now()
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
				t.Parallel()
				opts := RandomOptions(seed)
				res, err := Run(opts)
				if err != nil {
					t.Fatalf("%v\noptions: %+v\nreplay: %s", err, opts, replay(seed))
				}
				if len(seeds) == 1 {
					t.Logf("options %+v\nresult %+v", opts, *res)
				}
				mu.Lock()
				defer mu.Unlock()
				total.decisions += res.Decisions
				if opts.Chain {
					total.chain += res.Decisions
				}
				total.evidence += res.Evidence
				total.torn += res.TornTails
				total.crashes += res.Crashes
				total.rejected += res.Rejected
				total.maxRecovery = max(total.maxRecovery, int(res.RecoveryTicks))
				total.maxRound = max(total.maxRound, res.MaxRound)
			})
		}
	})
	if len(seeds) >= 100 && !t.Failed() && (total.crashes == 0 || total.torn == 0 || total.evidence == 0 || total.maxRound == 0 || total.chain == 0) {
		t.Errorf("the scenarios no longer exercise every fault: %+v", total)
	}
	t.Logf("%d seeds in %v: %d decisions (%d on real chains), highest decision round %d, %d crashes, %d torn WAL tails, %d evidence decided, %d byzantine messages refused, slowest recovery %d ticks",
		len(seeds), time.Since(start).Round(time.Millisecond), total.decisions, total.chain, total.maxRound, total.crashes, total.torn, total.evidence, total.rejected, total.maxRecovery)
}

// TestSimDeterministic: one seed, run twice, gives the same trace.
func TestSimDeterministic(t *testing.T) {
	for _, seed := range []uint64{3, 16} {
		a, err := Run(RandomOptions(seed))
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(RandomOptions(seed))
		if err != nil {
			t.Fatal(err)
		}
		if *a != *b {
			t.Fatalf("seed %d: runs differ:\n%+v\n%+v", seed, *a, *b)
		}
	}
}

// TestSimCatchesDoubleSign: with the WAL switched off, restarted validators
// forget their votes; the checks must notice on some seed. This shows the
// WAL is what keeps the other seeds clean.
func TestSimCatchesDoubleSign(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		opts := RandomOptions(seed)
		if !opts.Crashes {
			continue
		}
		opts.DisableWAL = true
		opts.Byzantine = 0
		_, err := Run(opts)
		if v, ok := err.(*Violation); ok && v.Kind == "double-sign" {
			t.Logf("seed %d: %v", seed, err)
			return
		}
	}
	t.Fatal("no seed caught a restarted validator without its WAL double signing")
}

// TestSimHarsh: long partitions and heavy loss with the maximum byzantine
// power the scenario allows.
func TestSimHarsh(t *testing.T) {
	for seed := uint64(1000); seed < 1010; seed++ {
		opts := RandomOptions(seed)
		opts.Nodes, opts.Byzantine = 7, 2
		opts.LossPermille, opts.DupPermille, opts.MaxDelay = 400, 200, 10
		opts.Partitions, opts.Crashes, opts.TornWrites, opts.ValsetChanges = true, true, true, true
		if _, err := Run(opts); err != nil {
			t.Fatalf("%v\noptions %+v", err, opts)
		}
	}
}

// TestSimChain runs scenarios on each node's real chain (chain.Chain on
// in-memory Pebble through driver.ChainApp, secp256k1 signatures): the code
// a node runs in production, from the driver down to the store, under the
// same faults and checks. Slower than the model, so fewer seeds
// ($SIM_CHAIN_SEEDS, default 6, 2 with -short).
func TestSimChain(t *testing.T) {
	n := 6
	if testing.Short() {
		n = 2
	}
	if s := os.Getenv("SIM_CHAIN_SEEDS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			t.Fatalf("SIM_CHAIN_SEEDS=%q is not a positive number", s)
		}
		n = v
	}
	var decisions, evidence, crashes, torn int
	for seed := uint64(1); seed <= uint64(n); seed++ {
		opts := RandomOptions(seed)
		opts.Chain, opts.RealCrypto = true, true
		res, err := Run(opts)
		if err != nil {
			t.Fatalf("%v\noptions: %+v", err, opts)
		}
		decisions += res.Decisions
		evidence += res.Evidence
		crashes += res.Crashes
		torn += res.TornTails
	}
	if decisions == 0 {
		t.Fatal("no decisions")
	}
	t.Logf("%d chain seeds: %d decisions, %d crashes, %d torn WAL tails, %d evidence decided", n, decisions, crashes, torn, evidence)
}
