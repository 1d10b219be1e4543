package txpool

import (
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"sync"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Refusals, beyond chain's invalid-tx errors (which Add returns as they are).
var (
	ErrKnownTx             = errors.New("txpool: transaction already known")
	ErrUnderpriced         = errors.New("txpool: pool is full and the tip does not outbid the cheapest transaction it could replace")
	ErrPoolFull            = errors.New("txpool: pool is full of transactions that cannot be evicted")
	ErrAccountQueue        = errors.New("txpool: too many queued (gapped) transactions from this sender")
	ErrNonceGap            = errors.New("txpool: nonce too far ahead of the sender's pending transactions")
	ErrReplaceUnderpriced  = errors.New("txpool: replacement transaction must raise fee + tip by at least the bump")
	ErrInsufficientBalance = errors.New("txpool: balance cannot cover fees and amounts of the sender's pooled transactions")
	ErrTooHeavy            = errors.New("txpool: transaction weighs more than a block may hold")
	ErrFeeFreeGapped       = errors.New("txpool: a fee-free transaction must be the sender's next executable one")
	ErrFeeFreeLimited      = errors.New("txpool: one fee-free call per hotkey, kind and subnet per rate-limit window")
)

// Malformed reports whether err (from Add) condemns the tx itself: no honest
// node builds or relays it (bad signature, wrong chain, overflowing fee). Any
// other refusal depends on state, which peers may see differently.
func Malformed(err error) bool {
	return errors.Is(err, types.ErrBadSignature) || errors.Is(err, chain.ErrWrongChain) || errors.Is(err, chain.ErrFeeOverflow)
}

// Pool holds transactions waiting for a block (see the package doc).
type Pool struct {
	cfg   Config
	chain *chain.Chain

	mu struct {
		sync.Mutex
		senders map[types.Address]*account // senders with pooled txs
		all     map[types.Hash]*entry      // every pooled tx
		pending int                        // executable txs of all senders
		bytes   int                        // memory of all pooled txs (Tx.MemSize)
		seq     uint64                     // arrival counter: breaks tip ties
		height  uint64                     // the latest block seen by Update
		free    map[freeKey]freeMark       // fee-free rate limit
		// The senders eviction may pick from. queued: a heap of the senders
		// with queued txs by their tail, cheapest first, that also counts
		// the queued txs of all senders. overSlots: the senders with over
		// AccountSlots pending txs (a victim search scans at most
		// GlobalSlots/AccountSlots of them, and only with pending full,
		// which costs real fees to reach).
		queued    tailHeap
		overSlots map[*account]struct{}
		commits   commitRate // for the admission bound (admit.go)
	}
}

type entry struct {
	tx   *types.Tx
	seq  uint64 // arrival order
	cost uint64 // what the sender's balance must hold for it
	mem  int    // tx.MemSize(), counted against MaxBytes
}

// account is one sender's pooled txs. txs[nonce, nonce+pending) exist and are
// executable; the rest are queued.
type account struct {
	qi      int // index in the queued heap; -1 when not in it
	qt      int // tails set aside while victims are chosen (heap key)
	from    types.Address
	nonce   uint64
	pending int
	last    uint64 // highest pooled nonce (the tail)
	txs     map[uint64]*entry
	beat    time.Time // last add or promotion
}

func (a *account) queued() int { return len(a.txs) - a.pending }

func (a *account) pendingEnd() uint64 { return a.nonce + uint64(a.pending) }

// New returns an empty pool validating against c's head state.
func New(cfg Config, c *chain.Chain) *Pool {
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	p := &Pool{cfg: cfg, chain: c}
	p.mu.senders = make(map[types.Address]*account)
	p.mu.all = make(map[types.Hash]*entry)
	p.mu.free = make(map[freeKey]freeMark)
	p.mu.overSlots = make(map[*account]struct{})
	head, _ := c.Head()
	p.mu.height = head.Height
	return p
}

// Len is the number of transactions held.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.mu.all)
}

// Stats returns the pending and queued counts and the memory the pooled
// txs hold in bytes (Tx.MemSize).
func (p *Pool) Stats() (pending, queued, bytes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.pending, p.mu.queued.count, p.mu.bytes
}

