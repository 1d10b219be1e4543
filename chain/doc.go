// Package chain is taod's state transition: it builds, checks and applies
// blocks on top of the store.
//
// A block is applied in a fixed order: first the block reward is minted
// (total issuance rises by emission.BlockReward of the issuance before the
// block, into the undistributed emission pool), then each transaction in
// order. A transaction is either
//
//   - invalid (bad envelope or signature, wrong chain, not the sender's next
//     nonce, fee below base fee × weight, cannot pay fee + tip): a block
//     that contains one is invalid, and the txpool never admits one; or
//   - included: fee + tip are charged and recycled (issuance drops), the nonce
//     advances, and the call runs. If the call's own rule fails its writes are
//     undone and the receipt records why; the fee stays paid.
//
// Nothing here reads a clock, draws randomness or iterates a map in an order
// that matters: two nodes applying the same blocks reach the same state root.
package chain
