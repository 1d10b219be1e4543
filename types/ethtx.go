package types

// Ethereum-signed transactions (DESIGN.md §2; issue 8, wallet compatibility).
//
// Ordinary Ethereum wallets hold TAO because taod keys are secp256k1 with
// Ethereum addresses. To let them send it too, DecodeTx accepts the envelopes
// they sign and maps each onto the native model, so that the state transition
// (package chain) and the txpool handle it through the same paths as a native
// Transfer. The decisions:
//
//   - Envelopes. Legacy (an RLP list, first byte ≥ 0xc0) that is EIP-155
//     protected (v ≥ 35), EIP-2930 (0x01) and EIP-1559 (0x02), decoded by
//     go-ethereum's Transaction.UnmarshalBinary. Blob (0x03) and set-code
//     (0x04) txs are ErrUnsupportedTxType: they only make sense with an EVM.
//     Unprotected legacy txs (v = 27/28) are refused: a signature valid on
//     every chain could be replayed from any other Ethereum-style chain.
//
//   - Bytes and hash. The Tx keeps the exact bytes the wallet signed and
//     refuses any input that go-ethereum does not re-encode to the same bytes,
//     so Bytes() is the input and Hash() is go-ethereum's tx.Hash(), which is
//     keccak256 of those bytes for every type (for legacy, the bytes are the
//     RLP): the hash the wallet waits on is the hash the chain indexes.
//
//   - Signature and sender. r and s must be in range and s in the lower half
//     of the curve order (ErrHighS, as for native txs, so a tx cannot be
//     re-signed under a second hash). The sender is recovered with
//     go-ethereum's LatestSignerForChainID(tx.ChainId()) and cached.
//
//   - Only plain value transfers. `to` must be set and `data` empty
//     (ErrEthContract otherwise), the access list empty (ErrEthAccessList: it
//     names EVM storage, which does not exist here). The call is
//     Transfer{To: to, Amount: value / 10^9}: value must be a positive whole
//     number of rao (ErrEthValue; 1 rao = 10^9 wei, so balances show with 18
//     decimals in wallets), and a zero value is ErrZeroAmount as for a native
//     transfer (so a wallet's "cancel", a zero-value tx to oneself, is refused;
//     "speed up" works). Nonce and chain ID are the tx's own: Ethereum-signed
//     and native txs share the account nonce and balance.
//
//   - Gas. 1 gas = 1 weight unit. A transfer's gas used is its weight plus
//     a length fee of EthByteGas per byte of the signed envelope (issue 11):
//     EthGasUsed(len) = 21,000 + 16 × len, Ethereum's intrinsic gas with its
//     calldata price applied to the whole envelope, about 22,800 for a
//     typical 110-byte transfer. The gas limit must cover it (ErrEthGasLimit,
//     Ethereum's "intrinsic gas too low"); eth_estimateGas quotes
//     EthGasUsed(MaxEthTransferSize), which covers any transfer, and gas is
//     charged for what is used, never for the unused limit, as in Ethereum.
//     The chain's byte_weight parameter is bounded by EthByteGas, so a
//     transfer signed at the base price always meets the chain's minimum
//     fee, whatever governance sets.
//
//   - Fee and tip, as a pure function of the signed bytes. With p the signed
//     price per gas in whole rao (legacy and 0x01: gasPrice; 0x02:
//     maxFeePerGas) and t the priority fee in whole rao (0x02:
//     maxPriorityFeePerGas, which must not exceed maxFeePerGas; legacy and
//     0x01: 0), a tx of weight w maps to
//
//     Fee = g × (p − t)      Tip = g × t      (g = EthGasUsed(len))
//
//     so it pays w × p in total, recycled like every fee. The chain's rule
//     fee ≥ base_fee_per_weight × w then reads "p − t ≥ base fee per gas":
//     a tx whose maxFeePerGas (gasPrice) is below the base fee is refused as
//     fee too low, and the tip orders the txpool as a native tip does.
//     Why not EIP-1559's effective price, base fee + min(t, p − base fee)?
//     It needs the base fee, which is chain state (a genesis parameter today,
//     governable tomorrow) and not something a Tx, an immutable value decoded
//     from bytes alone, can know; computing fees inside the chain would move
//     the fee rule out of Tx.Fee()/Tx.Tip() for one kind of tx. The price of
//     the pure rule: EIP-1559's headroom above the base fee is charged rather
//     than refunded (a wallet that signs maxFeePerGas = 2 × base fee pays
//     42,000 rao for a transfer instead of 21,000), and a tx with
//     t > p − base fee is refused although Ethereum would shrink its tip. Since
//     taod's base fee is a constant and not a congestion price, wallets lose
//     nothing by signing maxFeePerGas = eth_gasPrice, which pays exactly the
//     base fee; receipts report what was paid as effectiveGasPrice = p.
//
//   - Prices in whole rao. Gas prices are counted in whole rao per gas
//     (10^9 wei): a price that is not a whole number of rao is rounded down,
//     never up, so a tx is never charged more than it signed for. Rejecting
//     such prices would refuse txs from common clients (viem signs
//     maxFeePerGas = 1.2 × base fee = 1.2 gwei here); the rounding only ever
//     favours the sender and is a pure function of the bytes. Values, unlike
//     prices, are refused when not whole rao: rounding a value would move a
//     different amount than the one the user approved.
//
//   - Limits. The price per gas must fit uint64 rao and w × p must fit uint64
//     (ErrEthGasPrice); the value must fit uint64 rao (ErrEthValue).

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
)

