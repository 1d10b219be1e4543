package rpc

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/types"
)

// TaoAPI is the tao_ namespace.
type TaoAPI struct {
	b   Backend
	srv *Server
}

// BlockNumber is a block height or a tag: "latest", "finalized" (the same,
// as blocks are final when committed) or "earliest". JSON numbers, decimal
// strings and 0x-hex strings are accepted.
type BlockNumber struct {
	latest  bool
	pending bool // "pending": latest, but nonces count pooled txs
	n       uint64
}

func (bn *BlockNumber) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	switch s {
	case "latest", "finalized", "safe", "":
		bn.latest = true
		return nil
	case "pending":
		bn.latest, bn.pending = true, true
		return nil
	case "earliest":
		return nil
	}
	var (
		n   uint64
		err error
	)
	if strings.HasPrefix(s, "0x") {
		n, err = hexutil.DecodeUint64(s)
	} else {
		n, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return fmt.Errorf("block number %s: want a height, 0x-hex height or \"latest\"", string(b))
	}
	bn.n = n
	return nil
}

// resolve turns an optional block number into a height.
func (api *TaoAPI) resolve(bn *BlockNumber) uint64 {
	head := api.b.Head()
	if bn == nil || bn.latest || bn.n > head.Height {
		if bn != nil && !bn.latest && bn.n > head.Height {
			return bn.n // caller reports not found
		}
		return head.Height
	}
	return bn.n
}

// ChainId returns the chain ID.
func (api *TaoAPI) ChainId() uint64 { return api.b.ChainID() }

// BlockNumber returns the height of the last committed (final) block.
func (api *TaoAPI) BlockNumber() uint64 { return api.b.Head().Height }

// GetBlockByNumber returns a block, with full transactions if fullTxs; null
// if there is none at that height.
func (api *TaoAPI) GetBlockByNumber(number BlockNumber, fullTxs *bool) (*BlockJSON, error) {
	b, err := api.b.BlockByHeight(api.resolve(&number))
	if err != nil || b == nil {
		return nil, err
	}
	return api.blockJSON(b, fullTxs != nil && *fullTxs)
}

// GetBlockByHash returns a block by hash; null if unknown.
func (api *TaoAPI) GetBlockByHash(hash types.Hash, fullTxs *bool) (*BlockJSON, error) {
	b, err := api.b.BlockByHash(hash)
	if err != nil || b == nil {
		return nil, err
	}
	return api.blockJSON(b, fullTxs != nil && *fullTxs)
}

// account reads an account at the head (flat state) or at a past block (trie).
func (api *TaoAPI) account(addr types.Address, bn *BlockNumber) (Account, error) {
	if bn == nil || bn.latest {
		return headAccount(api.b, addr)
	}
	b, err := api.blockAt(api.resolve(bn))
	if err != nil {
		return Account{}, err
	}
	return api.b.AccountAt(b.Header.StateRoot, addr)
}

// blockAt is the block at height, or a not-found error.
func (api *TaoAPI) blockAt(height uint64) (*types.Block, error) {
	b, err := api.b.BlockByHeight(height)
	if err != nil || b == nil {
		return nil, &Error{CodeNotFound, fmt.Sprintf("block %d not found", height)}
	}
	return b, nil
}

// GetBalance returns an address's balance in rao as a decimal string.
func (api *TaoAPI) GetBalance(addr types.Address, block *BlockNumber) (string, error) {
	acc, err := api.account(addr, block)
	if err != nil {
		return "", err
	}
	return strconv.FormatUint(acc.Balance, 10), nil
}

// GetNonce returns the address's next nonce.
// "pending" counts the sender's transactions waiting in the pool.
func (api *TaoAPI) GetNonce(addr types.Address, block *BlockNumber) (uint64, error) {
	if block != nil && block.pending {
		return api.b.PendingNonce(addr), nil
	}
	acc, err := api.account(addr, block)
	return acc.Nonce, err
}

// SendRawTransaction decodes, checks and pools a signed transaction and
// returns its hash. Nothing changes when it is refused.
func (api *TaoAPI) SendRawTransaction(raw hexutil.Bytes) (types.Hash, error) {
	tx, err := api.b.DecodeTx(raw)
	if err != nil {
		return types.Hash{}, txRejected(fmt.Errorf("invalid transaction: %w", err))
	}
	if err := api.b.SubmitTx(tx); err != nil {
		return types.Hash{}, txRejected(err)
	}
	return tx.Hash(), nil
}

// GetTransactionByHash returns a committed or pooled transaction; null if unknown.
func (api *TaoAPI) GetTransactionByHash(hash types.Hash) (*TxJSON, error) {
	if b, loc, err := located(api.b, hash); err != nil || b != nil {
		if err != nil {
			return nil, err
		}
		j := txJSON(b.Txs[loc.Index])
		h, i := b.Hash(), loc.Index
		j.BlockHash, j.BlockNumber, j.Index = &h, &loc.Height, &i
		return j, nil
	}
	if tx, ok := api.b.PendingTx(hash); ok {
		return txJSON(tx), nil
	}
	return nil, nil
}

