package neuron

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

// The test vector of docs/subnets.md ("Request signing"). Other
// implementations must reproduce every value.
const (
	vecCallerKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	vecAxonKey   = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
	vecCaller    = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	vecAxon      = "0x63FaC9201494f0bd17B9892B9fae4d52fe3BD377"
	vecBody      = `{"x":[1,2,3]}`
	vecBodyHash  = "0x5ca033a3818223d2821b632bd6c484c15d9f38f070993f2f87266bd8e3281f1e"
	vecReqHash   = "0xed95f65b075374b794cab4526a69fc4aed1049607104f3d7f608ccd1aeeb1392"
	vecReqSig    = "0xe1baf7dfc38914533372edd554741ca2e7cd60ceb89e6fb15541ebbbfa7d22a06ca4472a81bc1c6066c99ba2bf1b9d440bee04c3703d0b1632410d2a02cd111b00"
	vecRespBody  = `{"y":0.5}`
	vecRespHash  = "0x8066e8e11a0260f2355f43ad79c3cd604980a2b646eda79279ff568d459c1f4d"
	vecRespSig   = "0x1bb12a67592e51665f72b8307e189c9968d3dd111331b4c0ec2aae0c389de74a24180725e5ee1b8e05b1cc96339a8820c4dccaf1f97a904b1d9f4f103cc6504300"
)

func vecHeader(t *testing.T) RequestHeader {
	t.Helper()
	caller, _ := types.ParseAddress(vecCaller)
	axon, _ := types.ParseAddress(vecAxon)
	return RequestHeader{
		ChainID: 945, Netuid: 1, Nonce: 1765000000000000000,
		Caller: caller, Axon: axon, Kind: "predict", BodyHash: types.Keccak256([]byte(vecBody)),
	}
}

func TestSigningVector(t *testing.T) {
	ck, err := crypto.HexToECDSA(vecCallerKey)
	if err != nil {
		t.Fatal(err)
	}
	ak, err := crypto.HexToECDSA(vecAxonKey)
	if err != nil {
		t.Fatal(err)
	}
	h := vecHeader(t)
	if got := crypto.PubkeyToAddress(ck.PublicKey).Hex(); got != vecCaller {
		t.Fatalf("caller address %s, want %s", got, vecCaller)
	}
	if got := crypto.PubkeyToAddress(ak.PublicKey).Hex(); got != vecAxon {
		t.Fatalf("axon address %s, want %s", got, vecAxon)
	}
	if h.BodyHash.Hex() != vecBodyHash {
		t.Fatalf("body hash %s, want %s", h.BodyHash.Hex(), vecBodyHash)
	}

	// The preimage exactly as the docs spell it, built independently of Hash.
	var pre bytes.Buffer
	pre.WriteString("taod/neuron/request/v1")
	pre.Write(binary.BigEndian.AppendUint64(nil, 945))
	pre.Write(binary.BigEndian.AppendUint16(nil, 1))
	pre.Write(binary.BigEndian.AppendUint64(nil, 1765000000000000000))
	pre.Write(h.Caller[:])
	pre.Write(h.Axon[:])
	pre.WriteByte(7)
	pre.WriteString("predict")
	pre.Write(h.BodyHash[:])
	if pre.Len() != 22+8+2+8+20+20+1+7+32 {
		t.Fatalf("preimage length %d", pre.Len())
	}
	reqHash := h.Hash()
	if want := types.Keccak256(pre.Bytes()); reqHash != want {
		t.Fatalf("Hash %s differs from the documented preimage's %s", reqHash.Hex(), want.Hex())
	}
	if reqHash.Hex() != vecReqHash {
		t.Fatalf("request hash %s, want %s", reqHash.Hex(), vecReqHash)
	}
	sig, err := Sign(reqHash, ck)
	if err != nil {
		t.Fatal(err)
	}
	if hexutil.Encode(sig) != vecReqSig {
		t.Fatalf("request signature %s, want %s", hexutil.Encode(sig), vecReqSig)
	}
	if err := Verify(reqHash, sig, h.Caller); err != nil {
		t.Fatal(err)
	}

	var rpre bytes.Buffer
	rpre.WriteString("taod/neuron/response/v1")
	rpre.Write(reqHash[:])
	rpre.Write([]byte{0, 200})
	rbh := types.Keccak256([]byte(vecRespBody))
	rpre.Write(rbh[:])
	respHash := ResponseHash(reqHash, 200, rbh)
	if respHash != types.Keccak256(rpre.Bytes()) || respHash.Hex() != vecRespHash {
		t.Fatalf("response hash %s, want %s", respHash.Hex(), vecRespHash)
	}
	rs, err := Sign(respHash, ak)
	if err != nil {
		t.Fatal(err)
	}
	if hexutil.Encode(rs) != vecRespSig {
		t.Fatalf("response signature %s, want %s", hexutil.Encode(rs), vecRespSig)
	}
}

