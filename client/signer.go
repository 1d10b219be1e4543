package client

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

// ErrNoKey is returned for a nil key.
var ErrNoKey = errors.New("client: signer needs a private key")

// Signer signs transactions with one secp256k1 key: a coldkey for calls
// that move funds or stake, a hotkey for a neuron's calls (weights, axon,
// PoW registration).
type Signer struct {
	key  *ecdsa.PrivateKey
	addr types.Address
}

// NewSigner signs with key.
func NewSigner(key *ecdsa.PrivateKey) (*Signer, error) {
	if key == nil {
		return nil, ErrNoKey
	}
	return &Signer{key: key, addr: types.Address(crypto.PubkeyToAddress(key.PublicKey))}, nil
}

// SignerFromKeystore decrypts a keystore v3 file (go-ethereum's format, as
// `taod keys new` writes) and signs with its key.
func SignerFromKeystore(path, password string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("client: read keystore: %w", err)
	}
	k, err := keystore.DecryptKey(b, password)
	if err != nil {
		return nil, fmt.Errorf("client: unlock %s: %w", path, err)
	}
	return NewSigner(k.PrivateKey)
}

// Address is the signer's address (the tx sender the chain recovers).
func (s *Signer) Address() types.Address { return s.addr }

// Key is the signer's private key, for signatures other than a tx's
// (a consensus-key binding, an axon request).
func (s *Signer) Key() *ecdsa.PrivateKey { return s.key }
