// Command benchnet measures a local network of taod validators (processes on
// 127.0.0.x) under load and prints, in one run: the saturation throughput;
// the latency curve at 25/50/80/100/200% of it (offered, admitted, refused
// and committed tx/s, p50/p99 submit-to-final latency of admitted txs, the
// share of heights decided in round 0); CPU per 1,000 tx/s per node; RSS
// per node idle, at its peak and after the load; how soon after the 200%
// step a probe tx is back at idle latency; and block-sync speed of a late
// node. `make bench-net` runs it (about 5 minutes).
//
// It is a measuring tool, not a test: nothing in it passes or fails. Each
// step is a fresh load window on the same network: transfers pre-signed
// before the window, offered at a fixed rate, and the step ends when every
// admitted tx is final (or after 30 s). An account has at most one tx in
// flight and re-offers a refused tx, so refusals leave no nonce gaps.
//
// Shapes (-shape): taod sends JSON-RPC batches (-batch) spread over all
// nodes; comet sends one tx per HTTP request over 8 connections, all to
// node0, as CometBFT's load tool does, so its published figures can be
// compared. The chain's block_time_ms (-block-ms) is 20 ms by default:
// CometBFT's anchor ran with timeout_commit 0, and the chain needs > 0.
// -admit/-admit-ms set the nodes' admission control ([txpool]).
// docs/notes/bench-net.md records figures with the exact command.
//
//	make build && go run ./internal/benchnet -duration 5s -overload-duration 10s -sync-blocks 0
package main
