package rpc

import (
	"strconv"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/taonet/taod/types"
)

// HeaderJSON is a header as the API shows it.
type HeaderJSON struct {
	Number             uint64        `json:"number"`
	Hash               types.Hash    `json:"hash"`
	ParentHash         types.Hash    `json:"parentHash"`
	Time               uint64        `json:"timestampMs"`
	Proposer           types.Address `json:"proposer"`
	TxRoot             types.Hash    `json:"transactionsRoot"`
	ReceiptsRoot       types.Hash    `json:"receiptsRoot"`
	StateRoot          types.Hash    `json:"stateRoot"`
	ValidatorsHash     types.Hash    `json:"validatorsHash"`
	NextValidatorsHash types.Hash    `json:"nextValidatorsHash"`
	LastCommitHash     types.Hash    `json:"lastCommitHash"`
	EvidenceHash       types.Hash    `json:"evidenceHash"`
	ChainID            uint64        `json:"chainId"`
}

func headerJSON(h *types.Header) *HeaderJSON {
	return &HeaderJSON{
		Number: h.Height, Hash: h.Hash(), ParentHash: h.ParentHash, Time: h.Time, Proposer: h.Proposer,
		TxRoot: h.TxRoot, ReceiptsRoot: h.ReceiptsRoot, StateRoot: h.StateRoot,
		ValidatorsHash: h.ValidatorsHash, NextValidatorsHash: h.NextValidatorsHash,
		LastCommitHash: h.LastCommitHash, EvidenceHash: h.EvidenceHash, ChainID: h.ChainID,
	}
}

// BlockJSON is a block: its header, its transactions (hashes or objects) and
// the commit of its parent.
type BlockJSON struct {
	*HeaderJSON
	Size         int         `json:"size"`
	Transactions []any       `json:"transactions"`
	LastCommit   *CommitJSON `json:"lastCommit"`
	Evidence     int         `json:"evidenceCount"`
}

// CommitJSON is a commit's summary.
type CommitJSON struct {
	Height    uint64          `json:"height"`
	Round     uint32          `json:"round"`
	BlockHash types.Hash      `json:"blockHash"`
	Signers   []types.Address `json:"signers"`
}

func (api *TaoAPI) blockJSON(b *types.Block, full bool) (*BlockJSON, error) {
	enc, err := b.Encode()
	if err != nil {
		return nil, err
	}
	out := &BlockJSON{HeaderJSON: headerJSON(&b.Header), Size: len(enc), Transactions: []any{}, Evidence: len(b.Evidence)}
	if c := b.LastCommit; c != nil && len(c.Signatures) > 0 {
		cj := &CommitJSON{Height: c.Height, Round: c.Round, BlockHash: c.BlockHash}
		for _, s := range c.Signatures {
			cj.Signers = append(cj.Signers, s.Validator)
		}
		out.LastCommit = cj
	}
	for i, tx := range b.Txs {
		if !full {
			out.Transactions = append(out.Transactions, tx.Hash())
			continue
		}
		j := txJSON(tx)
		h, n, idx := b.Hash(), b.Height(), uint32(i)
		j.BlockHash, j.BlockNumber, j.Index = &h, &n, &idx
		out.Transactions = append(out.Transactions, j)
	}
	return out, nil
}

// TxJSON is a transaction as the API shows it.
type TxJSON struct {
	Hash        types.Hash     `json:"hash"`
	Type        hexutil.Uint64 `json:"type"`
	From        types.Address  `json:"from"`
	ChainID     uint64         `json:"chainId"`
	Nonce       uint64         `json:"nonce"`
	Fee         string         `json:"fee"`
	Tip         string         `json:"tip"`
	Call        string         `json:"call"`
	To          *types.Address `json:"to,omitempty"`
	Amount      string         `json:"amount,omitempty"`
	Weight      uint64         `json:"weight"`
	BlockHash   *types.Hash    `json:"blockHash"`
	BlockNumber *uint64        `json:"blockNumber"`
	Index       *uint32        `json:"transactionIndex"`
	Raw         hexutil.Bytes  `json:"raw"`
}

func txJSON(tx *types.Tx) *TxJSON {
	from, _ := tx.Sender()
	j := &TxJSON{
		Hash: tx.Hash(), Type: hexutil.Uint64(tx.Type()), From: from, ChainID: tx.ChainID(), Nonce: tx.Nonce(),
		Fee: strconv.FormatUint(tx.Fee(), 10), Tip: strconv.FormatUint(tx.Tip(), 10),
		Call: tx.Call().Kind().String(), Weight: tx.Call().Weight(), Raw: tx.Bytes(),
	}
	if t, ok := tx.Call().(*types.Transfer); ok {
		to := t.To
		j.To, j.Amount = &to, strconv.FormatUint(t.Amount, 10)
	}
	return j
}

// ReceiptJSON is a receipt as the API shows it.
type ReceiptJSON struct {
	TxHash      types.Hash    `json:"transactionHash"`
	BlockHash   types.Hash    `json:"blockHash"`
	BlockNumber uint64        `json:"blockNumber"`
	Index       uint32        `json:"transactionIndex"`
	From        types.Address `json:"from"`
	Status      string        `json:"status"` // "success" or "failed"
	Error       string        `json:"error,omitempty"`
	FeePaid     string        `json:"feePaid"`
	Weight      uint64        `json:"weight"`
	Events      []EventJSON   `json:"events"` // what the tx did (events.go); a failed call has only its fee
}
