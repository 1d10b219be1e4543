// Package demo runs the example prediction subnet (examples/predict) as a
// whole market on a fresh devnet: what `taod devnet --demo` and `make
// demo` show and what the end-to-end test checks.
//
// Run creates the chain's home, runs its node in-process (logs in
// HOME/logs/node.log), and with dev account 0 creates the subnet, funds a
// new coldkey per member of the Cast, registers a new hotkey for each and
// stakes the validators. Each neuron then runs as a child process
// (Procs; the command comes from Config.Neuron, and NeuronMain is what the
// child runs) with its own log. After each epoch Run reads the subnet and
// its metagraph at one head (readSnapshot), redraws the view (Render),
// and checks the epoch's books against the previous epoch's to the rao
// (CheckEmission). When ctx ends or after Config.Epochs epochs it stops the
// children (SIGTERM, then SIGKILL) and returns the final metagraph with
// the Verdicts on it.
//
//	node (in-process) ◄── client ── Run: setup ─► Procs ─► neuron processes
//	      ▲                              │                   (axons, dendrites,
//	      └──── snapshot each epoch ◄────┘                    SetWeights)
//	                 │
//	      Render, CheckEmission, Verdicts
package demo
