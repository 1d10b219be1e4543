package keys

import (
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/crypto"
)

// hardened marks a hardened BIP-32 index (i').
const hardened = hdkeychain.HardenedKeyStart

// MaxIndex is the largest account index: the last path element is a
// non-hardened BIP-32 index, below 2^31.
const MaxIndex = hardened - 1

// ErrIndex is an account index at or above 2^31.
var ErrIndex = errors.New("keys: account index must be below 2^31")

// Path returns the BIP-32 path of Ethereum account index:
// m/44'/60'/0'/0/index (BIP-44 purpose 44, coin type 60, account 0,
// external chain).
func Path(index uint32) []uint32 {
	return []uint32{hardened + 44, hardened + 60, hardened + 0, 0, index}
}

// PathString is Path written the usual way, e.g. "m/44'/60'/0'/0/3".
func PathString(index uint32) string {
	return fmt.Sprintf("m/44'/60'/0'/0/%d", index)
}

// FromMnemonic derives the private key of Ethereum account index from a
// BIP-39 phrase and passphrase: the key MetaMask shows for that phrase's
// account index+1.
func FromMnemonic(phrase, passphrase string, index uint32) (*ecdsa.PrivateKey, error) {
	if index > MaxIndex {
		return nil, fmt.Errorf("%w, got %d", ErrIndex, index)
	}
	seed, err := Seed(phrase, passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(seed)
	return FromSeed(seed, Path(index))
}

// FromSeed derives the private key at path from a BIP-32 seed (16 to 64
// bytes).
func FromSeed(seed []byte, path []uint32) (*ecdsa.PrivateKey, error) {
	xk, err := deriveExtended(seed, path)
	if err != nil {
		return nil, err
	}
	defer xk.Zero()
	pk, err := xk.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	b := pk.Serialize() // 32 bytes, left-padded
	defer clear(b)
	return crypto.ToECDSA(b)
}

// deriveExtended walks path from the master key of seed. Derive is the
// BIP-32-conforming child derivation (it keeps a private key's leading
// zero bytes; the library's DeriveNonStandard does not).
func deriveExtended(seed []byte, path []uint32) (*hdkeychain.ExtendedKey, error) {
	k, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		return nil, fmt.Errorf("keys: master key: %w", err)
	}
	for depth, i := range path {
		child, err := k.Derive(i)
		k.Zero()
		if err != nil {
			return nil, fmt.Errorf("keys: derive level %d: %w", depth+1, err)
		}
		k = child
	}
	return k, nil
}
