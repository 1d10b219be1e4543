package types

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"sync/atomic"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Envelope type bytes (DESIGN.md §2). Tx.Type returns one of them.
const (
	TxTypeNative  byte = 0x54 // 'T': taod's own transaction
	TxTypeLegacy  byte = 0x00 // Ethereum legacy tx; on the wire an RLP list (first byte ≥ 0xc0), see ethtx.go
	TxTypeEIP2930 byte = 0x01 // Ethereum access-list tx, see ethtx.go
	TxTypeEIP1559 byte = 0x02 // Ethereum dynamic-fee tx, see ethtx.go
)

// MaxTxSize bounds an encoded transaction; larger ones are refused unread.
const MaxTxSize = 32 * 1024

var (
	ErrEmptyTx           = errors.New("types: empty transaction")
	ErrTxTooLarge        = fmt.Errorf("types: transaction larger than %d bytes", MaxTxSize)
	ErrUnsupportedTxType = errors.New("types: unsupported transaction type")
	ErrNonCanonical      = errors.New("types: non-canonical encoding")
	ErrBadSignature      = errors.New("types: invalid signature")
	ErrHighS             = errors.New("types: signature S value is not in the lower half of the curve order")
)

// TxData is the signed content of a native transaction.
type TxData struct {
	ChainID uint64
	Nonce   uint64
	Fee     uint64 // rao paid for the call's weight; ≥ base fee × weight
	Tip     uint64 // rao on top of Fee; orders the txpool
	Call    Call
}

// Tx is an immutable, signed transaction. Its hash, encoding and sender are
// computed once.
//
// A native tx carries its signed TxData and signature (v, r, s). An
// Ethereum-signed tx carries the go-ethereum transaction it was decoded from
// (eth) and, in data, the native fields it maps to (ethtx.go), so that every
// accessor below, and so the chain and the txpool, treat both alike.
type Tx struct {
	typ  byte
	data TxData
	v    byte                  // native only
	r, s *big.Int              // native only
	eth  *ethtypes.Transaction // Ethereum-signed only
	raw  []byte
	hash Hash

	sender atomic.Pointer[senderResult]
}

type senderResult struct {
	addr Address
	err  error
}

type sigPayload struct {
	ChainID, Nonce, Fee, Tip uint64
	Call                     rlp.RawValue
}

type wireTx struct {
	ChainID, Nonce, Fee, Tip uint64
	Call                     rlp.RawValue
	V                        uint8
	R, S                     *big.Int
}

// SigningHash is the digest a native transaction's signature covers.
func SigningHash(d TxData) (Hash, error) {
	call, err := EncodeCall(d.Call)
	if err != nil {
		return Hash{}, err
	}
	p, err := rlp.EncodeToBytes(&sigPayload{d.ChainID, d.Nonce, d.Fee, d.Tip, call})
	if err != nil {
		return Hash{}, err
	}
	return Keccak256([]byte{TxTypeNative}, p), nil
}

// signingHashOfRaw is SigningHash read off a native tx's canonical
// encoding: the signed payload is the same five RLP items under their own
// list header, so they are hashed in place instead of encoding the call
// again (a 32 KiB proposal would be copied twice more). ok is false if raw
// is not a native envelope of at least five items.
func signingHashOfRaw(raw []byte) (h Hash, ok bool) {
	if len(raw) < 2 || raw[0] != TxTypeNative {
		return Hash{}, false
	}
	content, _, err := rlp.SplitList(raw[1:])
	if err != nil {
		return Hash{}, false
	}
	rest := content
	for range 5 {
		if _, _, rest, err = rlp.Split(rest); err != nil {
			return Hash{}, false
		}
	}
	items := content[:len(content)-len(rest)]
	header := rlpListHeader(len(items))
	return Keccak256([]byte{TxTypeNative}, header, items), true
}

// rlpListHeader is the RLP prefix of a list whose items take n bytes.
func rlpListHeader(n int) []byte {
	if n < 56 {
		return []byte{0xc0 + byte(n)}
	}
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], uint64(n))
	i := 0
	for be[i] == 0 {
		i++
	}
	return append([]byte{0xf7 + byte(8-i)}, be[i:]...)
}

// SignTx signs d with key and returns the transaction.
func SignTx(d TxData, key *ecdsa.PrivateKey) (*Tx, error) {
	h, err := SigningHash(d)
	if err != nil {
		return nil, err
	}
	sig, err := crypto.Sign(h[:], key) // go-ethereum always produces low-S
	if err != nil {
		return nil, fmt.Errorf("types: sign: %w", err)
	}
	call, _ := EncodeCall(d.Call)
	w := wireTx{d.ChainID, d.Nonce, d.Fee, d.Tip, call, sig[64], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])}
	body, err := rlp.EncodeToBytes(&w)
	if err != nil {
		return nil, err
	}
	return DecodeTx(append([]byte{TxTypeNative}, body...))
}

// DecodeTx decodes and checks a transaction envelope: its size, type, canonical
// encoding, the call's stateless rules and the signature's form. The sender is
// recovered lazily by Sender. It accepts native (0x54) transactions and
// Ethereum-signed plain value transfers (legacy EIP-155, 0x01, 0x02; see
// ethtx.go). For every transaction it returns, Bytes() is b and Hash() is
// keccak256(b).
func DecodeTx(b []byte) (*Tx, error) { return decodeTx(b, nil) }

