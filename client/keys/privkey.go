package keys

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
)

// ErrPrivateKey is text that is not a hex secp256k1 private key.
var ErrPrivateKey = errors.New("keys: a private key is 64 hex digits (optionally 0x-prefixed) of a valid secp256k1 scalar")

// ParsePrivateKeyHex reads a private key as wallets export it: 64 hex
// digits, an optional 0x prefix, surrounding whitespace ignored. The error
// never repeats the input.
func ParsePrivateKeyHex(text []byte) (*ecdsa.PrivateKey, error) {
	t := bytes.TrimSpace(text)
	if bytes.HasPrefix(t, []byte("0x")) || bytes.HasPrefix(t, []byte("0X")) {
		t = t[2:]
	}
	if len(t) != 64 {
		return nil, fmt.Errorf("%w (got %d characters)", ErrPrivateKey, len(t))
	}
	raw := make([]byte, 32)
	defer clear(raw)
	if _, err := hex.Decode(raw, t); err != nil {
		return nil, fmt.Errorf("%w (not hex)", ErrPrivateKey)
	}
	k, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("%w (zero or not below the curve order)", ErrPrivateKey)
	}
	return k, nil
}
