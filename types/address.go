package types

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Address is a 20-byte account address, derived from a secp256k1 public key
// exactly as Ethereum does, so Ethereum wallets can hold TAO.
type Address = common.Address

// Hash is a 32-byte keccak256 digest.
type Hash = common.Hash

// ErrBadAddress reports a string that is not a 0x-prefixed 20-byte hex address.
var ErrBadAddress = errors.New("types: address must be 0x followed by 40 hex digits")

// ParseAddress parses a 0x-prefixed hex address. Mixed-case input must carry
// a valid EIP-55 checksum, which catches most typing mistakes.
func ParseAddress(s string) (Address, error) {
	if !common.IsHexAddress(s) || !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return Address{}, fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	a := common.HexToAddress(s)
	body := s[2:]
	if strings.ToLower(body) != body && strings.ToUpper(body) != body && a.Hex()[2:] != body {
		return Address{}, fmt.Errorf("%w: %q has a bad EIP-55 checksum", ErrBadAddress, s)
	}
	return a, nil
}

// Keccak256 hashes the concatenation of data.
func Keccak256(data ...[]byte) Hash { return crypto.Keccak256Hash(data...) }

// secp256k1N and secp256k1HalfN bound signature scalars.
var (
	secp256k1N     = crypto.S256().Params().N
	secp256k1HalfN = new(big.Int).Rsh(secp256k1N, 1)
)
