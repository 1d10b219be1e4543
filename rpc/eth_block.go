package rpc

// eth_ blocks and fee history in Ethereum's JSON shapes (see eth.go for how
// taod's data maps onto them).

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/types"
)

// maxFeeHistory bounds eth_feeHistory's block count, as go-ethereum does.
const maxFeeHistory = 1024

// EthBlockJSON is a block in Ethereum's JSON shape.
type EthBlockJSON struct {
	Number           hexutil.Uint64      `json:"number"`
	Hash             types.Hash          `json:"hash"`
	ParentHash       types.Hash          `json:"parentHash"`
	Nonce            ethtypes.BlockNonce `json:"nonce"`
	MixHash          types.Hash          `json:"mixHash"`
	Sha3Uncles       types.Hash          `json:"sha3Uncles"`
	LogsBloom        ethtypes.Bloom      `json:"logsBloom"`
	TransactionsRoot types.Hash          `json:"transactionsRoot"`
	StateRoot        types.Hash          `json:"stateRoot"`
	ReceiptsRoot     types.Hash          `json:"receiptsRoot"`
	Miner            types.Address       `json:"miner"`
	Difficulty       *hexutil.Big        `json:"difficulty"`
	ExtraData        hexutil.Bytes       `json:"extraData"`
	Size             hexutil.Uint64      `json:"size"`
	GasLimit         hexutil.Uint64      `json:"gasLimit"`
	GasUsed          hexutil.Uint64      `json:"gasUsed"`
	Timestamp        hexutil.Uint64      `json:"timestamp"`
	BaseFeePerGas    *hexutil.Big        `json:"baseFeePerGas"`
	Transactions     []any               `json:"transactions"` // hashes, or *EthTxJSON when full
	Uncles           []types.Hash        `json:"uncles"`
}

func blockWeight(b *types.Block) uint64 {
	var w uint64
	for _, tx := range b.Txs {
		w += tx.Call().Weight() // bounded by max_block_weight, checked when the block was executed
	}
	return w
}

func (api *EthAPI) ethBlockJSON(b *types.Block, full bool) (*EthBlockJSON, error) {
	if b == nil {
		return nil, nil
	}
	enc, err := b.Encode()
	if err != nil {
		return nil, err
	}
	h, p := &b.Header, api.b.Params()
	out := &EthBlockJSON{
		Number: hexutil.Uint64(h.Height), Hash: b.Hash(), ParentHash: h.ParentHash,
		Sha3Uncles: ethtypes.EmptyUncleHash, TransactionsRoot: h.TxRoot, StateRoot: h.StateRoot, ReceiptsRoot: h.ReceiptsRoot,
		Miner: h.Proposer, Difficulty: (*hexutil.Big)(new(big.Int)), ExtraData: hexutil.Bytes{}, Size: hexutil.Uint64(len(enc)),
		GasLimit: hexutil.Uint64(p.MaxBlockWeight), GasUsed: hexutil.Uint64(blockWeight(b)),
		Timestamp: hexutil.Uint64(h.Time / 1000), BaseFeePerGas: (*hexutil.Big)(baseFeeWei(p)),
		Transactions: make([]any, 0, len(b.Txs)), Uncles: []types.Hash{},
	}
	if rs, err := api.b.Receipts(b.Hash()); err == nil { // genesis has none
		blockLogs(b.Hash(), b.Height(), rs, func(_ int, l *ethtypes.Log) bool {
			addToBloom(&out.LogsBloom, l)
			return true
		})
	}
	for i, tx := range b.Txs {
		if full {
			out.Transactions = append(out.Transactions, ethTxJSON(tx, b, i))
		} else {
			out.Transactions = append(out.Transactions, tx.Hash())
		}
	}
	return out, nil
}

// GetBlockByNumber returns a block, with full transactions if fullTxs; null
// if there is none at that height.
func (api *EthAPI) GetBlockByNumber(number gethrpc.BlockNumber, fullTxs *bool) (*EthBlockJSON, error) {
	b, err := api.blockByNumber(number)
	if err != nil {
		return nil, err
	}
	return api.ethBlockJSON(b, fullTxs != nil && *fullTxs)
}

