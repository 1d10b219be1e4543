package devkeys

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

// Key returns dev key i: the secp256k1 key whose scalar is
// keccak256("taod dev key <i>").
func Key(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("taod dev key %d", i))))
	if err != nil {
		panic(err) // a keccak digest is a valid scalar with overwhelming probability; i is small
	}
	return k
}

// Address returns the address of dev key i.
func Address(i int) types.Address { return crypto.PubkeyToAddress(Key(i).PublicKey) }

// Addresses returns the addresses of dev keys 0..n-1.
func Addresses(n int) []types.Address {
	out := make([]types.Address, n)
	for i := range out {
		out[i] = Address(i)
	}
	return out
}
