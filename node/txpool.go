package node

import (
	"container/heap"
	"errors"
	"fmt"
	"math/bits"
	"sync"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// TxPoolConfig bounds the txpool.
type TxPoolConfig struct {
	MaxTxs        int `toml:"max_txs"`         // all pending and queued txs
	MaxPerAccount int `toml:"max_per_account"` // txs of one sender
	MaxNonceGap   int `toml:"max_nonce_gap"`   // how far ahead of the account nonce a tx may be queued
	// ReplaceBumpPct is how much higher (in %) fee + tip must be to replace
	// a pending tx of the same sender and nonce.
	ReplaceBumpPct uint64 `toml:"replace_bump_pct"`
}

// DefaultTxPoolConfig returns sensible pool limits.
func DefaultTxPoolConfig() TxPoolConfig {
	return TxPoolConfig{MaxTxs: 50_000, MaxPerAccount: 256, MaxNonceGap: 64, ReplaceBumpPct: 10}
}

// Validate checks the limits.
func (c TxPoolConfig) Validate() error {
	if c.MaxTxs <= 0 || c.MaxPerAccount <= 0 || c.MaxNonceGap < 0 {
		return errors.New("node: txpool limits must be positive")
	}
	return nil
}

// Txpool rejections, beyond chain's invalid-tx errors.
var (
	ErrKnownTx             = errors.New("txpool: transaction already known")
	ErrPoolFull            = errors.New("txpool: pool is full")
	ErrAccountLimit        = errors.New("txpool: too many pending transactions from this sender")
	ErrNonceGap            = errors.New("txpool: nonce too far ahead of the account's next nonce")
	ErrReplaceUnderpriced  = errors.New("txpool: replacement transaction must raise fee + tip by at least the bump")
	ErrInsufficientBalance = errors.New("txpool: balance cannot cover pending fees and amounts")
)

// TxPool holds transactions waiting for a block: per sender in nonce order,
// across senders by tip. Invalid transactions never enter.
type TxPool struct {
	cfg   TxPoolConfig
	chain *chain.Chain

	mu struct {
		sync.Mutex
		bySender map[types.Address]*senderTxs // guarded by mu
		byHash   map[types.Hash]*types.Tx     // guarded by mu
		seq      uint64                       // arrival counter, breaks tip ties
	}
}

type senderTxs struct {
	txs map[uint64]*poolTx // by nonce
}

type poolTx struct {
	tx   *types.Tx
	from types.Address
	seq  uint64
}

// NewTxPool returns an empty pool validating against c's head state.
func NewTxPool(cfg TxPoolConfig, c *chain.Chain) *TxPool {
	p := &TxPool{cfg: cfg, chain: c}
	p.mu.bySender = make(map[types.Address]*senderTxs)
	p.mu.byHash = make(map[types.Hash]*types.Tx)
	return p
}

// Len is the number of transactions held.
func (p *TxPool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.mu.byHash)
}

// Get returns a pooled transaction by hash.
func (p *TxPool) Get(h types.Hash) (*types.Tx, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, ok := p.mu.byHash[h]
	return tx, ok
}

func cost(tx *types.Tx) (uint64, bool) {
	c, carry := bits.Add64(tx.Fee(), tx.Tip(), 0)
	if t, ok := tx.Call().(*types.Transfer); ok {
		var c2 uint64
		c2, carry2 := bits.Add64(c, t.Amount, 0)
		return c2, carry == 0 && carry2 == 0
	}
	return c, carry == 0
}