// EthByteGas is the gas an Ethereum-signed tx pays per byte of its envelope,
// Ethereum's price of a non-zero calldata byte (EIP-2028).
const EthByteGas uint64 = 16

// MaxEthTransferSize bounds the envelope of any Ethereum-signed transfer
// DecodeTx accepts (empty data and access list, values within uint64 rao,
// chain ID within uint64): TestMaxEthTransferSize builds the largest.
const MaxEthTransferSize = 160

// EthGasUsed is the gas an Ethereum-signed transfer of size bytes uses and
// pays for: its weight and the length fee.
func EthGasUsed(size int) uint64 { return TransferWeight + uint64(size)*EthByteGas }

// WeiPerRao is the number of Ethereum base units ("wei") in one rao: Ethereum
// wallets show 18 decimals, TAO has 9.
const WeiPerRao uint64 = 1_000_000_000

// Ethereum-envelope refusals.
var (
	ErrEthContract    = errors.New("types: contract creation and calls are not supported: send plain value transfers")
	ErrEthUnprotected = errors.New("types: legacy Ethereum transaction is not replay-protected: sign it with the chain ID (EIP-155)")
	ErrEthAccessList  = errors.New("types: access lists are not supported: send plain value transfers")
	ErrEthValue       = errors.New("types: value must be a whole number of rao (1 rao = 10^9 wei)")
	ErrEthGasLimit    = errors.New("types: gas limit below the gas the transfer uses (intrinsic gas too low)")
	ErrEthGasPrice    = errors.New("types: bad gas price")
	ErrEthChainID     = errors.New("types: chain ID does not fit 64 bits")
)

// RaoToWei converts rao to wei.
func RaoToWei(rao uint64) *big.Int {
	v := new(big.Int).SetUint64(rao)
	return v.Mul(v, new(big.Int).SetUint64(WeiPerRao))
}

// WeiToRao converts a wei amount that is a whole number of rao and fits
// uint64 rao; anything else is ErrEthValue.
func WeiToRao(wei *big.Int) (uint64, error) {
	if wei.Sign() < 0 {
		return 0, fmt.Errorf("%w: %s wei is negative", ErrEthValue, wei)
	}
	q, r := new(big.Int).QuoRem(wei, new(big.Int).SetUint64(WeiPerRao), new(big.Int))
	if r.Sign() != 0 {
		return 0, fmt.Errorf("%w: %s wei leaves %s wei over", ErrEthValue, wei, r)
	}
	if !q.IsUint64() {
		return 0, fmt.Errorf("%w: %s wei is more rao than exist", ErrEthValue, wei)
	}
	return q.Uint64(), nil
}

// weiToRaoFloor converts a price in wei to whole rao, rounding down.
func weiToRaoFloor(wei *big.Int) (uint64, error) {
	q := new(big.Int).Quo(wei, new(big.Int).SetUint64(WeiPerRao))
	if wei.Sign() < 0 || !q.IsUint64() {
		return 0, fmt.Errorf("%w: %s wei per gas is out of range", ErrEthGasPrice, wei)
	}
	return q.Uint64(), nil
}

