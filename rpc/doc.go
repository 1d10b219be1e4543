// Package rpc serves taod's JSON-RPC 2.0 API over HTTP and WebSocket on one
// port, with go-ethereum's rpc package: batches, subscriptions, CORS and
// virtual-host checks, and limits on batch size, response size, request size
// and subscriptions per connection.
//
// Namespaces live one per file: tao_ (chain, balances, transactions, issuance,
// proofs), subnet_ (subnets, hyperparameters, metagraphs, root network), gov_ (proposals, votes, parameters), stake_ (stake positions, delegates, validator sets, unbonding)
// and net_ (health). Amounts in rao are decimal strings, since they
// can exceed 2^53 and JSON numbers lose precision there; heights and nonces
// are JSON numbers.
package rpc
