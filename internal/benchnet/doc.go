// Command benchnet measures a local network of taod validators (processes on
// 127.0.0.x) under a bounded load of signed transfers: committed tx/s,
// submit-to-final latency, the share of heights decided in round 0, RSS per
// node during and after load, and block-sync speed of a late node.
// `make bench-net` runs it.
//
// It is a measuring tool, not a test: nothing in it passes or fails. It
// starts the taod binary (-bin) as separate processes, offers transfers at a
// fixed rate (-rate, -accounts, -batch, -duration) over JSON-RPC, reads
// heights and receipts back, then (-sync-blocks) lets a fresh node catch up
// on empty blocks and times it. Docs/notes record its figures with the exact
// command.
//
//	make build && go run ./internal/benchnet -validators 4 -rate 4000 -duration 10s
package main
