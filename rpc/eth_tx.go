package rpc

// eth_ transactions and receipts in Ethereum's JSON shapes (see eth.go for
// how taod's data maps onto them).

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common/hexutil"
	ethtypes "github.com/ethereum/go-ethereum/core/types"

	"github.com/taonet/taod/types"
)

// gasUsed is the gas a tx of the given weight shows as used: for an
// Ethereum-signed transfer, what it paid for (its weight and the length fee,
// types.EthGasUsed), so that paid / gas used is the price it signed; for a
// native tx, its weight.
func gasUsed(tx *types.Tx, weight uint64) uint64 {
	if tx.EthTx() != nil {
		return types.EthGasUsed(tx.Size())
	}
	return weight
}

// EthTxJSON is a transaction in Ethereum's JSON shape.
type EthTxJSON struct {
	BlockHash            *types.Hash          `json:"blockHash"`
	BlockNumber          *hexutil.Big         `json:"blockNumber"`
	From                 types.Address        `json:"from"`
	Gas                  hexutil.Uint64       `json:"gas"`
	GasPrice             *hexutil.Big         `json:"gasPrice"`
	MaxFeePerGas         *hexutil.Big         `json:"maxFeePerGas,omitempty"`
	MaxPriorityFeePerGas *hexutil.Big         `json:"maxPriorityFeePerGas,omitempty"`
	Hash                 types.Hash           `json:"hash"`
	Input                hexutil.Bytes        `json:"input"`
	Nonce                hexutil.Uint64       `json:"nonce"`
	To                   *types.Address       `json:"to"`
	TransactionIndex     *hexutil.Uint64      `json:"transactionIndex"`
	Value                *hexutil.Big         `json:"value"`
	Type                 hexutil.Uint64       `json:"type"`
	AccessList           *ethtypes.AccessList `json:"accessList,omitempty"`
	ChainID              *hexutil.Big         `json:"chainId,omitempty"`
	V                    *hexutil.Big         `json:"v"`
	R                    *hexutil.Big         `json:"r"`
	S                    *hexutil.Big         `json:"s"`
	YParity              *hexutil.Uint64      `json:"yParity,omitempty"`
}

// paidPerGas is the price per weight unit, in wei, of paying paid rao for
// weight units.
func paidPerGas(paid, weight uint64) *big.Int {
	if weight == 0 {
		return new(big.Int)
	}
	return new(big.Int).Quo(types.RaoToWei(paid), new(big.Int).SetUint64(weight))
}

func ethTxJSON(tx *types.Tx, b *types.Block, index int) *EthTxJSON {
	from, _ := tx.Sender()
	j := &EthTxJSON{
		Hash:    tx.Hash(),
		From:    from,
		Nonce:   hexutil.Uint64(tx.Nonce()),
		ChainID: (*hexutil.Big)(new(big.Int).SetUint64(tx.ChainID())),
	}
	if b != nil {
		h, i := b.Hash(), hexutil.Uint64(index)
		j.BlockHash, j.BlockNumber, j.TransactionIndex = &h, (*hexutil.Big)(new(big.Int).SetUint64(b.Height())), &i
	}
	weight := tx.Call().Weight()
	if etx := tx.EthTx(); etx != nil {
		v, r, s := etx.RawSignatureValues()
		j.Type, j.Gas, j.To = hexutil.Uint64(etx.Type()), hexutil.Uint64(etx.Gas()), etx.To()
		j.Value, j.Input = (*hexutil.Big)(etx.Value()), etx.Data()
		j.V, j.R, j.S = (*hexutil.Big)(v), (*hexutil.Big)(r), (*hexutil.Big)(s)
		j.GasPrice = (*hexutil.Big)(etx.GasPrice())
		if etx.Type() != types.TxTypeLegacy {
			al, parity := etx.AccessList(), hexutil.Uint64(v.Uint64())
			j.AccessList, j.YParity = &al, &parity
		}
		if etx.Type() == types.TxTypeEIP1559 {
			j.MaxFeePerGas, j.MaxPriorityFeePerGas = (*hexutil.Big)(etx.GasFeeCap()), (*hexutil.Big)(etx.GasTipCap())
			j.GasPrice = (*hexutil.Big)(paidPerGas(tx.Fee()+tx.Tip(), gasUsed(tx, weight)))
		}
		return j
	}
	// A native tx, legacy-shaped without an Ethereum signature.
	zero := (*hexutil.Big)(new(big.Int))
	j.Type, j.Gas, j.GasPrice = hexutil.Uint64(types.TxTypeLegacy), hexutil.Uint64(weight), (*hexutil.Big)(paidPerGas(tx.Fee()+tx.Tip(), weight))
	j.V, j.R, j.S, j.Value, j.Input = zero, zero, zero, zero, hexutil.Bytes{}
	if t, ok := tx.Call().(*types.Transfer); ok {
		to := t.To
		j.To, j.Value = &to, (*hexutil.Big)(types.RaoToWei(t.Amount))
	} else if enc, err := types.EncodeCall(tx.Call()); err == nil {
		j.Input = enc
	}
	return j
}

