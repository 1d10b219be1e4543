// Package rpc serves taod's JSON-RPC 2.0 API over HTTP and WebSocket on one
// port, with go-ethereum's rpc package: batches, subscriptions, CORS and
// virtual-host checks, and limits on batch size, response size, request size
// and subscriptions per connection.
//
// Namespaces live one per file: tao_ (chain, balances, transactions, issuance,
// proofs), subnet_ (subnets, hyperparameters, metagraphs, root network), gov_
// (proposals, votes, parameters), stake_ (stake positions, delegates,
// validator sets, unbonding, coldkey swaps), net_ (health) and eth_ (the Ethereum subset
// wallets need: eth.go for accounts, calls and sends, eth_block.go for
// blocks and fee history, eth_tx.go for transactions and receipts). Amounts
// in rao are decimal strings, since they can exceed 2^53 and JSON numbers
// lose precision there; heights and nonces are JSON numbers.
//
// # Reads
//
// The API reads the chain only through the query surface it declares in
// query.go (Query: Blocks, Archive, View), which the node implements with
// internal/query over chain and state; rpc imports no store. Committed
// blocks, receipts, the tx index and past states (by state root, through
// the trie) are read directly: they never change. A call that reads the
// head state opens a View, the state of one block, reads everything it
// answers from it, and closes it: a metagraph and its neurons' stake, or a
// proposal and its live tally, always come from the same block even as the
// node commits the next. Writes go through Backend.SubmitTx to the txpool.
//
// Request flow: HTTP/WS → Server.ServeHTTP (Host, Origin, CORS) →
// go-ethereum's dispatcher (batch and body limits) → a namespace method →
// Query (blocks, receipts, proofs) or a View (head state) → JSON types of
// json.go and the namespace file.
package rpc
