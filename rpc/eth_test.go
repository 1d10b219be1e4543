package rpc

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"math/big"
	"testing"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/types"
)

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ethSigned(t *testing.T, inner ethtypes.TxData) *types.Tx {
	t.Helper()
	etx := ethtypes.MustSignNewTx(mustKey(t), ethtypes.LatestSignerForChainID(big.NewInt(9450)), inner)
	raw, _ := etx.MarshalBinary()
	tx, err := types.DecodeTx(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestEthTxJSONDecodes checks that go-ethereum decodes what eth_ returns:
// Ethereum-signed txs to the very tx that was signed (same hash), native
// txs to a legacy-shaped tx without a signature.
func TestEthTxJSONDecodes(t *testing.T) {
	to := types.Address{9}
	gwei := big.NewInt(1e9)
	native, err := types.SignTx(types.TxData{ChainID: 9450, Nonce: 4, Fee: 21_000, Tip: 21_000, Call: &types.Transfer{To: to, Amount: 5}}, mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	nativeStake, err := types.SignTx(types.TxData{ChainID: 9450, Nonce: 5, Fee: 1_000_000, Call: &types.AddStake{Hotkey: to, Amount: 5}}, mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		tx        *types.Tx
		sameHash  bool
		gasPrice  *big.Int
		wantValue *big.Int
		wantTo    *types.Address
	}{
		{"legacy", ethSigned(t, &ethtypes.LegacyTx{Nonce: 1, GasPrice: gwei, Gas: 30_000, To: &to, Value: types.RaoToWei(7)}), true, gwei, types.RaoToWei(7), &to},
		{"eip2930", ethSigned(t, &ethtypes.AccessListTx{ChainID: big.NewInt(9450), Nonce: 1, GasPrice: gwei, Gas: 30_000, To: &to, Value: types.RaoToWei(7)}), true, gwei, types.RaoToWei(7), &to},
		{"eip1559", ethSigned(t, &ethtypes.DynamicFeeTx{ChainID: big.NewInt(9450), Nonce: 1, GasFeeCap: big.NewInt(3e9), GasTipCap: gwei, Gas: 30_000, To: &to, Value: types.RaoToWei(7)}), true, big.NewInt(3e9), types.RaoToWei(7), &to},
		{"native transfer", native, false, big.NewInt(2e9), types.RaoToWei(5), &to},
		{"native stake", nativeStake, false, new(big.Int).Quo(big.NewInt(1e15), big.NewInt(int64(nativeStake.Call().Weight()))), new(big.Int), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			blk := types.NewBlock(types.Header{Height: 8}, []*types.Tx{c.tx}, &types.Commit{}, nil)
			enc, err := json.Marshal(ethTxJSON(c.tx, blk, 0))
			if err != nil {
				t.Fatal(err)
			}
			var got ethtypes.Transaction
			if err := got.UnmarshalJSON(enc); err != nil {
				t.Fatalf("go-ethereum refuses %s: %v", enc, err)
			}
			if (got.Hash() == c.tx.Hash()) != c.sameHash {
				t.Fatalf("hash %s, tx %s", got.Hash(), c.tx.Hash())
			}
			if got.GasPrice().Cmp(c.gasPrice) != 0 || got.Value().Cmp(c.wantValue) != 0 || got.Nonce() != c.tx.Nonce() {
				t.Fatalf("gasPrice %s value %s nonce %d", got.GasPrice(), got.Value(), got.Nonce())
			}
			if (got.To() == nil) != (c.wantTo == nil) || got.To() != nil && *got.To() != *c.wantTo {
				t.Fatalf("to %v", got.To())
			}
			var j EthTxJSON
			if err := json.Unmarshal(enc, &j); err != nil || j.Hash != c.tx.Hash() || j.From != crypto.PubkeyToAddress(mustKey(t).PublicKey) {
				t.Fatalf("JSON %s: %v", enc, err)
			}
		})
	}
}

func TestRewardPercentiles(t *testing.T) {
	to := types.Address{9}
	mk := func(nonce, tipPerGas uint64) *types.Tx {
		tx, err := types.SignTx(types.TxData{ChainID: 1, Nonce: nonce, Fee: 21_000, Tip: tipPerGas * 21_000, Call: &types.Transfer{To: to, Amount: 1}}, mustKey(t))
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	txs := []*types.Tx{mk(0, 5), mk(1, 0), mk(2, 2), mk(3, 9)}
	got := rewardPercentiles(txs, 4*21_000, []float64{0, 25, 50, 75, 100})
	want := []int64{0, 0, 2e9, 5e9, 9e9}
	for i, w := range want {
		if got[i].ToInt().Int64() != w {
			t.Fatalf("percentile %d: %s, want %d", i, got[i].ToInt(), w)
		}
	}
	for _, r := range rewardPercentiles(nil, 0, []float64{50}) {
		if r.ToInt().Sign() != 0 {
			t.Fatal("an empty block has a reward")
		}
	}
}
