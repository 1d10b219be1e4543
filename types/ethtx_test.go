package types

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

const ethTestChain = 9450

func ethKey() *ecdsa.PrivateKey {
	k, _ := crypto.ToECDSA(bytes.Repeat([]byte{5}, 32))
	return k
}

func gwei(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }

// signEth signs inner with go-ethereum's own signer and returns the envelope.
func signEth(t testing.TB, inner ethtypes.TxData) (*ethtypes.Transaction, []byte) {
	t.Helper()
	etx, err := ethtypes.SignNewTx(ethKey(), ethtypes.LatestSignerForChainID(big.NewInt(ethTestChain)), inner)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := etx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return etx, raw
}

var ethTo = common.Address{0xaa, 0xbb}

func legacyTx(nonce uint64, value *big.Int) *ethtypes.LegacyTx {
	return &ethtypes.LegacyTx{Nonce: nonce, GasPrice: gwei(1), Gas: 30_000, To: &ethTo, Value: value}
}

func dynTx(nonce uint64, maxFee, tip, value *big.Int) *ethtypes.DynamicFeeTx {
	return &ethtypes.DynamicFeeTx{ChainID: big.NewInt(ethTestChain), Nonce: nonce, GasFeeCap: maxFee, GasTipCap: tip, Gas: 30_000, To: &ethTo, Value: value}
}

// ethSeeds are valid Ethereum envelopes of each accepted type, for fuzzing.
func ethSeeds(t testing.TB) [][]byte {
	_, a := signEth(t, legacyTx(1, gwei(3)))
	_, b := signEth(t, &ethtypes.AccessListTx{ChainID: big.NewInt(ethTestChain), Nonce: 2, GasPrice: gwei(2), Gas: 30_000, To: &ethTo, Value: gwei(7)})
	_, c := signEth(t, dynTx(3, gwei(2), gwei(1), gwei(5)))
	return [][]byte{a, b, c}
}

func TestEthTxDecode(t *testing.T) {
	from := crypto.PubkeyToAddress(ethKey().PublicKey)
	cases := []struct {
		name     string
		inner    ethtypes.TxData
		typ      byte
		fee, tip uint64 // per gas used
	}{
		{"legacy", legacyTx(7, gwei(1_500_000_000)), TxTypeLegacy, 1, 0},
		{"eip2930", &ethtypes.AccessListTx{ChainID: big.NewInt(ethTestChain), Nonce: 7, GasPrice: gwei(3), Gas: 50_000, To: &ethTo, Value: gwei(1_500_000_000)}, TxTypeEIP2930, 3, 0},
		{"eip1559", dynTx(7, gwei(5), gwei(2), gwei(1_500_000_000)), TxTypeEIP1559, 3, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			etx, raw := signEth(t, c.inner)
			tx, err := DecodeTx(raw)
			if err != nil {
				t.Fatal(err)
			}
			if tx.Type() != c.typ || !bytes.Equal(tx.Bytes(), raw) || tx.EthTx() == nil {
				t.Fatalf("type %#x, bytes kept %v", tx.Type(), bytes.Equal(tx.Bytes(), raw))
			}
			if tx.Hash() != etx.Hash() || tx.Hash() != Keccak256(raw) {
				t.Fatalf("hash %s, go-ethereum %s, keccak %s", tx.Hash(), etx.Hash(), Keccak256(raw))
			}
			if s, err := tx.Sender(); err != nil || s != from {
				t.Fatalf("sender %s, %v; want %s", s, err, from)
			}
			g := EthGasUsed(len(raw))
			if tx.ChainID() != ethTestChain || tx.Nonce() != 7 || tx.Fee() != c.fee*g || tx.Tip() != c.tip*g {
				t.Fatalf("mapped to %+v", tx.Data())
			}
			if tr, ok := tx.Call().(*Transfer); !ok || tr.To != ethTo || tr.Amount != 1_500_000_000 {
				t.Fatalf("call %#v", tx.Call())
			}
			again, err := DecodeTx(tx.Bytes())
			if err != nil || again.Hash() != tx.Hash() {
				t.Fatalf("re-decode: %v", err)
			}
		})
	}
}

// TestEthFeeMapping pins Fee = g × (p − t), Tip = g × t with g the gas used
// (weight and length fee) and prices rounded down to whole rao (ethtx.go).
func TestEthFeeMapping(t *testing.T) {
	half := big.NewInt(500_000_000) // 0.5 gwei
	cases := []struct {
		name     string
		inner    ethtypes.TxData
		fee, tip uint64
	}{
		{"legacy at base fee", legacyTx(0, gwei(1)), 1, 0},
		{"legacy high price", &ethtypes.LegacyTx{GasPrice: gwei(4), Gas: 100_000, To: &ethTo, Value: gwei(1)}, 4, 0},
		{"1559 no tip", dynTx(0, gwei(2), big.NewInt(0), gwei(1)), 2, 0},
		{"1559 all tip", dynTx(0, gwei(3), gwei(3), gwei(1)), 0, 3},
		{"1559 fractional cap rounds down", dynTx(0, big.NewInt(1_200_000_000), big.NewInt(0), gwei(1)), 1, 0},
		{"1559 fractional tip rounds down", dynTx(0, new(big.Int).Add(gwei(2), half), new(big.Int).Add(gwei(1), half), gwei(1)), 1, 1},
		{"1559 below one rao", dynTx(0, half, big.NewInt(0), gwei(1)), 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, raw := signEth(t, c.inner)
			tx, err := DecodeTx(raw)
			if err != nil {
				t.Fatal(err)
			}
			g := EthGasUsed(len(raw))
			if g != TransferWeight+uint64(len(raw))*16 || tx.Fee() != c.fee*g || tx.Tip() != c.tip*g {
				t.Fatalf("fee %d tip %d, want %d %d (gas used %d)", tx.Fee(), tx.Tip(), c.fee*g, c.tip*g, g)
			}
		})
	}
}

