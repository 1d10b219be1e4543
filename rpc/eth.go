package rpc

// The eth_ and web3_ namespaces: the subset of Ethereum's JSON-RPC that
// wallets (MetaMask and the like) and clients (go-ethereum's ethclient,
// ethers, viem) need to read TAO balances and send TAO (issue 8). How
// Ethereum-signed transactions map to native ones is in types/ethtx.go; how
// taod's data is shown in Ethereum's shapes is decided here:
//
//   - Quantities are 0x-hex. Balances and values are wei (rao × 10^9, so
//     wallets show TAO with 18 decimals); gas is weight; gas prices are wei
//     per gas. eth_gasPrice is the base fee per weight unit, and a tx signed
//     with it as its price pays exactly the base fee. eth_maxPriorityFeePerGas
//     is 0: the base fee is a constant, not a congestion price, and a tip only
//     orders the txpool.
//   - Block tags: "pending", "safe" and "finalized" are the latest block, since
//     a committed block is final and the txpool is not a block.
//     eth_getTransactionCount("pending") is therefore the committed nonce:
//     the txpool is not consulted (Backend does not expose per-sender pool
//     nonces).
//   - Blocks carry taod's header hash as "hash" and Ethereum's empty values in
//     the fields taod has no use for (difficulty 0, zero nonce and mixHash, the
//     empty-uncles hash, a zero logs bloom). "timestamp" is in seconds, while
//     taod's header time is in milliseconds: blocks less than a second apart
//     share a timestamp. gasLimit is max_block_weight, gasUsed the sum of the
//     txs' weights, miner the proposer. ethclient recomputes a block's hash
//     from the Ethereum header fields it decodes, so Block.Hash() there is
//     not taod's hash: use the JSON "hash" (or a receipt's blockHash).
//   - Native (0x54) txs are shown as legacy-shaped (type 0x0) objects with
//     zero v, r and s, because go-ethereum refuses to decode unknown tx types
//     and a block holding one would not decode at all. A native Transfer shows
//     its recipient and value; any other call shows to = null, value 0 and the
//     call's RLP (types.EncodeCall) as input. gasPrice is (fee + tip) per
//     weight unit. The JSON "hash" is the native hash; a client that hashes
//     the legacy-shaped fields (ethclient's Transaction.Hash) gets another
//     value. Ethereum-signed txs are shown as signed, so their hash
//     recomputes exactly; a 0x02 tx's gasPrice is the price it paid.
//   - Receipts: status 1 or 0 (a failed call: fee charged, nothing else),
//     gasUsed = weight, effectiveGasPrice = fee paid per weight unit, no logs,
//     contractAddress null. Why a call failed is in tao_getTransactionReceipt.
//   - eth_call and eth_getCode answer as for an account without code ("0x"),
//     eth_getStorageAt as for empty storage; eth_estimateGas returns the
//     call's weight (21,000 for a transfer) and refuses contract creation,
//     call data and values that are not whole rao, as eth_sendRawTransaction
//     would.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"runtime/debug"
	"sort"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// EthAPI is the eth_ namespace.
type EthAPI struct{ b Backend }

// Web3API is the web3_ namespace.
type Web3API struct{}

// maxFeeHistory bounds eth_feeHistory's block count, as go-ethereum does.
const maxFeeHistory = 1024