// Get returns a pooled transaction by hash.
func (p *Pool) Get(h types.Hash) (*types.Tx, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.mu.all[h]; e != nil {
		return e.tx, true
	}
	return nil, false
}

// txCost is what from's balance must hold for tx: fee + tip, plus a
// transfer's amount. A RemoveStake that may pay its fee out of the removed
// amount (chain's rule) costs the balance nothing.
func txCost(st *state.State, from types.Address, tx *types.Tx) (uint64, bool) {
	c, carry := bits.Add64(tx.Fee(), tx.Tip(), 0)
	if carry != 0 {
		return 0, false
	}
	switch call := tx.Call().(type) {
	case *types.Transfer:
		c, carry = bits.Add64(c, call.Amount, 0)
		return c, carry == 0
	case *types.RemoveStake:
		if call.Amount >= c && staking.Stake(st, from, call.Hotkey) >= call.Amount {
			return 0, true
		}
	}
	return c, true
}

// Add admits a transaction, or says why not. The tx is checked as the next
// block would check it, except that its nonce may be ahead of the account's
// (it is then queued), and the sender's balance must cover all its pooled txs.
func (p *Pool) Add(tx *types.Tx) error {
	if p.known(tx.Hash()) {
		return ErrKnownTx // first: a tx heard again from another peer costs no recovery
	}
	from, err := p.chain.CheckTxStatic(tx)
	if err != nil {
		return err
	}
	st := p.chain.State()
	acc := st.Account(from)
	if tx.Nonce() < acc.Nonce {
		return fmt.Errorf("%w: tx nonce %d, account %s is at %d", chain.ErrNonceTooLow, tx.Nonce(), from, acc.Nonce)
	}
	// A coldkey frozen by a disputed or executing swap signs nothing (chain
	// refuses its txs as invalid): say so now, rather than hold the tx until
	// the freeze lifts and run it then, first in line, for whoever sent it.
	if err := staking.ColdkeyFrozen(st, from); err != nil {
		return err
	}
	params := p.chain.Params()
	if w := tx.Call().Weight(); w > params.MaxBlockWeight {
		// No block could take it, and it would hold up the sender's later
		// txs for good: the proposer skips it silently at the weight limit.
		return fmt.Errorf("%w: weight %d, block limit %d", ErrTooHeavy, w, params.MaxBlockWeight)
	}
	min, err := p.chain.MinFee(tx.Call(), tx.Size())
	if err != nil {
		return err
	}
	free := tx.Fee() < min // passes CheckFee only as a fee-free call
	var fk freeKey
	if free {
		fk = freeKey{hotkey: from, kind: tx.Call().Kind(), netuid: callNetuid(tx.Call())}
		// Before the dry run in CheckFee: a hotkey's extra fee-free txs must
		// cost no execution to refuse.
		p.mu.Lock()
		err := p.feeFreeAllowedLocked(fk)
		p.mu.Unlock()
		if err != nil {
			return err
		}
	}
	if err := p.chain.CheckFee(st, tx, from); err != nil {
		return err
	}
	cost, ok := txCost(st, from, tx)
	if !ok {
		return chain.ErrFeeOverflow
	}
	var window uint64
	if free {
		window = p.feeFreeWindow(st, tx.Call())
	}
	now := p.cfg.Clock.Now()

	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.mu.all[tx.Hash()]; ok {
		return ErrKnownTx
	}
	a := p.mu.senders[from]
	if a == nil {
		a = &account{qi: -1, from: from, nonce: acc.Nonce, txs: make(map[uint64]*entry)}
	} else if acc.Nonce > a.nonce {
		p.advanceLocked(a, acc.Nonce) // a block landed that Update has not told us of yet
	}
	n, end := tx.Nonce(), a.pendingEnd()
	if n < a.nonce { // our state view is older than the block Update brought
		return fmt.Errorf("%w: tx nonce %d, account %s is at %d", chain.ErrNonceTooLow, n, from, a.nonce)
	}
	if n > end && n-end > uint64(p.cfg.AccountQueue) {
		return fmt.Errorf("%w: tx nonce %d, sender %s can use up to %d (%d pending from %d)",
			ErrNonceGap, n, from, end+uint64(p.cfg.AccountQueue), a.pending, a.nonce)
	}
	old := a.txs[n]
	if free {
		if n > end {
			return fmt.Errorf("%w: nonce %d, next executable %d", ErrFeeFreeGapped, n, end)
		}
		if err := p.feeFreeAllowedLocked(fk); err != nil {
			return err
		}
	}
	if old != nil {
		// Both sums fit: CheckTxStatic refused overflowing fee + tip.
		oldCost, newCost := old.tx.Fee()+old.tx.Tip(), tx.Fee()+tx.Tip()
		needHi, needLo := bits.Mul64(oldCost, 100+p.cfg.PriceBumpPct)
		gotHi, gotLo := bits.Mul64(newCost, 100)
		if newCost <= oldCost || gotHi < needHi || gotHi == needHi && gotLo < needLo {
			return fmt.Errorf("%w (%d%%): fee + tip %d rao, had %d", ErrReplaceUnderpriced, p.cfg.PriceBumpPct, newCost, oldCost)
		}
	} else if n > end && a.queued() >= p.cfg.AccountQueue {
		return fmt.Errorf("%w (%d)", ErrAccountQueue, p.cfg.AccountQueue)
	}
	// The sender must afford every pooled tx, this one replacing old. Sums
	// commute, so the map's order does not matter.
	total, overflow := cost, false
	for nonce, e := range a.txs {
		if nonce != n {
			var carry uint64
			total, carry = bits.Add64(total, e.cost, 0)
			overflow = overflow || carry != 0
		}
	}
	if overflow || total > acc.Balance {
		return fmt.Errorf("%w: needs %s TAO, balance %s TAO", ErrInsufficientBalance, types.FormatTAO(total), types.FormatTAO(acc.Balance))
	}

	// Room: what this tx adds to each limit, counting the queued txs it
	// promotes when it fills the sender's gap.
	// A decoded tx holds more than its encoding (its decoded call too):
	// MaxBytes bounds what the pool keeps alive, so count that.
	mem := tx.MemSize()
	need := room{bytes: mem}
	if old != nil {
		need.bytes -= old.mem
	} else if n == end {
		k := 1
		for a.txs[n+uint64(k)] != nil {
			k++
		}
		need.pending, need.queued = k, -(k - 1)
	} else {
		need.queued = 1
	}
	victims, err := p.makeRoomLocked(a, need, n <= end, tx.Tip())
	if err != nil {
		return err
	}
	for _, v := range victims {
		p.removeTailLocked(v)
	}

	if old != nil {
		delete(p.mu.all, old.tx.Hash())
		p.mu.bytes -= old.mem
	}
	p.mu.seq++
	e := &entry{tx: tx, seq: p.mu.seq, cost: cost, mem: mem}
	a.txs[n] = e
	p.mu.all[tx.Hash()] = e
	p.mu.bytes += mem
	p.mu.senders[from] = a
	a.beat = now
	if old == nil {
		if n > a.last || len(a.txs) == 1 {
			a.last = n
		}
		p.mu.queued.count++ // counted as queued, then promoted if it fills the gap
		p.promoteLocked(a)
	}
	p.indexLocked(a)
	if free {
		p.mu.free[fk] = freeMark{hash: tx.Hash(), until: p.mu.height + window}
	}
	return nil
}

