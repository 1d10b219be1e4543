// Package keyring stores coldkeys as keystore v3 files (go-ethereum's
// format, scrypt-encrypted) in a directory, one <name>.json per key.
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
