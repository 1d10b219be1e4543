// Package keys turns a BIP-39 recovery phrase into the secp256k1 key an
// Ethereum wallet would derive from it, so a taod coldkey can be written
// down as 24 words and restored here, in MetaMask or on a hardware wallet
// with the same address.
//
// # Data flow
//
//	NewMnemonic(rand) ─▶ 24 words (256 bits of entropy + 8-bit checksum)
//	phrase ─▶ CheckMnemonic (length, word list, checksum; errors name the
//	          problem and the word's position, never the word)
//	       ─▶ seed = PBKDF2-HMAC-SHA512(NFKD(phrase), "mnemonic"+NFKD(passphrase), 2048)  (BIP-39)
//	       ─▶ master = HMAC-SHA512("Bitcoin seed", seed)                                 (BIP-32)
//	       ─▶ m/44'/60'/0'/0/index                                                       (BIP-44, coin 60)
//	       ─▶ *ecdsa.PrivateKey; address = keccak(pubkey)[12:]
//
// The path is the one MetaMask, Ledger Live's "Ethereum" accounts, Hardhat
// and Foundry use for account i, so the same phrase gives the same address
// everywhere. Storage is not here: internal/keyring encrypts the derived
// key into a keystore v3 file; the phrase itself is never stored.
//
// # Usage
//
//	phrase, err := keys.NewMnemonic(rand.Reader)
//	key, err := keys.FromMnemonic(phrase, "", 0) // account 0
//	addr := crypto.PubkeyToAddress(key.PublicKey)
//
// BIP-39 comes from github.com/tyler-smith/go-bip39 (word list, checksum,
// seed) and BIP-32 from github.com/btcsuite/btcd/btcutil/hdkeychain; see
// docs/notes/mnemonic.md for why those two.
package keys