// decodeTx is DecodeTx; hash, if set, is Keccak256(b) already computed (the
// TxCache's key), which a native tx then does not hash again: for a 32 KiB
// tx the hash costs as much as the rest of its decoding.
func decodeTx(b []byte, hash *Hash) (*Tx, error) {
	switch {
	case len(b) == 0:
		return nil, ErrEmptyTx
	case len(b) > MaxTxSize:
		return nil, ErrTxTooLarge
	case b[0] == TxTypeNative:
		return decodeNativeTx(b, hash)
	case b[0] >= 0xc0, b[0] == TxTypeEIP2930, b[0] == TxTypeEIP1559:
		return decodeEthTx(b)
	}
	return nil, fmt.Errorf("%w: 0x%02x (taod accepts native 0x54 transactions and Ethereum legacy, 0x01 and 0x02 value transfers)", ErrUnsupportedTxType, b[0])
}

func decodeNativeTx(b []byte, hash *Hash) (*Tx, error) {
	var w wireTx
	if err := rlp.DecodeBytes(b[1:], &w); err != nil {
		return nil, fmt.Errorf("types: decode transaction: %w", err)
	}
	call, err := DecodeCall(w.Call)
	if err != nil {
		return nil, err
	}
	if err := call.Validate(); err != nil {
		return nil, err
	}
	if w.V > 1 || w.R.Sign() <= 0 || w.S.Sign() <= 0 || w.R.Cmp(secp256k1N) >= 0 || w.S.Cmp(secp256k1N) >= 0 {
		return nil, ErrBadSignature
	}
	if w.S.Cmp(secp256k1HalfN) > 0 {
		return nil, ErrHighS
	}
	tx := &Tx{
		typ:  TxTypeNative,
		data: TxData{w.ChainID, w.Nonce, w.Fee, w.Tip, call},
		v:    w.V, r: w.R, s: w.S,
		raw: bytes.Clone(b),
	}
	// One value, one encoding: refuse anything that does not re-encode to
	// the same bytes, so a transaction cannot be re-wrapped under a new hash.
	again, err := tx.encode()
	if err != nil || !bytes.Equal(again, b) {
		return nil, ErrNonCanonical
	}
	if hash != nil {
		tx.hash = *hash
	} else {
		tx.hash = Keccak256(b)
	}
	tx.shareStrings() // the call's long strings point into raw (txmem.go)
	return tx, nil
}

func (tx *Tx) encode() ([]byte, error) {
	call, err := EncodeCall(tx.data.Call)
	if err != nil {
		return nil, err
	}
	body, err := rlp.EncodeToBytes(&wireTx{tx.data.ChainID, tx.data.Nonce, tx.data.Fee, tx.data.Tip, call, tx.v, tx.r, tx.s})
	if err != nil {
		return nil, err
	}
	return append([]byte{tx.typ}, body...), nil
}

// Type is the envelope type byte: TxTypeNative, or an Ethereum type
// (TxTypeLegacy, TxTypeEIP2930, TxTypeEIP1559).
func (tx *Tx) Type() byte { return tx.typ }

// EthTx returns the Ethereum transaction an Ethereum-signed tx was decoded
// from, or nil for a native tx. The caller must not modify it.
func (tx *Tx) EthTx() *ethtypes.Transaction { return tx.eth }

// Hash is keccak256 of the exact encoded bytes.
func (tx *Tx) Hash() Hash { return tx.hash }

// Bytes returns the encoded envelope. The caller must not modify it.
func (tx *Tx) Bytes() []byte { return tx.raw }

// Size is the encoded length in bytes.
func (tx *Tx) Size() int { return len(tx.raw) }

func (tx *Tx) ChainID() uint64 { return tx.data.ChainID }
func (tx *Tx) Nonce() uint64   { return tx.data.Nonce }
func (tx *Tx) Fee() uint64     { return tx.data.Fee }
func (tx *Tx) Tip() uint64     { return tx.data.Tip }
func (tx *Tx) Call() Call      { return tx.data.Call }

// Data returns the native fields. For an Ethereum-signed tx they are the
// fields it maps to, not what was signed: sign nothing with them.
func (tx *Tx) Data() TxData { return tx.data }

// Sender recovers the signer's address. The result is cached.
func (tx *Tx) Sender() (Address, error) {
	if r := tx.sender.Load(); r != nil {
		return r.addr, r.err
	}
	res := &senderResult{}
	res.addr, res.err = tx.recover()
	tx.sender.Store(res)
	return res.addr, res.err
}

func (tx *Tx) recover() (Address, error) {
	if tx.eth != nil {
		return recoverEth(tx.eth)
	}
	h, ok := signingHashOfRaw(tx.raw)
	if !ok {
		var err error
		if h, err = SigningHash(tx.data); err != nil {
			return Address{}, err
		}
	}
	var sig [65]byte
	tx.r.FillBytes(sig[:32])
	tx.s.FillBytes(sig[32:64])
	sig[64] = tx.v
	pub, err := crypto.Ecrecover(h[:], sig[:])
	if err != nil {
		return Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	var a Address
	copy(a[:], crypto.Keccak256(pub[1:])[12:])
	return a, nil
}
