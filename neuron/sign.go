package neuron

import (
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

// Domain tags: the first bytes hashed for a request and a response, so a
// neuron signature can never be taken for a transaction's, a vote's, or each
// other's.
const (
	RequestDomain  = "taod/neuron/request/v1"
	ResponseDomain = "taod/neuron/response/v1"
)

// HTTP wire format (docs/subnets.md, "Request signing").
const (
	PathPrefix = "/taod/v1/" // POST PathPrefix + kind

	HeaderChainID     = "Taod-Chain-Id"
	HeaderNetuid      = "Taod-Netuid"
	HeaderNonce       = "Taod-Nonce"
	HeaderCaller      = "Taod-Caller"
	HeaderAxon        = "Taod-Axon"
	HeaderSignature   = "Taod-Signature"
	HeaderRequestHash = "Taod-Request-Hash"
	HeaderError       = "Taod-Error" // a refusal's reason code (see the Code* constants)

	// MaxKindLen bounds a request kind.
	MaxKindLen = 64
	// SignatureLen is a recoverable secp256k1 signature: r ‖ s ‖ v, v ∈ {0, 1}.
	SignatureLen = 65
)

var (
	ErrBadKind      = fmt.Errorf("neuron: request kind must be 1..%d bytes of [a-z0-9_.-]", MaxKindLen)
	ErrBadSignature = errors.New("neuron: malformed signature (want 65 bytes r‖s‖v, v ∈ {0,1}, low S)")
	ErrWrongSigner  = errors.New("neuron: signature is not by the expected hotkey")
)

// RequestHeader is what a caller signs: everything that identifies one
// request to one axon. (Caller, Nonce) is the request's unique id; Kind names
// the handler, so a signature for one kind cannot be replayed at another.
type RequestHeader struct {
	ChainID  uint64
	Netuid   uint16
	Nonce    uint64 // the caller's clock in Unix nanoseconds, strictly increasing per caller
	Caller   types.Address
	Axon     types.Address // the axon's hotkey
	Kind     string
	BodyHash types.Hash // keccak256 of the exact body bytes
}

// ValidKind reports whether k is a well-formed request kind.
func ValidKind(k string) bool {
	if len(k) == 0 || len(k) > MaxKindLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// Hash is the digest a caller signs:
//
//	keccak256(RequestDomain ‖ u64(chainID) ‖ u16(netuid) ‖ u64(nonce) ‖
//	          caller[20] ‖ axon[20] ‖ u8(len(kind)) ‖ kind ‖ bodyHash[32])
//
// with integers big-endian. Every field has a fixed width or a length
// prefix, so no two headers share a preimage.
func (h *RequestHeader) Hash() types.Hash {
	var b [len(RequestDomain) + 8 + 2 + 8 + 20 + 20 + 1 + MaxKindLen + 32]byte
	n := copy(b[:], RequestDomain)
	binary.BigEndian.PutUint64(b[n:], h.ChainID)
	n += 8
	binary.BigEndian.PutUint16(b[n:], h.Netuid)
	n += 2
	binary.BigEndian.PutUint64(b[n:], h.Nonce)
	n += 8
	n += copy(b[n:], h.Caller[:])
	n += copy(b[n:], h.Axon[:])
	kind := h.Kind
	if len(kind) > MaxKindLen { // never signed: ValidKind refuses it first
		kind = kind[:MaxKindLen]
	}
	b[n] = byte(len(kind))
	n++
	n += copy(b[n:], kind)
	n += copy(b[n:], h.BodyHash[:])
	return types.Keccak256(b[:n])
}

// ResponseHash is the digest an axon signs for its answer:
//
//	keccak256(ResponseDomain ‖ requestHash[32] ‖ u16(httpStatus) ‖ bodyHash[32])
//
// It binds the answer to the exact request, so a validator holding the
// request, the response and the signature can prove who answered what.
func ResponseHash(requestHash types.Hash, status uint16, bodyHash types.Hash) types.Hash {
	var b [len(ResponseDomain) + 32 + 2 + 32]byte
	n := copy(b[:], ResponseDomain)
	n += copy(b[n:], requestHash[:])
	binary.BigEndian.PutUint16(b[n:], status)
	n += 2
	copy(b[n:], bodyHash[:])
	return types.Keccak256(b[:])
}

// Sign signs a digest with a hotkey: 65 bytes r ‖ s ‖ v, low S.
func Sign(digest types.Hash, key *ecdsa.PrivateKey) ([]byte, error) {
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		return nil, fmt.Errorf("neuron: sign: %w", err)
	}
	return sig, nil
}

var (
	secpN     = crypto.S256().Params().N
	secpHalfN = new(big.Int).Rsh(secpN, 1)
)

// Recover returns the address that signed digest. It refuses malformed and
// high-S signatures, so a signature has exactly one accepted encoding.
func Recover(digest types.Hash, sig []byte) (types.Address, error) {
	if len(sig) != SignatureLen || sig[64] > 1 {
		return types.Address{}, ErrBadSignature
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(secpN) >= 0 || s.Cmp(secpHalfN) > 0 {
		return types.Address{}, ErrBadSignature
	}
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Verify checks that sig over digest is by want.
func Verify(digest types.Hash, sig []byte, want types.Address) error {
	got, err := Recover(digest, sig)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: signed by %s, expected %s", ErrWrongSigner, got, want)
	}
	return nil
}
