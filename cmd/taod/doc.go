// Command taod is the taod node, validator, wallet CLI and local-chain
// launcher. Run `taod --help` for the verbs.
//
// The command is thin: it parses flags and hands off. Node verbs build a
// node.Config and run the node; every other verb talks to a running node
// through package client (withClient in client.go), over --rpc (env
// TAOD_RPC, default http://127.0.0.1:9944), and prints JSON or a table.
//
//	main.go        the root command, exit codes (an upgrade halt is its own)
//	node_cmds.go   init, start, devnet: flags → node.Config → node.Run
//	testnet.go     testnet init/start/docker/status (package testnet)
//	keys.go        keys: the local keyring (internal/keyring)
//	tx.go          tx transfer: sign and send TAO
//	stake.go       stake and validator: positions, take, consensus keys, unjail
//	subnet.go      subnet and root: registration, hyperparameters, weights
//	gov.go         gov: proposals and votes
//	query.go       query: balance, block, tx (with receipt), issuance
//	yuma.go        yuma simulate: the epoch engine offline, no node
//
// Each domain verb holds its own transactions and queries; signing happens
// here, with a key unlocked from the keyring, so the node never sees one.
package main