// decodeEthTx decodes an Ethereum-signed envelope and maps it to a Transfer,
// as the comment at the top of this file describes.
func decodeEthTx(b []byte) (*Tx, error) {
	etx := new(ethtypes.Transaction)
	if err := etx.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("types: decode Ethereum transaction: %w", err)
	}
	again, err := etx.MarshalBinary()
	if err != nil || !bytes.Equal(again, b) {
		return nil, ErrNonCanonical
	}
	typ := etx.Type()
	if typ != TxTypeLegacy && typ != TxTypeEIP2930 && typ != TxTypeEIP1559 {
		return nil, fmt.Errorf("%w: 0x%02x", ErrUnsupportedTxType, typ) // unreachable: DecodeTx routed on the type byte
	}
	v, r, s := etx.RawSignatureValues()
	if typ == TxTypeLegacy {
		if !etx.Protected() {
			return nil, ErrEthUnprotected
		}
		if v.Cmp(big.NewInt(35)) < 0 {
			return nil, fmt.Errorf("%w: legacy v = %s", ErrBadSignature, v)
		}
	} else if v.Sign() < 0 || v.Cmp(big.NewInt(1)) > 0 {
		return nil, fmt.Errorf("%w: y parity %s", ErrBadSignature, v)
	}
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(secp256k1N) >= 0 || s.Cmp(secp256k1N) >= 0 {
		return nil, ErrBadSignature
	}
	if s.Cmp(secp256k1HalfN) > 0 {
		return nil, ErrHighS
	}
	chainID := etx.ChainId()
	if !chainID.IsUint64() {
		return nil, fmt.Errorf("%w: %s", ErrEthChainID, chainID)
	}

	to := etx.To()
	switch {
	case to == nil:
		return nil, fmt.Errorf("%w (this is a contract creation)", ErrEthContract)
	case len(etx.Data()) != 0:
		return nil, fmt.Errorf("%w (this transaction carries call data, %d bytes)", ErrEthContract, len(etx.Data()))
	case len(etx.AccessList()) != 0:
		return nil, ErrEthAccessList
	}
	if etx.Value().Sign() == 0 {
		return nil, fmt.Errorf("%w: send at least 1 rao (10^9 wei)", ErrZeroAmount)
	}
	amount, err := WeiToRao(etx.Value())
	if err != nil {
		return nil, err
	}
	call := &Transfer{To: *to, Amount: amount}
	if err := call.Validate(); err != nil {
		return nil, err
	}
	gas := EthGasUsed(len(b))
	if etx.Gas() < gas {
		return nil, fmt.Errorf("%w: gas limit %d, this %d-byte transfer uses %d (%d + %d per byte of length fee)", ErrEthGasLimit, etx.Gas(), len(b), gas, TransferWeight, EthByteGas)
	}
	fee, tip, err := ethFeeAndTip(etx, gas)
	if err != nil {
		return nil, err
	}
	tx := &Tx{
		typ:  typ,
		data: TxData{ChainID: chainID.Uint64(), Nonce: etx.Nonce(), Fee: fee, Tip: tip, Call: call},
		eth:  etx,
		raw:  bytes.Clone(b),
		hash: etx.Hash(),
	}
	return tx, nil
}

// ethFeeAndTip maps an Ethereum tx's prices onto the native fee and tip for
// the gas it uses: Fee = g × (p − t), Tip = g × t, in whole rao.
func ethFeeAndTip(etx *ethtypes.Transaction, weight uint64) (fee, tip uint64, err error) {
	// GasFeeCap and GasTipCap are both gasPrice for legacy and 0x01 txs: their
	// tip is 0 here, the whole price covers the fee.
	price, err := weiToRaoFloor(etx.GasFeeCap())
	if err != nil {
		return 0, 0, err
	}
	var perTip uint64
	if etx.Type() == TxTypeEIP1559 {
		if etx.GasTipCap().Cmp(etx.GasFeeCap()) > 0 {
			return 0, 0, fmt.Errorf("%w: max priority fee per gas %s wei is higher than max fee per gas %s wei", ErrEthGasPrice, etx.GasTipCap(), etx.GasFeeCap())
		}
		if perTip, err = weiToRaoFloor(etx.GasTipCap()); err != nil {
			return 0, 0, err
		}
	}
	hi, total := bits.Mul64(weight, price)
	if hi != 0 {
		return 0, 0, fmt.Errorf("%w: %d gas at %d rao per gas overflows", ErrEthGasPrice, weight, price)
	}
	tip = weight * perTip // perTip ≤ price, so no overflow
	return total - tip, tip, nil
}

// recoverEth recovers an Ethereum-signed tx's sender.
func recoverEth(etx *ethtypes.Transaction) (Address, error) {
	from, err := ethtypes.Sender(ethtypes.LatestSignerForChainID(etx.ChainId()), etx)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return from, nil
}
