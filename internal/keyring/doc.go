// Package keyring stores coldkeys as keystore v3 files (go-ethereum's
// format, scrypt-encrypted) in a directory, one <name>.json per key.
//
// Keys come in three ways and leave in one:
//
//	Create          a fresh random key (no phrase; `taod keys new --no-mnemonic`)
//	Import          a key the caller derived or parsed: from a BIP-39 phrase
//	                (client/keys.FromMnemonic) or a hex private key
//	ImportKeystore  another wallet's keystore v3 file, opened with its
//	                password (KDF cost bounded first) and encrypted again here
//	Export          the stored keystore file, still encrypted
//
// Every write is create-exclusive (a name is never overwritten) with mode
// 0600 in a 0700 directory, and synced. The keyring never sees a recovery
// phrase: the CLI derives the key from it and forgets it.
//
// Names are 1-64 letters, digits, '-' or '_' (ErrBadName), so a name can
// never step out of the directory. A key is only ever decrypted on use
// (Unlock); List and Get read addresses from the files without a password.
// Keyring.ScryptN/ScryptP set the encryption cost: zero is go-ethereum's
// standard (strong, about a second per unlock); the dev keystores written by
// `taod init`/devnet use the light setting.
//
//	kr := &keyring.Keyring{Dir: filepath.Join(home, "keys")}
//	e, err := kr.Create("alice", password)        // or Import(name, key, pw)
//	entries, err := kr.List()                     // sorted by name
//	key, err := keyring.Unlock(e.Path, password)  // sign with key
package keyring