// indexLocked files a under the eviction indexes its layout calls for.
func (p *Pool) indexLocked(a *account) {
	switch {
	case a.queued() > 0 && a.qi < 0:
		heap.Push(&p.mu.queued, a)
	case a.queued() > 0:
		heap.Fix(&p.mu.queued, a.qi)
	case a.qi >= 0:
		heap.Remove(&p.mu.queued, a.qi)
	}
	if a.pending > p.cfg.AccountSlots {
		p.mu.overSlots[a] = struct{}{}
	} else {
		delete(p.mu.overSlots, a)
	}
}

func (p *Pool) known(h types.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.mu.all[h]
	return ok
}

// it without a gap.
func (p *Pool) promoteLocked(a *account) {
	grown := 0
	for a.txs[a.pendingEnd()] != nil {
		a.pending++
		grown++
	}
	if grown > 0 {
		p.mu.pending += grown
		p.mu.queued.count -= grown
		a.beat = p.cfg.Clock.Now()
	}
}

// advanceLocked moves a to account nonce n: txs below n are used and leave;
// the pending run is recounted from n.
func (p *Pool) advanceLocked(a *account, n uint64) {
	if n <= a.nonce {
		return
	}
	end := a.pendingEnd()
	for nonce, e := range a.txs {
		if nonce < n {
			p.dropEntryLocked(a, nonce, e)
		}
	}
	// Every nonce in [n, end) is still pooled and stays pending (the drops
	// above were counted by the old layout, which agrees on them); beyond end
	// (a tx this pool never saw was included) the run starts over.
	a.nonce = n
	if n >= end {
		a.pending = 0
	} else {
		a.pending = int(end - n)
	}
	p.promoteLocked(a)
	p.retailLocked(a)
}