// GetBlockByHash returns a block by hash; null if unknown.
func (api *EthAPI) GetBlockByHash(hash types.Hash, fullTxs *bool) (*EthBlockJSON, error) {
	b, err := api.b.BlockByHash(hash)
	if err != nil {
		return nil, err
	}
	return api.ethBlockJSON(b, fullTxs != nil && *fullTxs)
}

// FeeHistoryJSON is eth_feeHistory's answer.
type FeeHistoryJSON struct {
	OldestBlock  *hexutil.Big     `json:"oldestBlock"`
	Reward       [][]*hexutil.Big `json:"reward,omitempty"`
	BaseFee      []*hexutil.Big   `json:"baseFeePerGas,omitempty"`
	GasUsedRatio []float64        `json:"gasUsedRatio"`
}

// FeeHistory returns, for up to 1024 blocks ending at newest, the base fee
// (constant), the share of max_block_weight used and, at each requested
// percentile of weight, the tip per weight unit the block's txs paid.
func (api *EthAPI) FeeHistory(blockCount math.HexOrDecimal64, newest gethrpc.BlockNumber, percentiles []float64) (*FeeHistoryJSON, error) {
	if len(percentiles) > 100 {
		return nil, invalidParams("at most 100 reward percentiles, got %d", len(percentiles))
	}
	for i, p := range percentiles {
		if p < 0 || p > 100 || i > 0 && p < percentiles[i-1] {
			return nil, invalidParams("reward percentiles must be ascending values in [0, 100], got %v", percentiles)
		}
	}
	head := api.head().Height
	last := head
	switch {
	case newest == gethrpc.EarliestBlockNumber:
		last = 0
	case newest >= 0:
		last = uint64(newest)
	}
	if last > head {
		// A block is readable a moment before the store names it the head.
		if b, err := api.b.BlockByHeight(last); err != nil || b == nil {
			return nil, &Error{CodeInvalidParams, fmt.Sprintf("request beyond head block: requested %d, head %d", last, head)}
		}
	}
	count := min(uint64(blockCount), maxFeeHistory, last+1)
	oldest := last + 1 - count
	out := &FeeHistoryJSON{OldestBlock: (*hexutil.Big)(new(big.Int).SetUint64(oldest)), GasUsedRatio: []float64{}}
	if count == 0 {
		return out, nil
	}
	p := api.b.Params()
	limit := p.MaxBlockWeight
	for h := oldest; h <= last; h++ {
		b, err := api.b.BlockByHeight(h)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		if b == nil {
			return nil, fmt.Errorf("block %d below the head is not stored", h)
		}
		used := blockWeight(b)
		out.GasUsedRatio = append(out.GasUsedRatio, float64(used)/float64(max(limit, 1)))
		if len(percentiles) > 0 {
			out.Reward = append(out.Reward, rewardPercentiles(b.Txs, used, percentiles))
		}
	}
	for range count + 1 { // the next block's base fee too, as Ethereum does
		out.BaseFee = append(out.BaseFee, (*hexutil.Big)(baseFeeWei(p)))
	}
	return out, nil
}

// rewardPercentiles returns, for each percentile p, the tip per weight unit
// (wei) of the tx at which the txs sorted by tip per weight reach p% of the
// block's weight, as go-ethereum's oracle computes it; zeros for an empty block.
func rewardPercentiles(txs []*types.Tx, used uint64, percentiles []float64) []*hexutil.Big {
	out := make([]*hexutil.Big, len(percentiles))
	if len(txs) == 0 || used == 0 {
		for i := range out {
			out[i] = (*hexutil.Big)(new(big.Int))
		}
		return out
	}
	type item struct {
		tip    *big.Int
		weight uint64
	}
	items := make([]item, len(txs))
	for i, tx := range txs {
		w := tx.Call().Weight()
		items[i] = item{paidPerGas(tx.Tip(), gasUsed(tx, w)), w}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].tip.Cmp(items[j].tip) < 0 })
	idx, sum := 0, items[0].weight
	for i, p := range percentiles {
		threshold := uint64(float64(used) * p / 100)
		for sum < threshold && idx < len(items)-1 {
			idx++
			sum += items[idx].weight
		}
		out[i] = (*hexutil.Big)(items[idx].tip)
	}
	return out
}
