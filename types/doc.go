// Package types defines taod's consensus data: addresses, amounts, the typed
// transaction envelope and its calls, blocks and headers, votes and commits,
// receipts, and their canonical encodings.
//
// Every value here is consensus-critical. Encodings are canonical RLP
// (go-ethereum/rlp): decoding accepts exactly the bytes that encoding the
// decoded value produces, so a value has one encoding and one hash. Hashes are
// keccak256 of those bytes and are cached on immutable values.
//
// Transactions are typed envelopes (DESIGN.md §2): the first byte says how the
// rest is encoded. The native type 0x54 ('T') is
//
//	0x54 || RLP([chainID, nonce, fee, tip, [callKind, callPayload], v, r, s])
//
// and is signed over keccak256(0x54 || RLP([chainID, nonce, fee, tip, call])).
// Signatures are recoverable secp256k1 with low S only; the sender is always
// recovered, never read from the wire. Ethereum-signed envelopes (EIP-155
// legacy RLP lists, 0x01, 0x02) carrying plain value transfers are kept as
// the exact bytes the wallet signed and map to a native Transfer (ethtx.go);
// any other type is refused with ErrUnsupportedTxType.
//
// Receipts (format ReceiptVersion) carry typed events (event.go): one
// fixed record whose fields each kind defines, collected per block in an
// EventLog that the chain lends to the modules. A block's receipts are one
// per tx and then the block receipt (zero tx hash) with the events of
// begin- and end-of-block work; ReceiptsRoot covers them all.
package types
