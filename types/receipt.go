package types

import (
	"bytes"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
)

// Receipt status values.
const (
	ReceiptFailed  uint8 = 0 // the call's own rule failed: fee charged, nonce advanced, nothing else
	ReceiptSuccess uint8 = 1
)

// Receipt records what a transaction in a block did.
type Receipt struct {
	TxHash  Hash
	Status  uint8
	FeePaid uint64 // fee + tip, recycled
	Weight  uint64
	Error   string // why a failed call failed; empty on success
	Version uint8  // ReceiptVersion
	Events  []Event
}

// IsBlockReceipt reports whether r is a block's last receipt, the one that
// holds the events of its begin- and end-of-block work rather than a tx's.
func (r *Receipt) IsBlockReceipt() bool { return r.TxHash == (Hash{}) }

// BlockReceipt is the receipt that ends a block's list: begin- and
// end-of-block events, in the order they were emitted.
func BlockReceipt(events []Event) Receipt {
	return Receipt{Status: ReceiptSuccess, Version: ReceiptVersion, Events: events}
}

type receiptList []Receipt

func (l receiptList) Len() int { return len(l) }
func (l receiptList) EncodeIndex(i int, w *bytes.Buffer) {
	b, _ := rlp.EncodeToBytes(&l[i])
	w.Write(b)
}

// ReceiptsRoot is the Merkle-Patricia root of the receipts by index.
func ReceiptsRoot(rs []Receipt) Hash {
	return ethtypes.DeriveSha(receiptList(rs), trie.NewStackTrie(nil))
}
