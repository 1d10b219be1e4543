// Package sim runs N consensus engines in one process over a simulated
// network, driven entirely by a seed, and checks that consensus is safe and
// live under faults.
//
// Every node runs the node's real consensus driver (node/driver) over the
// simulated network, WAL and clock. Its application is a model of the chain
// (macApp: blocks whose validity is a few header checks, MAC signatures),
// or, one seed in 16 and in TestSimChain, the real chain on in-memory Pebble
// (chainApp: driver.ChainApp, the production App, over chain.Chain).
//
// One seed stands for one scenario (RandomOptions): 4–7 nodes, some of them
// byzantine (they equivocate: different votes and proposals to different
// peers, and invalid blocks), message delay, loss, duplication and the
// reordering these cause, network partitions that heal, crashes with restart
// from the WAL (some tearing the record being written), and validator-set
// changes between heights. The run has a chaotic phase, then the network
// heals (no partition, no loss, every node up) and every honest node must
// decide new heights within a bound of ticks.
//
// Checked throughout:
//   - safety: no two different blocks decided at one height, on any node;
//   - every decision carries a valid commit of its height's validator set and
//     a block valid for the deciding node;
//   - no honest node ever sends two different signed messages at one height,
//     round and step (the WAL's job across restarts);
//   - evidence only ever accuses byzantine validators, and is decided;
//   - honest nodes' messages are never rejected;
//   - the WAL never reports corruption, only torn tails;
//
// and after healing, liveness. Time is a tick counter, randomness one PCG
// stream: the same seed replays the same run, message for message.
//
// TestSimSeeds runs 200 seeds (40 with -short). More, or one:
//
//	SIM_SEEDS=10000 go test ./consensus/sim -run TestSimSeeds -timeout 0
//	go test ./consensus/sim -run TestSimSeeds -seeds 5000 -first-seed 20000
//	go test ./consensus/sim -run TestSimSeeds -seed 1234 -v
//
// A failing seed prints the last command, which replays it and logs the
// scenario; a liveness failure also shows where every node is stuck.
//
// # Files
//
//	sim.go       Options, RandomOptions, Run and Result; the world: one event
//	             queue ordered by tick, the chaos plan, delivery, healing,
//	             the liveness check.
//	node.go      one simulated node: its driver.Driver over a simWAL (MemFS),
//	             the simulated transport and clock; crash and restart.
//	app.go       identities, MAC signer and verifier, the validator-set
//	             schedule, macApp and the checks every decision must pass.
//	chainapp.go  chainApp: driver.ChainApp over chain.Chain on in-memory
//	             Pebble, with real keys.
//
// Use from code:
//
//	res, err := sim.Run(sim.RandomOptions(seed))  // err: a *Violation, or setup
package sim