func TestEthTxRejects(t *testing.T) {
	sign := func(inner ethtypes.TxData) []byte { _, raw := signEth(t, inner); return raw }

	// Unprotected legacy: Homestead signature, v = 27/28.
	unprot, err := ethtypes.SignNewTx(ethKey(), ethtypes.HomesteadSigner{}, legacyTx(0, gwei(1)))
	if err != nil {
		t.Fatal(err)
	}
	unprotRaw, _ := unprot.MarshalBinary()

	// High S: the same signature mirrored, still recovering the same key by
	// math, refused by rule.
	highS := func(inner ethtypes.TxData) []byte {
		etx, _ := signEth(t, inner)
		signer := ethtypes.LatestSignerForChainID(big.NewInt(ethTestChain))
		v, r, s := etx.RawSignatureValues()
		sig := make([]byte, 65)
		r.FillBytes(sig[:32])
		new(big.Int).Sub(secp256k1N, s).FillBytes(sig[32:64])
		if etx.Type() == TxTypeLegacy {
			v = new(big.Int).Sub(v, big.NewInt(35+2*ethTestChain))
		}
		sig[64] = byte(v.Uint64()) ^ 1
		bad, err := etx.WithSignature(signer, sig)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := bad.MarshalBinary()
		return raw
	}

	good := sign(dynTx(0, gwei(1), big.NewInt(0), gwei(1)))
	tooManyRao := new(big.Int).Mul(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1e9))
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"contract creation", sign(&ethtypes.DynamicFeeTx{ChainID: big.NewInt(ethTestChain), GasFeeCap: gwei(1), GasTipCap: big.NewInt(0), Gas: 100_000, Data: []byte{0x60, 0x80}}), ErrEthContract},
		{"call data", sign(&ethtypes.DynamicFeeTx{ChainID: big.NewInt(ethTestChain), GasFeeCap: gwei(1), GasTipCap: big.NewInt(0), Gas: 100_000, To: &ethTo, Value: gwei(1), Data: []byte{0xa9, 0x05, 0x9c, 0xbb}}), ErrEthContract},
		{"legacy call data", sign(&ethtypes.LegacyTx{GasPrice: gwei(1), Gas: 50_000, To: &ethTo, Value: gwei(1), Data: []byte{1}}), ErrEthContract},
		{"access list", sign(&ethtypes.AccessListTx{ChainID: big.NewInt(ethTestChain), GasPrice: gwei(1), Gas: 30_000, To: &ethTo, Value: gwei(1), AccessList: ethtypes.AccessList{{Address: ethTo}}}), ErrEthAccessList},
		{"value not whole rao", sign(dynTx(0, gwei(1), big.NewInt(0), big.NewInt(1_500_000_001))), ErrEthValue},
		{"value below one rao", sign(dynTx(0, gwei(1), big.NewInt(0), big.NewInt(1))), ErrEthValue},
		{"value too large", sign(dynTx(0, gwei(1), big.NewInt(0), tooManyRao)), ErrEthValue},
		{"zero value", sign(dynTx(0, gwei(1), big.NewInt(0), big.NewInt(0))), ErrZeroAmount},
		{"gas limit below weight", sign(&ethtypes.DynamicFeeTx{ChainID: big.NewInt(ethTestChain), GasFeeCap: gwei(1), GasTipCap: big.NewInt(0), Gas: 20_999, To: &ethTo, Value: gwei(1)}), ErrEthGasLimit},
		// Issue 11: the limit must cover the length fee too, not the weight alone.
		{"gas limit without length fee", sign(&ethtypes.DynamicFeeTx{ChainID: big.NewInt(ethTestChain), GasFeeCap: gwei(1), GasTipCap: big.NewInt(0), Gas: 21_000, To: &ethTo, Value: gwei(1)}), ErrEthGasLimit},
		{"tip above cap", sign(dynTx(0, gwei(1), gwei(2), gwei(1))), ErrEthGasPrice},
		{"fee overflows", sign(dynTx(0, new(big.Int).Mul(new(big.Int).Lsh(big.NewInt(1), 60), big.NewInt(1e9)), big.NewInt(0), gwei(1))), ErrEthGasPrice},
		{"price beyond uint64 rao", sign(dynTx(0, tooManyRao, big.NewInt(0), gwei(1))), ErrEthGasPrice},
		{"unprotected legacy", unprotRaw, ErrEthUnprotected},
		{"chain ID beyond 64 bits", hugeChain(t), ErrEthChainID},
		{"high S 1559", highS(dynTx(0, gwei(1), big.NewInt(0), gwei(1))), ErrHighS},
		{"high S legacy", highS(legacyTx(0, gwei(1))), ErrHighS},
		{"trailing byte", append(bytes.Clone(good), 0), nil},
		{"truncated", good[:len(good)-2], nil},
		{"blob type", append([]byte{0x03}, good[1:]...), ErrUnsupportedTxType},
		{"set-code type", append([]byte{0x04}, good[1:]...), ErrUnsupportedTxType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := DecodeTx(c.in)
			if err == nil {
				t.Fatalf("accepted: %+v", tx.Data())
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func hugeChain(t *testing.T) []byte {
	id := new(big.Int).Lsh(big.NewInt(1), 64)
	inner := &ethtypes.DynamicFeeTx{ChainID: id, GasFeeCap: gwei(1), GasTipCap: big.NewInt(0), Gas: 30_000, To: &ethTo, Value: gwei(1)}
	etx, err := ethtypes.SignNewTx(ethKey(), ethtypes.LatestSignerForChainID(id), inner)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := etx.MarshalBinary()
	return raw
}

func TestWeiToRao(t *testing.T) {
	for _, c := range []struct {
		wei  *big.Int
		rao  uint64
		fail bool
	}{
		{big.NewInt(0), 0, false},
		{gwei(3), 3, false},
		{big.NewInt(1), 0, true},
		{big.NewInt(-1_000_000_000), 0, true},
		{RaoToWei(^uint64(0)), ^uint64(0), false},
		{new(big.Int).Add(RaoToWei(^uint64(0)), gwei(1)), 0, true},
	} {
		got, err := WeiToRao(c.wei)
		if (err != nil) != c.fail || got != c.rao {
			t.Errorf("WeiToRao(%s) = %d, %v", c.wei, got, err)
		}
	}
}

// TestEthTxInBlock checks that a block mixing native and Ethereum-signed txs
// round-trips, with each tx's bytes and hash kept.
func TestEthTxInBlock(t *testing.T) {
	native, _ := signedTransfer(t, 0, 5)
	seeds := ethSeeds(t)
	txs := []*Tx{native}
	for _, raw := range seeds {
		tx, err := DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	c := &Commit{}
	b := NewBlock(Header{Height: 3, TxRoot: TxRoot(txs), LastCommitHash: c.Hash(), EvidenceHash: EvidenceHash(nil)}, txs, c, nil)
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBlock(enc)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.CheckBody(); err != nil {
		t.Fatal(err)
	}
	for i, tx := range got.Txs {
		if tx.Hash() != txs[i].Hash() || !bytes.Equal(tx.Bytes(), txs[i].Bytes()) || tx.Type() != txs[i].Type() {
			t.Fatalf("tx %d changed in the round trip", i)
		}
	}
}

func BenchmarkDecodeAndRecoverEth(b *testing.B) {
	_, raw := signEth(b, dynTx(3, gwei(2), gwei(1), gwei(5)))
	b.ReportAllocs()
	for b.Loop() {
		tx, err := DecodeTx(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Sender(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMaxEthTransferSize builds the largest Ethereum-signed transfer DecodeTx
// accepts of each type (every field at its widest) and holds it within
// MaxEthTransferSize, the size eth_estimateGas quotes gas for.
func TestMaxEthTransferSize(t *testing.T) {
	maxU64 := new(big.Int).SetUint64(^uint64(0))
	maxRaoWei := new(big.Int).Mul(maxU64, new(big.Int).SetUint64(WeiPerRao)) // widest price and value in whole rao
	chain := new(big.Int).SetUint64(1<<63 - 1)                               // legacy v = 2 × chain ID + 36 must fit
	to := common.Address{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	for _, inner := range []ethtypes.TxData{
		&ethtypes.LegacyTx{Nonce: ^uint64(0), GasPrice: maxRaoWei, Gas: ^uint64(0), To: &to, Value: maxRaoWei},
		&ethtypes.AccessListTx{ChainID: maxU64, Nonce: ^uint64(0), GasPrice: maxRaoWei, Gas: ^uint64(0), To: &to, Value: maxRaoWei},
		&ethtypes.DynamicFeeTx{ChainID: maxU64, Nonce: ^uint64(0), GasFeeCap: maxRaoWei, GasTipCap: maxRaoWei, Gas: ^uint64(0), To: &to, Value: maxRaoWei},
	} {
		id := maxU64
		if _, ok := inner.(*ethtypes.LegacyTx); ok {
			id = chain
		}
		etx, err := ethtypes.SignNewTx(ethKey(), ethtypes.LatestSignerForChainID(id), inner)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := etx.MarshalBinary()
		if len(raw) > MaxEthTransferSize {
			t.Fatalf("type %d: %d bytes, MaxEthTransferSize %d", etx.Type(), len(raw), MaxEthTransferSize)
		}
		t.Logf("type %d: %d bytes", etx.Type(), len(raw))
	}
}
