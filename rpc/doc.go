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
//
// # Subnet reads (subnet.go, subnet_weights.go)
//
// Besides subnets, hyperparameters and metagraphs (subnet_snapshot: the
// neurons, hyperparameters and block from one state), a validator reads:
//
//   - subnet_bonds(netuid, uid) → [[uid, bond]…]: the UID's bond row as
//     the last epoch stored it (u16, sparse, by column UID).
//   - subnet_weights(netuid) → {"block":N,"blockHash":"0x…","weights":
//     [[[uid, w]…]…]}: every UID's weight row, indexed by UID, from one
//     state (the matrix subnet_neuron gives a row at a time). At most
//     MaxWeightPairs (2^20) pairs, about 13 MB; a larger matrix is
//     refused with -32005. 64 validators × 4,096 UIDs is 3.3 MB.
//   - subnet_weightsCommit(netuid, hotkey) → {"hash":"0x…","block":N,
//     "revealFrom":N,"revealUntil":N} or null: the commit awaiting its
//     reveal; a RevealWeights lands in a block from revealFrom to
//     revealUntil inclusive, per the subnet's reveal_delay and
//     reveal_window at the head. A commit stays until it is revealed or
//     replaced, so revealUntil may be past.
//
// A uid at or beyond the subnet's neuron count and the zero hotkey are
// -32602; an unknown subnet is -32001, as for subnet_info.
//
// # Events (events.go)
//
// Receipts carry typed events (types/event.go); each block's receipt list
// ends with a block receipt holding its begin- and end-of-block events. An
// event in JSON (EventJSON):
//
//	{"kind":"transfer","blockNumber":12,"blockHash":"0x…","txHash":"0x…" or null,
//	 "receiptIndex":0,"eventIndex":1,"address":"0x…" or null,"peer":"0x…" or null,
//	 "netuid":1 or null,"uid":0,"amount":"5000000000","ref":0,"data":"0x",
//	 "cursor":"12:0:1"}
//
// Kinds and what address, peer, netuid, uid, amount, ref and data mean for
// each: types/event.go (transfer, feePaid, stakeAdded, stakeRemoved,
// stakeUnbonded, reward, slash, unjail, neuronRegistered, weightsSet,
// weightsCommitted, weightsRevealed, subnetCreated, subnetPruned, epoch,
// proposalSubmitted, voted, proposalPassed, proposalFailed,
// proposalCancelled, paramChanged, takeSet, hotkeySwapped,
// coldkeySwapScheduled, coldkeySwapDisputed, coldkeySwapCancelled,
// coldkeySwapExecuted).
//
//   - tao_getTransactionReceipt carries the tx's "events" too; a block's
//     own events are tao_getEvents with fromBlock = toBlock = its height.
//   - tao_getAccountHistory(address, cursor?, limit?) → {"events":[…newest
//     first],"next":"h:r:e" or null,"indexedFrom":N}: every event naming
//     the address as its address or peer, and each epoch's incentive
//     paid to a miner the address is the hotkey or owner of (a record
//     of the node's index, no receipt holds it: kind "reward", ref 4,
//     "source":"incentive", address the hotkey, peer its owner at the
//     epoch, netuid, uid, amount in rao; txHash null; its cursor's receipt
//     is one past the block receipt, so it sorts after the block's
//     events); limit 1-100 (default 25); pass
//     next back as cursor for the following page, which stays the same
//     while blocks are added. Needs the index ([index] enabled, on in
//     devnet); a node without it answers -32000. indexedFrom is the first
//     block the index holds: a node with [index] keep_blocks = N keeps the
//     last N blocks' entries, the history ends there, and a cursor older
//     than it (a page taken before its blocks were pruned) answers -32001
//     naming the first kept block.
//   - tao_getEvents({kinds?, address?, netuid?, fromBlock?, toBlock?,
//     cursor?}) → {"events":[…oldest first],"next":"h:r:e" or null}: at most
//     10,000 blocks per call (-32005 beyond), at most 1,000 events per
//     answer (next resumes, passed as cursor with the same filter), at most
//     32 kinds; read from receipts, so any node answers, pruned index or
//     not. A field the filter does not have is refused (-32602), not
//     ignored.
//   - subnet_history(netuid, uid, epochs?) → [{"block":N,"hotkey":"0x…",
//     "incentive":u16,"dividends":u16,"emission":"rao"}…oldest first]: the
//     UID's last epochs (1-256, default 32), kept per tempo by the index,
//     from its first block on (keep_blocks prunes older ones); with none
//     kept on an index that does not start at genesis, -32001 naming the
//     first kept block.
//   - eth_getLogs: transfers as ERC-20-style Transfer logs (eth.go).
package rpc
