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
//     a committed block is final and the txpool is not a block; only
//     eth_getTransactionCount("pending") consults the txpool, counting the
//     sender's pooled txs (Backend.PendingNonce), so a wallet can send
//     several txs without waiting for each block.
//   - Blocks carry taod's header hash as "hash" and Ethereum's empty values in
//     the fields taod has no use for (difficulty 0, zero nonce and mixHash, the
//     empty-uncles hash). "timestamp" is in seconds, while
//     taod's header time is in milliseconds: blocks less than a second apart
//     share a timestamp. logsBloom is the bloom of the block's Transfer
//     logs (eth_logs.go). gasLimit is max_block_weight, gasUsed the sum of the
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
//     gasUsed = weight, effectiveGasPrice = fee paid per weight unit,
//     contractAddress null. Why a call failed is in tao_getTransactionReceipt.
//     A transfer's receipt has one log, an ERC-20 Transfer log of the native
//     asset (eth_logs.go), with its bloom (and the block's bloom has all of
//     the block's); eth_getLogs returns those logs over at most 10,000
//     blocks and 10,000 results.
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

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/types"
)

// EthAPI is the eth_ namespace.
type EthAPI struct{ b Backend }

// Web3API is the web3_ namespace.
type Web3API struct{}

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

func (api *EthAPI) head() Head { return api.b.Head() }

func (api *EthAPI) baseFeeWei() *big.Int { return baseFeeWei(api.b.Params()) }

func baseFeeWei(p Params) *big.Int { return types.RaoToWei(p.BaseFeePerWeight) }

// ChainId returns the chain ID (the EIP-155 ID wallets sign with).
func (api *EthAPI) ChainId() hexutil.Uint64 { return hexutil.Uint64(api.b.ChainID()) }

// EthSyncProgress is eth_syncing's answer while the node catches up, the
// fields Ethereum tools read (go-ethereum's ethclient, web3.js, ethers).
type EthSyncProgress struct {
	StartingBlock hexutil.Uint64 `json:"startingBlock"`
	CurrentBlock  hexutil.Uint64 `json:"currentBlock"`
	HighestBlock  hexutil.Uint64 `json:"highestBlock"`
}

// Syncing is false when the node is not catching up, else its progress:
// where this catch-up started, the committed head and the best peer head.
func (api *EthAPI) Syncing() any {
	head := api.head().Height
	st := api.b.SyncStatus()
	if !syncing(st, head) {
		return false
	}
	return &EthSyncProgress{
		StartingBlock: hexutil.Uint64(min(st.Starting, head)),
		CurrentBlock:  hexutil.Uint64(head),
		HighestBlock:  hexutil.Uint64(st.Highest),
	}
}

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
	return api.b.BlockByHeight(height)
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
func (api *EthAPI) account(addr types.Address, bnh *gethrpc.BlockNumberOrHash) (Account, error) {
	if isLatest(bnh) {
		return headAccount(api.b, addr)
	}
	var (
		b   *types.Block
		err error
	)
	if h, ok := bnh.Hash(); ok {
		b, err = api.b.BlockByHash(h)
	} else {
		n, _ := bnh.Number()
		b, err = api.blockByNumber(n)
	}
	if err != nil {
		return Account{}, err
	}
	if b == nil {
		return Account{}, &Error{CodeNotFound, fmt.Sprintf("block %s not found", bnh)}
	}
	return api.b.AccountAt(b.Header.StateRoot, addr)
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

// SendRawTransaction decodes, checks and pools a signed transaction (an
// Ethereum-signed value transfer or a native one) and returns its hash.
func (api *EthAPI) SendRawTransaction(raw hexutil.Bytes) (types.Hash, error) {
	tx, err := api.b.DecodeTx(raw)
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
