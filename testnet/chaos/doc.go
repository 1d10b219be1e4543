// Package chaos is the chaos suite: faults done to a live testnet of four
// validators and a full node (200 ms blocks) under a load of signed
// transfers, each followed by checks that nothing was lost.
//
// A scenario runs on a fresh testnet: a docker-compose testnet of FROM
// scratch containers (DockerCluster: docker kill, pause, network
// disconnect) or a process testnet on 127.0.0.x (ProcessCluster: signals,
// and for partitions each node's chaos-only switch POST /chaos/partition,
// which blocks peers in the p2p host). Both implement Cluster, so every
// scenario runs on both. The nodes are built with the chaos tag, whose
// [chaos] config switches make a validator equivocate or skew its clock, or
// a node flood its peers with invalid gossip (the spammer, scenario 9).
//
// # The load and the ledger of transactions
//
// The load generator signs transfers from a few dev accounts at a fixed
// rate, each account with at most 32 transactions accepted but not yet
// committed, and sends each to the next node in rotation that the scenario
// has not taken down. A transaction is accepted when a node's
// tao_sendRawTransaction returns its hash; the ledger records every one. A
// watcher reads every committed block and marks the ledger's transactions
// committed. A transaction a node accepted can still be lost before it is
// committed: a killed node's mempool dies with it, an isolated node's pool
// is not gossiped. The generator does what a wallet does: a transaction not
// committed 3 s after it was last sent is sent again, unchanged (same
// hash, same nonce), to another node; "already known" is fine. So the
// suite's rule is: every accepted transaction is eventually committed, or a
// node refused it on resubmission (reported with the reason). One that is
// neither is lost, and the scenario fails.
//
// # What every scenario asserts
//
//   - No fork: after the heal, every node's chain up to the lowest head has
//     the same block hash and state root at every height, each block
//     linking to its parent; the watcher also never read two hashes for one
//     height while the fault lasted.
//   - Same state: the load's accounts read from each node's own trie at that
//     height (tao_getProof) have the same balance, nonce and root.
//   - No lost transaction: every transaction committed before the fault is
//     still in the same block on every node; every accepted one is committed
//     in the same block on every node (or reported refused); every sender's
//     nonce equals its accepted transactions.
//   - Liveness: within Durations.Resume of the heal the chain commits a new
//     block and every node is back within a block of the tip.
//   - No double sign: no evidence in any block and no node logged a double
//     sign, except in the byzantine scenario, where evidence must land.
//
// # Figures
//
// Each scenario reports: how long the fault lasted, the blocks and load
// transactions committed during it, the time from the heal to the next
// block (resume) and until every node was within a block of the tip
// (rejoin), the longest interval between block times from the fault on, the
// largest height spread among the nodes that answered, and the load's
// accepted, committed, resubmitted and refused counts. docs/testnet.md says
// how to run it and read them.
package chaos