// Add admits a transaction, or says why not. It checks the tx as the next
// block would (chain.CheckTx) at the nonce it would run at, and that the
// sender's balance covers all its pooled txs.
func (p *TxPool) Add(tx *types.Tx) error {
	from, err := p.chain.CheckTxStatic(tx)
	if err != nil {
		return err
	}
	st := p.chain.State()
	if err := p.chain.CheckFee(st, tx, from); err != nil {
		return err
	}
	acc := st.Account(from)
	if tx.Nonce() < acc.Nonce {
		return fmt.Errorf("%w: tx nonce %d, account %s is at %d", chain.ErrNonceTooLow, tx.Nonce(), from, acc.Nonce)
	}
	if tx.Nonce() > acc.Nonce+uint64(p.cfg.MaxNonceGap) {
		return fmt.Errorf("%w: tx nonce %d, account %s is at %d (gap limit %d)", ErrNonceGap, tx.Nonce(), from, acc.Nonce, p.cfg.MaxNonceGap)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.mu.byHash[tx.Hash()]; ok {
		return ErrKnownTx
	}
	s := p.mu.bySender[from]
	if s == nil {
		s = &senderTxs{txs: make(map[uint64]*poolTx)}
	}
	old := s.txs[tx.Nonce()]
	if old != nil {
		// Both sums fit: CheckTxStatic refused overflowing fee + tip.
		oldCost, newCost := old.tx.Fee()+old.tx.Tip(), tx.Fee()+tx.Tip()
		needHi, needLo := bits.Mul64(oldCost, 100+p.cfg.ReplaceBumpPct)
		gotHi, gotLo := bits.Mul64(newCost, 100)
		if newCost <= oldCost || gotHi < needHi || gotHi == needHi && gotLo < needLo {
			return fmt.Errorf("%w (%d%%): fee + tip %d rao, had %d", ErrReplaceUnderpriced, p.cfg.ReplaceBumpPct, newCost, oldCost)
		}
	} else {
		if len(s.txs) >= p.cfg.MaxPerAccount {
			return fmt.Errorf("%w (%d)", ErrAccountLimit, p.cfg.MaxPerAccount)
		}
		if len(p.mu.byHash) >= p.cfg.MaxTxs {
			return fmt.Errorf("%w (%d transactions)", ErrPoolFull, p.cfg.MaxTxs)
		}
	}
	// The sender must afford every pooled tx, this one replacing old.
	total, ok := cost(tx)
	for n, pt := range s.txs {
		if n == tx.Nonce() || n < acc.Nonce {
			continue
		}
		c, ok2 := cost(pt.tx)
		var carry uint64
		total, carry = bits.Add64(total, c, 0)
		ok = ok && ok2 && carry == 0
	}
	if !ok || total > acc.Balance {
		return fmt.Errorf("%w: needs %s TAO, balance %s TAO", ErrInsufficientBalance, types.FormatTAO(total), types.FormatTAO(acc.Balance))
	}
	if old != nil {
		delete(p.mu.byHash, old.tx.Hash())
	}
	p.mu.seq++
	s.txs[tx.Nonce()] = &poolTx{tx: tx, from: from, seq: p.mu.seq}
	p.mu.bySender[from] = s
	p.mu.byHash[tx.Hash()] = tx
	return nil
}

// Pending returns up to max transactions ready for the next block: for each
// sender the run of consecutive nonces from its account nonce, merged across
// senders by highest tip, then arrival.
func (p *TxPool) Pending(st *state.State, max int) []*types.Tx {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := &tipHeap{}
	for from, s := range p.mu.bySender {
		n := st.Account(from).Nonce
		if pt := s.txs[n]; pt != nil {
			heap.Push(h, &cursorItem{s: s, next: n, head: pt})
		}
	}
	out := make([]*types.Tx, 0, min(max, len(p.mu.byHash)))
	for h.Len() > 0 && len(out) < max {
		c := heap.Pop(h).(*cursorItem)
		out = append(out, c.head.tx)
		c.next++
		if pt := c.s.txs[c.next]; pt != nil {
			c.head = pt
			heap.Push(h, c)
		}
	}
	return out
}

type cursorItem struct {
	s    *senderTxs
	next uint64
	head *poolTx
}

type tipHeap []*cursorItem

func (h tipHeap) Len() int { return len(h) }
func (h tipHeap) Less(i, j int) bool {
	a, b := h[i].head, h[j].head
	if a.tx.Tip() != b.tx.Tip() {
		return a.tx.Tip() > b.tx.Tip()
	}
	return a.seq < b.seq
}
func (h tipHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *tipHeap) Push(x any)   { *h = append(*h, x.(*cursorItem)) }
func (h *tipHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Update drops transactions made stale by a committed block (nonces now
// used) and those a proposal found invalid.
func (p *TxPool) Update(st *state.State, b *types.Block, rejected []chain.Rejected) {
	p.mu.Lock()
	defer p.mu.Unlock()
	senders := make(map[types.Address]bool)
	for _, tx := range b.Txs {
		if from, err := tx.Sender(); err == nil {
			senders[from] = true
		}
	}
	for _, r := range rejected {
		p.dropLocked(r.Tx)
		if from, err := r.Tx.Sender(); err == nil {
			senders[from] = true
		}
	}
	for from := range senders {
		s := p.mu.bySender[from]
		if s == nil {
			continue
		}
		n := st.Account(from).Nonce
		for nonce, pt := range s.txs {
			if nonce < n {
				delete(s.txs, nonce)
				delete(p.mu.byHash, pt.tx.Hash())
			}
		}
		if len(s.txs) == 0 {
			delete(p.mu.bySender, from)
		}
	}
}

func (p *TxPool) dropLocked(tx *types.Tx) {
	from, err := tx.Sender()
	if err != nil {
		return
	}
	if s := p.mu.bySender[from]; s != nil {
		if pt := s.txs[tx.Nonce()]; pt != nil && pt.tx.Hash() == tx.Hash() {
			delete(s.txs, tx.Nonce())
			delete(p.mu.byHash, tx.Hash())
			if len(s.txs) == 0 {
				delete(p.mu.bySender, from)
			}
		}
	}
}

// PendingNonce is the next nonce of from counting its pooled transactions:
// the account nonce in st, then each consecutive pooled nonce after it.
func (p *TxPool) PendingNonce(st *state.State, from types.Address) uint64 {
	n := st.Account(from).Nonce
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.mu.bySender[from]; s != nil {
		for s.txs[n] != nil {
			n++
		}
	}
	return n
}