// dropEntryLocked removes one tx from the maps and the byte count, and from
// the pending or queued count by where it sits in a's current layout. It
// does not touch a.pending: callers fix the layout.
func (p *Pool) dropEntryLocked(a *account, nonce uint64, e *entry) {
	delete(a.txs, nonce)
	delete(p.mu.all, e.tx.Hash())
	p.mu.bytes -= e.mem
	if nonce >= a.nonce && nonce < a.pendingEnd() {
		p.mu.pending--
	} else {
		p.mu.queued.count--
	}
}

// removeTailLocked drops a's highest-nonce tx: no gap opens in front of
// others.
func (p *Pool) removeTailLocked(a *account) {
	n := a.last
	e := a.txs[n]
	if e == nil {
		return
	}
	p.dropEntryLocked(a, n, e)
	if n < a.pendingEnd() {
		a.pending-- // the tail was pending: the run ended at it
	}
	p.retailLocked(a)
}

// retailLocked recomputes a.last after removals and forgets an empty account.
func (p *Pool) retailLocked(a *account) {
	p.indexLocked(a)
	if len(a.txs) == 0 {
		delete(p.mu.senders, a.from)
		a.last = 0
		return
	}
	for a.txs[a.last] == nil && a.last > a.nonce {
		a.last--
	}
}

// removeFromLocked drops a's txs from nonce n on (the tail from n).
func (p *Pool) removeFromLocked(a *account, n uint64) {
	for len(a.txs) > 0 && a.last >= n {
		p.removeTailLocked(a)
	}
}

// droppedOnReject reports whether a proposal's rejection proves a tx can
// never be included: its nonce is used, it is malformed, or its fee fails
// the rule in force (a fee-free call that would fail, or a fee under a raised
// base fee), or its sender is a coldkey frozen by a swap (Add refuses it
// too). "Nonce too high" (an earlier tx of the sender was left out for a
// block limit) and "cannot pay" (re-checked against the new balance below)
// are not proof.
func droppedOnReject(err error) bool {
	return errors.Is(err, chain.ErrNonceTooLow) || errors.Is(err, chain.ErrFeeTooLow) || errors.Is(err, staking.ErrColdkeyFrozen) || Malformed(err)
}

// Update brings the pool to the state st after block b (or, with an empty
// block, after a proposal that left out the rejected txs): used nonces leave,
// definitively invalid rejected txs leave (the sender's later txs become
// queued), senders whose balance no longer covers their txs lose the tail
// from the first unaffordable one, queued txs whose sender has been idle for
// the lifetime expire, and queued txs that became executable are promoted.
func (p *Pool) Update(st *state.State, b *types.Block, rejected []chain.Rejected) {
	now := p.cfg.Clock.Now()
	// The senders touched, in order (so that the work does not depend on map
	// order), and their accounts, read before taking the lock: a block of
	// 20,000 txs is as many state reads, which gossip's Adds should not wait
	// for. Senders are cached in the txs, so this recovers nothing new.
	accs := make(map[types.Address]state.Account)
	var order []types.Address
	touch := func(tx *types.Tx) {
		if from, err := tx.Sender(); err == nil {
			if _, ok := accs[from]; !ok {
				accs[from] = st.Account(from)
				order = append(order, from)
			}
		}
	}
	for _, tx := range b.Txs {
		touch(tx)
	}
	for _, r := range rejected {
		touch(r.Tx)
	}
	sort.Slice(order, func(i, j int) bool { return bytes.Compare(order[i][:], order[j][:]) < 0 })

	p.mu.Lock()
	defer p.mu.Unlock()
	p.mu.commits.note(now, len(b.Txs))
	if h := b.Height(); h > p.mu.height {
		p.mu.height = h
	}
	for _, r := range rejected {
		from, err := r.Tx.Sender()
		if err != nil {
			continue
		}
		a := p.mu.senders[from]
		if a == nil {
			continue
		}
		// "Cannot pay" for the sender's first tx is definitive too: no tx
		// of another sender lowers its balance. (The balance re-check below
		// misses a RemoveStake paying from stake that no longer can.)
		first := errors.Is(r.Err, chain.ErrCannotPayFee) && r.Tx.Nonce() == accs[from].Nonce
		if !first && !droppedOnReject(r.Err) {
			continue
		}
		if e := a.txs[r.Tx.Nonce()]; e != nil && e.tx.Hash() == r.Tx.Hash() {
			p.removeMiddleLocked(a, r.Tx.Nonce())
		}
	}
	for _, from := range order {
		a := p.mu.senders[from]
		if a == nil {
			continue
		}
		acc := accs[from]
		p.advanceLocked(a, acc.Nonce)
		p.trimUnaffordableLocked(a, acc.Balance)
		p.retailLocked(a)
	}
	p.expireLocked(now)
	p.trimQueuesLocked()
	for hk, m := range p.mu.free {
		if _, pooled := p.mu.all[m.hash]; !pooled && p.mu.height >= m.until {
			delete(p.mu.free, hk)
		}
	}
}