// recipient is a tx's `to` as Ethereum would show it.
func recipient(tx *types.Tx) *types.Address {
	if etx := tx.EthTx(); etx != nil {
		return etx.To()
	}
	if t, ok := tx.Call().(*types.Transfer); ok {
		to := t.To
		return &to
	}
	return nil
}

// GetTransactionByHash returns a committed or pooled transaction; null if unknown.
func (api *EthAPI) GetTransactionByHash(hash types.Hash) (*EthTxJSON, error) {
	b, loc, err := located(api.b, hash)
	if err != nil {
		return nil, err
	}
	if b != nil {
		return ethTxJSON(b.Txs[loc.Index], b, int(loc.Index)), nil
	}
	if tx, ok := api.b.PendingTx(hash); ok {
		return ethTxJSON(tx, nil, 0), nil
	}
	return nil, nil
}

// EthReceiptJSON is a receipt in Ethereum's JSON shape.
type EthReceiptJSON struct {
	Type              hexutil.Uint64  `json:"type"`
	TransactionHash   types.Hash      `json:"transactionHash"`
	TransactionIndex  hexutil.Uint64  `json:"transactionIndex"`
	BlockHash         types.Hash      `json:"blockHash"`
	BlockNumber       hexutil.Uint64  `json:"blockNumber"`
	From              types.Address   `json:"from"`
	To                *types.Address  `json:"to"`
	CumulativeGasUsed hexutil.Uint64  `json:"cumulativeGasUsed"`
	GasUsed           hexutil.Uint64  `json:"gasUsed"`
	EffectiveGasPrice *hexutil.Big    `json:"effectiveGasPrice"`
	ContractAddress   *types.Address  `json:"contractAddress"`
	Logs              []*ethtypes.Log `json:"logs"`
	LogsBloom         ethtypes.Bloom  `json:"logsBloom"`
	Status            hexutil.Uint64  `json:"status"`
}

// GetTransactionReceipt returns the receipt of a committed transaction; null
// while it is pending or unknown.
func (api *EthAPI) GetTransactionReceipt(hash types.Hash) (*EthReceiptJSON, error) {
	b, loc, err := located(api.b, hash)
	if err != nil || b == nil {
		return nil, err
	}
	i := int(loc.Index)
	rs, err := api.b.Receipts(b.Hash())
	if err != nil || len(rs) < len(b.Txs) {
		return nil, fmt.Errorf("receipts of block %d: %d for %d txs: %v", b.Height(), len(rs), len(b.Txs), err)
	}
	var cumulative uint64
	for k, r := range rs[:i+1] {
		cumulative += gasUsed(b.Txs[k], r.Weight)
	}
	tx, r := b.Txs[i], rs[i]
	used := gasUsed(tx, r.Weight)
	from, _ := tx.Sender()
	typ := types.TxTypeLegacy
	if etx := tx.EthTx(); etx != nil {
		typ = etx.Type()
	}
	status := hexutil.Uint64(1)
	if r.Status == types.ReceiptFailed {
		status = 0
	}
	logs, bloom := receiptLogs(b.Hash(), b.Height(), rs, i)
	for _, l := range logs {
		l.BlockTimestamp = b.Header.Time / 1000 // seconds, as the block's timestamp
	}
	return &EthReceiptJSON{
		Type: hexutil.Uint64(typ), TransactionHash: hash, TransactionIndex: hexutil.Uint64(i),
		BlockHash: b.Hash(), BlockNumber: hexutil.Uint64(b.Height()), From: from, To: recipient(tx),
		CumulativeGasUsed: hexutil.Uint64(cumulative), GasUsed: hexutil.Uint64(used),
		EffectiveGasPrice: (*hexutil.Big)(paidPerGas(r.FeePaid, used)),
		Logs:              logs, LogsBloom: bloom, Status: status,
	}, nil
}