// GetTransactionReceipt returns the receipt of a committed transaction; null
// while it is pending or unknown.
func (api *TaoAPI) GetTransactionReceipt(hash types.Hash) (*ReceiptJSON, error) {
	b, loc, err := located(api.b, hash)
	if err != nil || b == nil {
		return nil, err
	}
	rs, err := api.b.Receipts(b.Hash())
	if err != nil || int(loc.Index) >= len(rs) {
		return nil, fmt.Errorf("receipt of %s: %v", hash, err)
	}
	r := rs[loc.Index]
	from, _ := b.Txs[loc.Index].Sender()
	status := "success"
	if r.Status == types.ReceiptFailed {
		status = "failed"
	}
	events := make([]EventJSON, len(r.Events))
	for i := range r.Events {
		events[i] = eventJSON(b.Hash(), loc.Height, int(loc.Index), i, &r, &r.Events[i])
	}
	return &ReceiptJSON{
		TxHash: hash, BlockHash: b.Hash(), BlockNumber: loc.Height, Index: loc.Index,
		From: from, Status: status, Error: r.Error, FeePaid: strconv.FormatUint(r.FeePaid, 10), Weight: r.Weight,
		Events: events,
	}, nil
}

// TotalIssuance returns total issuance in rao (minted minus recycled).
func (api *TaoAPI) TotalIssuance() (string, error) {
	return withView(api.b, func(v View) (string, error) { return strconv.FormatUint(v.Issuance(), 10), nil })
}

// EmissionSchedule describes the block reward now and when it next halves.
type EmissionSchedule struct {
	Issuance            string  `json:"issuance"`
	MaxSupply           string  `json:"maxSupply"`
	BlockReward         string  `json:"blockReward"`
	UndistributedPool   string  `json:"undistributedPool"`
	Era                 uint    `json:"era"`
	NextHalvingIssuance *string `json:"nextHalvingIssuance"`
	BlocksToNextHalving *uint64 `json:"blocksToNextHalving"`
	EstimatedHalvingAt  *uint64 `json:"estimatedHalvingBlock"`
	BlockTimeMs         uint64  `json:"blockTimeMs"`
}

// EmissionSchedule returns the current reward, the issuance at which it next
// halves, and the block at which that happens if nothing is recycled.
func (api *TaoAPI) EmissionSchedule() (*EmissionSchedule, error) {
	v, err := api.b.View()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	is, head := v.Issuance(), v.Head()
	out := &EmissionSchedule{
		Issuance:          strconv.FormatUint(is, 10),
		MaxSupply:         strconv.FormatUint(emission.MaxSupply, 10),
		BlockReward:       strconv.FormatUint(emission.BlockReward(is), 10),
		UndistributedPool: strconv.FormatUint(v.UndistributedPool(), 10),
		Era:               emission.Era(is),
		BlockTimeMs:       v.Params().BlockTimeMs,
	}
	if th, ok := emission.NextHalving(is); ok {
		s := strconv.FormatUint(th, 10)
		out.NextHalvingIssuance = &s
	}
	if n, ok := emission.BlocksToNextHalving(is); ok {
		at := head.Height + n
		out.BlocksToNextHalving, out.EstimatedHalvingAt = &n, &at
	}
	return out, nil
}

// Proof is a Merkle proof of an account against a block's state root.
type Proof struct {
	Address     types.Address   `json:"address"`
	Balance     string          `json:"balance"`
	Nonce       uint64          `json:"nonce"`
	BlockNumber uint64          `json:"blockNumber"`
	BlockHash   types.Hash      `json:"blockHash"`
	StateRoot   types.Hash      `json:"stateRoot"`
	Key         hexutil.Bytes   `json:"key"`   // the state key; the trie path is keccak256(key)
	Value       hexutil.Bytes   `json:"value"` // RLP([nonce, balance]); empty if absent
	Proof       []hexutil.Bytes `json:"proof"` // trie nodes, root first
}

// GetProof returns the account and its Merkle proof at a block (default latest).
func (api *TaoAPI) GetProof(addr types.Address, block *BlockNumber) (*Proof, error) {
	h := api.resolve(block)
	b, err := api.blockAt(h)
	if err != nil {
		return nil, err
	}
	pr, err := api.b.ProveAccount(b.Header.StateRoot, addr)
	if err != nil {
		return nil, err
	}
	acc := pr.Account
	p := &Proof{Address: addr, Balance: strconv.FormatUint(acc.Balance, 10), Nonce: acc.Nonce, BlockNumber: h, BlockHash: b.Hash(), StateRoot: b.Header.StateRoot, Key: pr.Key, Value: pr.Value}
	for _, n := range pr.Nodes {
		p.Proof = append(p.Proof, n)
	}
	return p, nil
}

// NewHeads streams each new block header as it is committed (and final).
func (api *TaoAPI) NewHeads(ctx context.Context) (*gethrpc.Subscription, error) {
	return api.subscribeHeads(ctx)
}

// FinalizedHeads is NewHeads: a committed block is final.
func (api *TaoAPI) FinalizedHeads(ctx context.Context) (*gethrpc.Subscription, error) {
	return api.subscribeHeads(ctx)
}

func (api *TaoAPI) subscribeHeads(ctx context.Context) (*gethrpc.Subscription, error) {
	notifier, ok := gethrpc.NotifierFromContext(ctx)
	if !ok {
		return nil, &Error{CodeServer, "subscriptions need a WebSocket connection"}
	}
	conn := gethrpc.PeerInfoFromContext(ctx).RemoteAddr
	if !api.srv.acquireSub(conn) {
		return nil, &Error{CodeLimit, fmt.Sprintf("too many subscriptions on this connection (limit %d)", api.srv.cfg.SubsPerConn)}
	}
	sub := notifier.CreateSubscription()
	heads, cancel := api.b.SubscribeHeads()
	go func() {
		defer api.srv.releaseSub(conn)
		defer cancel()
		for {
			select {
			case h := <-heads:
				if err := notifier.Notify(sub.ID, headerJSON(h)); err != nil {
					return
				}
			case <-sub.Err():
				return
			}
		}
	}()
	return sub, nil
}