// Every field of the header is bound: changing any one changes the hash.
func TestHashBindsEveryField(t *testing.T) {
	base := vecHeader(t)
	muts := map[string]func(*RequestHeader){
		"chain":  func(h *RequestHeader) { h.ChainID++ },
		"netuid": func(h *RequestHeader) { h.Netuid++ },
		"nonce":  func(h *RequestHeader) { h.Nonce++ },
		"caller": func(h *RequestHeader) { h.Caller[19] ^= 1 },
		"axon":   func(h *RequestHeader) { h.Axon[0] ^= 1 },
		"kind":   func(h *RequestHeader) { h.Kind = "predicT" },
		"kind2":  func(h *RequestHeader) { h.Kind = "predic" },
		"body":   func(h *RequestHeader) { h.BodyHash[5] ^= 1 },
	}
	for name, m := range muts {
		h := base
		m(&h)
		if h.Hash() == base.Hash() {
			t.Errorf("%s: hash unchanged", name)
		}
	}
	if ResponseHash(base.Hash(), 200, types.Hash{}) == ResponseHash(base.Hash(), 500, types.Hash{}) {
		t.Error("response hash ignores the status")
	}
}

func TestRecoverRefusesMalformed(t *testing.T) {
	key, _ := crypto.HexToECDSA(vecCallerKey)
	h := vecHeader(t)
	d := h.Hash()
	sig, _ := Sign(d, key)

	high := bytes.Clone(sig) // the same signature with S' = N − S and v flipped: valid math, refused form
	s := new(big.Int).SetBytes(sig[32:64])
	new(big.Int).Sub(secpN, s).FillBytes(high[32:64])
	high[64] ^= 1
	v27 := bytes.Clone(sig)
	v27[64] += 27
	cases := map[string][]byte{
		"short":  sig[:64],
		"long":   append(bytes.Clone(sig), 0),
		"v=27":   v27,
		"high-S": high,
		"zero-r": append(make([]byte, 32), sig[32:]...),
	}
	for name, bad := range cases {
		if _, err := Recover(d, bad); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: got %v, want ErrBadSignature", name, err)
		}
	}
	other, _ := crypto.HexToECDSA(vecAxonKey)
	forged, _ := Sign(d, other)
	if err := Verify(d, forged, h.Caller); !errors.Is(err, ErrWrongSigner) {
		t.Errorf("signature by another key: got %v, want ErrWrongSigner", err)
	}
}

func TestValidKind(t *testing.T) {
	for k, want := range map[string]bool{
		"predict": true, "a.b-c_9": true, "": false, "Predict": false, "a/b": false, "a b": false,
		string(bytes.Repeat([]byte{'a'}, MaxKindLen)): true, string(bytes.Repeat([]byte{'a'}, MaxKindLen+1)): false,
	} {
		if ValidKind(k) != want {
			t.Errorf("ValidKind(%q) = %v", k, !want)
		}
	}
}