// ClientVersion returns "taod/<version>/<os>-<arch>/<go version>", the shape
// of go-ethereum's answer. The version is the module's build information.
func (Web3API) ClientVersion() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("taod/%s/%s-%s/%s", v, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// Sha3 returns keccak256 of input.
func (Web3API) Sha3(input hexutil.Bytes) hexutil.Bytes { return crypto.Keccak256(input) }

func (api *EthAPI) head() state.Head {
	h, _ := api.b.Chain().Store().Head()
	return h
}

func (api *EthAPI) baseFeeWei() *big.Int {
	return types.RaoToWei(api.b.Chain().Params().BaseFeePerWeight)
}

// ChainId returns the chain ID (the EIP-155 ID wallets sign with).
func (api *EthAPI) ChainId() hexutil.Uint64 { return hexutil.Uint64(api.b.Chain().ChainID()) }

// BlockNumber returns the height of the last committed (final) block.
func (api *EthAPI) BlockNumber() hexutil.Uint64 { return hexutil.Uint64(api.head().Height) }

// GasPrice returns the base fee per weight unit in wei.
func (api *EthAPI) GasPrice() *hexutil.Big { return (*hexutil.Big)(api.baseFeeWei()) }

// MaxPriorityFeePerGas suggests no tip: see the comment at the top of the file.
func (api *EthAPI) MaxPriorityFeePerGas() *hexutil.Big { return (*hexutil.Big)(new(big.Int)) }

// blockByNumber returns the block at n (tags resolve to the head, "earliest"
// to genesis), or nil if there is none.
func (api *EthAPI) blockByNumber(n gethrpc.BlockNumber) (*types.Block, error) {
	height := api.head().Height
	switch {
	case n == gethrpc.EarliestBlockNumber:
		height = 0
	case n >= 0:
		height = uint64(n)
	}
	b, err := api.b.Chain().Store().BlockByHeight(height)
	if errors.Is(err, state.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

func (api *EthAPI) blockByHash(h types.Hash) (*types.Block, error) {
	b, err := api.b.Chain().Store().BlockByHash(h)
	if errors.Is(err, state.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// isLatest reports whether a block argument means the head (or is absent).
func isLatest(bnh *gethrpc.BlockNumberOrHash) bool {
	if bnh == nil {
		return true
	}
	n, ok := bnh.Number()
	return ok && n < 0 && n != gethrpc.EarliestBlockNumber
}

// account reads an account at the head (flat state) or at a past block (trie).
func (api *EthAPI) account(addr types.Address, bnh *gethrpc.BlockNumberOrHash) (state.Account, error) {
	if isLatest(bnh) {
		return api.b.Chain().State().Account(addr), nil
	}
	var (
		b   *types.Block
		err error
	)
	if h, ok := bnh.Hash(); ok {
		b, err = api.blockByHash(h)
	} else {
		n, _ := bnh.Number()
		b, err = api.blockByNumber(n)
	}
	if err != nil {
		return state.Account{}, err
	}
	if b == nil {
		return state.Account{}, &Error{CodeNotFound, fmt.Sprintf("block %s not found", bnh)}
	}
	r, err := api.b.Chain().Store().ReaderAt(b.Header.StateRoot)
	if err != nil {
		return state.Account{}, err
	}
	return r.Account(addr)
}

// GetBalance returns an address's balance in wei.
func (api *EthAPI) GetBalance(addr types.Address, block *gethrpc.BlockNumberOrHash) (*hexutil.Big, error) {
	acc, err := api.account(addr, block)
	if err != nil {
		return nil, err
	}
	return (*hexutil.Big)(types.RaoToWei(acc.Balance)), nil
}

// GetTransactionCount returns the address's next nonce, shared by native and
// Ethereum-signed transactions.
func (api *EthAPI) GetTransactionCount(addr types.Address, block *gethrpc.BlockNumberOrHash) (hexutil.Uint64, error) {
	if block != nil {
		if n, ok := block.Number(); ok && n == gethrpc.PendingBlockNumber {
			return hexutil.Uint64(api.b.PendingNonce(addr)), nil
		}
	}
	acc, err := api.account(addr, block)
	return hexutil.Uint64(acc.Nonce), err
}

// GetCode returns no code: taod accounts have none.
func (api *EthAPI) GetCode(addr types.Address, block *gethrpc.BlockNumberOrHash) hexutil.Bytes {
	return hexutil.Bytes{}
}

// GetStorageAt returns an empty slot: taod accounts have no storage.
func (api *EthAPI) GetStorageAt(addr types.Address, slot hexutil.Bytes, block *gethrpc.BlockNumberOrHash) hexutil.Bytes {
	return make(hexutil.Bytes, 32)
}

// EthCallArgs are the fields of an eth_call or eth_estimateGas request that
// taod reads; others (gas, prices, nonce) are accepted and ignored.
type EthCallArgs struct {
	From  *types.Address `json:"from"`
	To    *types.Address `json:"to"`
	Value *hexutil.Big   `json:"value"`
	Data  *hexutil.Bytes `json:"data"`
	Input *hexutil.Bytes `json:"input"`
}

func (a *EthCallArgs) data() []byte {
	if a.Input != nil {
		return *a.Input
	}
	if a.Data != nil {
		return *a.Data
	}
	return nil
}

// Call answers as for an account without code: empty return data.
func (api *EthAPI) Call(args EthCallArgs, block *gethrpc.BlockNumberOrHash, _ *json.RawMessage, _ *json.RawMessage) hexutil.Bytes {
	return hexutil.Bytes{}
}

// EstimateGas returns the weight of the call args describe: a plain transfer
// weighs 21,000. It refuses what eth_sendRawTransaction would refuse on its
// face: contract creation, call data, a value that is not whole rao, or a value
// above the sender's balance.
func (api *EthAPI) EstimateGas(args EthCallArgs, block *gethrpc.BlockNumberOrHash, _ *json.RawMessage, _ *json.RawMessage) (hexutil.Uint64, error) {
	switch {
	case args.To == nil:
		return 0, &Error{CodeTxRejected, fmt.Sprintf("%v (this is a contract creation)", types.ErrEthContract)}
	case len(args.data()) != 0:
		return 0, &Error{CodeTxRejected, fmt.Sprintf("%v (this call carries call data, %d bytes)", types.ErrEthContract, len(args.data()))}
	}
	var amount uint64
	if args.Value != nil {
		var err error
		if amount, err = types.WeiToRao(args.Value.ToInt()); err != nil {
			return 0, &Error{CodeTxRejected, err.Error()}
		}
	}
	if args.From != nil && amount > 0 {
		acc, err := api.account(*args.From, block)
		if err != nil {
			return 0, err
		}
		if acc.Balance < amount {
			return 0, &Error{CodeTxRejected, fmt.Sprintf("insufficient funds for transfer: balance %s wei, value %s wei", types.RaoToWei(acc.Balance), args.Value.ToInt())}
		}
	}
	// The gas a transfer uses depends on its signed length, which the wallet
	// has not fixed yet (its fee fields): quote the most any transfer uses.
	// Only the gas used is charged, so the headroom costs nothing.
	return hexutil.Uint64(types.EthGasUsed(types.MaxEthTransferSize)), nil
}

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

// SendRawTransaction decodes, checks and pools a signed transaction (an
// Ethereum-signed value transfer or a native one) and returns its hash.
func (api *EthAPI) SendRawTransaction(raw hexutil.Bytes) (types.Hash, error) {
	tx, err := types.DecodeTx(raw)
	if err != nil {
		return types.Hash{}, txRejected(fmt.Errorf("invalid transaction: %w", err))
	}
	if err := api.b.SubmitTx(tx); err != nil {
		return types.Hash{}, txRejected(api.explainEth(tx, err))
	}
	return tx.Hash(), nil
}

// explainEth puts a refusal in the terms an Ethereum wallet signed in.
func (api *EthAPI) explainEth(tx *types.Tx, err error) error {
	etx := tx.EthTx()
	if etx == nil || !errors.Is(err, chain.ErrFeeTooLow) {
		return err
	}
	if etx.Type() == types.TxTypeEIP1559 {
		return fmt.Errorf("%w (max fee per gas %s wei minus max priority fee per gas %s wei must be at least the base fee of %s wei per gas)",
			err, etx.GasFeeCap(), etx.GasTipCap(), api.baseFeeWei())
	}
	return fmt.Errorf("%w (gas price %s wei is below the base fee of %s wei per gas)", err, etx.GasPrice(), api.baseFeeWei())
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
	h := &b.Header
	out := &EthBlockJSON{
		Number: hexutil.Uint64(h.Height), Hash: b.Hash(), ParentHash: h.ParentHash,
		Sha3Uncles: ethtypes.EmptyUncleHash, TransactionsRoot: h.TxRoot, StateRoot: h.StateRoot, ReceiptsRoot: h.ReceiptsRoot,
		Miner: h.Proposer, Difficulty: (*hexutil.Big)(new(big.Int)), ExtraData: hexutil.Bytes{}, Size: hexutil.Uint64(len(enc)),
		GasLimit: hexutil.Uint64(api.b.Chain().Params().MaxBlockWeight), GasUsed: hexutil.Uint64(blockWeight(b)),
		Timestamp: hexutil.Uint64(h.Time / 1000), BaseFeePerGas: (*hexutil.Big)(api.baseFeeWei()),
		Transactions: make([]any, 0, len(b.Txs)), Uncles: []types.Hash{},
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
	b, err := api.blockByHash(hash)
	if err != nil {
		return nil, err
	}
	return api.ethBlockJSON(b, fullTxs != nil && *fullTxs)
}

// located finds a committed tx: its block and index, or a nil block.
func (api *EthAPI) located(hash types.Hash) (*types.Block, int, error) {
	st := api.b.Chain().Store()
	loc, err := st.TxLocation(hash)
	if errors.Is(err, state.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	b, err := st.BlockByHeight(loc.Height)
	if err != nil {
		return nil, 0, err
	}
	if int(loc.Index) >= len(b.Txs) || b.Txs[loc.Index].Hash() != hash {
		return nil, 0, fmt.Errorf("tx index of %s points at block %d, index %d, which does not hold it", hash, loc.Height, loc.Index)
	}
	return b, int(loc.Index), nil
}

// GetTransactionByHash returns a committed or pooled transaction; null if unknown.
func (api *EthAPI) GetTransactionByHash(hash types.Hash) (*EthTxJSON, error) {
	b, i, err := api.located(hash)
	if err != nil {
		return nil, err
	}
	if b != nil {
		return ethTxJSON(b.Txs[i], b, i), nil
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
	b, i, err := api.located(hash)
	if err != nil || b == nil {
		return nil, err
	}
	rs, err := api.b.Chain().Store().Receipts(b.Hash())
	if err != nil || len(rs) != len(b.Txs) {
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
	return &EthReceiptJSON{
		Type: hexutil.Uint64(typ), TransactionHash: hash, TransactionIndex: hexutil.Uint64(i),
		BlockHash: b.Hash(), BlockNumber: hexutil.Uint64(b.Height()), From: from, To: recipient(tx),
		CumulativeGasUsed: hexutil.Uint64(cumulative), GasUsed: hexutil.Uint64(used),
		EffectiveGasPrice: (*hexutil.Big)(paidPerGas(r.FeePaid, used)),
		Logs:              []*ethtypes.Log{}, Status: status,
	}, nil
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
		if _, err := api.b.Chain().Store().BlockByHeight(last); err != nil {
			return nil, &Error{CodeInvalidParams, fmt.Sprintf("request beyond head block: requested %d, head %d", last, head)}
		}
	}
	count := min(uint64(blockCount), maxFeeHistory, last+1)
	oldest := last + 1 - count
	out := &FeeHistoryJSON{OldestBlock: (*hexutil.Big)(new(big.Int).SetUint64(oldest)), GasUsedRatio: []float64{}}
	if count == 0 {
		return out, nil
	}
	limit := api.b.Chain().Params().MaxBlockWeight
	for h := oldest; h <= last; h++ {
		b, err := api.b.Chain().Store().BlockByHeight(h)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		used := blockWeight(b)
		out.GasUsedRatio = append(out.GasUsedRatio, float64(used)/float64(max(limit, 1)))
		if len(percentiles) > 0 {
			out.Reward = append(out.Reward, rewardPercentiles(b.Txs, used, percentiles))
		}
	}
	for range count + 1 { // the next block's base fee too, as Ethereum does
		out.BaseFee = append(out.BaseFee, (*hexutil.Big)(api.baseFeeWei()))
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
