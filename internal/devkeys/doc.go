// Package devkeys derives the well-known development keys of the devnet and
// test presets. They are public: never hold value with them.
//
// Dev key i is the secp256k1 key whose scalar is keccak256("taod dev key
// <i>"), so any tool in any language can derive the same accounts. The
// devnet and test genesis fund the first few (node.InitOptions.DevKeys), and
// tests, the simulator's real-chain mode and the golden chain sign with them.
//
//	key := devkeys.Key(0)            // *ecdsa.PrivateKey
//	addr := devkeys.Address(0)       // its types.Address
//	funded := devkeys.Addresses(4)   // 0..3
package devkeys