// removeMiddleLocked drops a's tx at nonce n; the txs after it are demoted
// to queued (they wait for a tx to fill the gap, or for the lifetime).
func (p *Pool) removeMiddleLocked(a *account, n uint64) {
	e := a.txs[n]
	end := a.pendingEnd()
	p.dropEntryLocked(a, n, e)
	if n >= a.nonce && n < end {
		demoted := int(end - n - 1)
		a.pending -= demoted + 1
		p.mu.pending -= demoted
		p.mu.queued.count += demoted
	}
	p.retailLocked(a)
}

// trimUnaffordableLocked walks a's txs in nonce order and drops the tail
// from the first one the balance cannot cover with those before it.
func (p *Pool) trimUnaffordableLocked(a *account, balance uint64) {
	if len(a.txs) == 0 {
		return
	}
	nonces := make([]uint64, 0, len(a.txs))
	for n := range a.txs {
		nonces = append(nonces, n)
	}
	sort.Slice(nonces, func(i, j int) bool { return nonces[i] < nonces[j] })
	var total uint64
	for _, n := range nonces {
		var carry uint64
		total, carry = bits.Add64(total, a.txs[n].cost, 0)
		if carry != 0 || total > balance {
			p.removeFromLocked(a, n)
			return
		}
	}
}

// expireLocked drops the queued txs of senders idle for the lifetime. Only
// senders with queued txs are looked at (at most GlobalQueue of them).
func (p *Pool) expireLocked(now time.Time) {
	life := p.cfg.lifetime()
	var idle []*account
	for _, a := range p.mu.queued.h {
		if now.Sub(a.beat) > life {
			idle = append(idle, a)
		}
	}
	for _, a := range idle {
		p.removeFromLocked(a, a.pendingEnd())
	}
}

// trimQueuesLocked enforces the queued limits after demotions: per sender
// its highest nonces go; overall the cheapest queued tails go.
func (p *Pool) trimQueuesLocked() {
	var over []*account
	for _, a := range p.mu.queued.h {
		if a.queued() > p.cfg.AccountQueue {
			over = append(over, a)
		}
	}
	for _, a := range over {
		for a.queued() > p.cfg.AccountQueue {
			p.removeTailLocked(a)
		}
	}
	for p.mu.queued.count > p.cfg.GlobalQueue && p.mu.queued.Len() > 0 {
		p.removeTailLocked(p.mu.queued.h[0])
	}
}

// PendingNonce is the next nonce of from counting its pooled transactions:
// the account nonce in st, then each consecutive pooled nonce after it.
func (p *Pool) PendingNonce(st *state.State, from types.Address) uint64 {
	n := st.Account(from).Nonce
	p.mu.Lock()
	defer p.mu.Unlock()
	if a := p.mu.senders[from]; a != nil {
		for a.txs[n] != nil {
			n++
		}
	}
	return n
}
