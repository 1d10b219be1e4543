// Package chain is taod's block lifecycle: it builds (Propose), checks and
// executes (Execute) and commits (Commit) blocks on top of the store, and
// hands each transaction's call to the module that owns its rule. The
// rules themselves live in the modules:
//
//	staking/  stake, take, unbonding, consensus keys, the validator set,
//	          evidence, downtime, slashing and jail
//	subnet/   subnets, neurons, registration, weights, commit-reveal,
//	          epochs and the root network (with the pure rules and yuma/)
//	gov/      proposals, votes, the tally, upgrade halts
//
// chain keeps what is the chain's own: transaction validity and fees
// (tx.go, fees.go), the block budget, genesis and its presets, and the
// parameter registry (Params assembles each module's parameters; genesis
// writes them, governance changes them through params_change.go and
// govparams.go), and the committed chain read back (reads.go: Head,
// BlockHash, BlockByHeight, SeenCommit, which the node reads and serves to
// syncing peers). Modules import staking at most (subnet → staking,
// gov → staking; gov needs no subnet rule); none imports chain
// (internal/archtest enforces it).
//
// # A block, in order
//
// newBlockCtx (block.go) gives each module its own Block view of the
// block: the same state, the height and that module's parameters. Then:
//
//  1. begin (beginBlock): gov.CheckUpgrade halts at an upgrade this binary
//     does not implement; the block reward is minted (total issuance rises
//     by emission.BlockReward of the issuance before the block, into the
//     undistributed pool); each piece of evidence is checked and applied
//     by staking; the parent's commit is verified against its validator
//     set, and staking tracks who missed it (downtime).
//  2. each transaction (applyTx, tx.go). It is either
//     - invalid (bad envelope or signature, wrong chain, not the sender's
//     next nonce, a sender frozen by a disputed or executing coldkey swap,
//     fee below base fee × (weight + length fee), cannot pay
//     fee + tip): a block that contains one is invalid, and the txpool
//     never admits one; or
//     - included: fee + tip are charged and recycled (issuance drops), the
//     nonce advances, and applyCall dispatches the call to its module (a
//     SwapHotkey to staking, then subnet: two halves of one call). If
//     the call's own rule fails its writes are undone and the receipt
//     records why (the error's text, which is therefore consensus data);
//     the fee stays paid. Fee-free calls (fees.go) are dry-run first and
//     limited to a share of the block.
//  3. end (endBlock): staking releases due unbonding; gov tallies the
//     proposals whose voting ends here (a passed parameter change comes
//     back to chain's registry, which migrates module state through
//     staking.MigrateParams and subnet's MigrateParams and writes the new
//     parameters, in force from the next block); subnet shares the
//     emission pool, adjusts registration costs and runs due epochs;
//     staking executes the coldkey swaps due (bounded per block, subnet
//     ownership through subnet.MoveOwnership); at a consensus epoch's last
//     block staking decides the validator set.
//  4. seal: state root, tx and receipts roots, and the validator hashes of
//     this height and the next go into the header.
//
// # Events
//
// Every module's Block holds the block's *types.EventLog and emits typed
// events into it as it works (events.go emits those a tx's call says in
// full). applyTx moves a tx's events into its receipt; a failed call's are
// dropped with its writes. What is left after end (begin- and end-of-block
// work: slashes, unbonding releases, epochs and their rewards, tallies,
// coldkey swaps executing) becomes the block receipt, the last of the
// block's receipts; the receipts root covers them all (receipt format
// types.ReceiptVersion). Epochs' per-UID tables travel beside the receipts
// (Executed.Epochs) to the store's index.
//
// # State keys
//
// Each module documents its keys in its keys.go; chain's own is in
// keys.go. All are under the one state root.
//
// Nothing here reads a clock, draws randomness or iterates a map in an order
// that matters: two nodes applying the same blocks reach the same state root.
package chain
