package chain

import (
	"errors"
	"fmt"
	"github.com/taonet/taod/staking"
	"sync"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Chain applies blocks to a store. Its methods are called by one goroutine
// (the node's block loop); the store itself may be read concurrently.
type Chain struct {
	store   *state.Store
	genesis *Genesis
	params  Params
	gen     *types.Block

	upgrades map[string]bool // scheduled upgrades this binary implements

	// sigs remembers verified signatures: the node hands it to its gossip
	// gate and engine too, so each precommit is recovered once (SigCache).
	sigs *types.SigCache
	// senders remembers recovered tx senders by hash: a tx admitted from
	// gossip is not recovered again when the proposal carrying it arrives
	// as new bytes (SenderCache).
	senders *types.SenderCache
	// txs remembers decoded txs by hash: the node decodes gossip, RPC,
	// proposals, announcements and sync responses through it, so each tx
	// is decoded once (TxCache).
	txs *types.TxCache

	cache struct {
		sync.Mutex
		head   types.Hash // params decoded at this head
		params Params
		ok     bool
	}

	// endBlockHook, when set (tests only), runs at the end of every block.
	endBlockHook func(x *blockCtx) error
}

// New opens the chain in store, writing the genesis block if the store is
// empty and refusing a store created from another genesis.
func New(store *state.Store, g *Genesis) (*Chain, error) {
	gen, err := g.build(store.NewEmptyState())
	if err != nil {
		return nil, err
	}
	c := &Chain{store: store, genesis: g, params: g.Params, gen: gen, sigs: types.NewSigCache(types.DefaultSigCacheSize),
		senders: types.NewSenderCache(types.DefaultSenderCacheSize),
		txs:     types.NewTxCache(types.DefaultTxCacheCount, types.DefaultTxCacheBytes)}
	store.UseTxCache(c.txs) // the head block, read by RPC and sync peers, holds txs we decoded
	if _, ok := store.Head(); !ok {
		st := store.NewState()
		if _, err := g.build(st); err != nil {
			return nil, err
		}
		if err := store.CommitBlock(gen, nil, nil, st); err != nil {
			return nil, fmt.Errorf("chain: write genesis: %w", err)
		}
		return c, nil
	}
	stored, err := store.BlockByHeight(0)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGenesisMissing, err)
	}
	if stored.Hash() != gen.Hash() {
		return nil, fmt.Errorf("%w: stored genesis %s, genesis file gives %s", ErrWrongGenesis, stored.Hash(), gen.Hash())
	}
	return c, nil
}

// SigCache is the chain's cache of verified signatures, for the node's
// other verifiers (gossip gate, consensus engine) to share.
func (c *Chain) SigCache() *types.SigCache { return c.sigs }

// SenderCache is the chain's cache of recovered tx senders.
func (c *Chain) SenderCache() *types.SenderCache { return c.senders }

// TxCache is the chain's cache of decoded txs, for every place the node
// decodes peer or client bytes (gossip, RPC, consensus, sync) to share.
func (c *Chain) TxCache() *types.TxCache { return c.txs }

// Store is the underlying store.
func (c *Chain) Store() *state.Store { return c.store }

// Params are the protocol parameters in force at the head (governance can
// change them; genesis sets them first). They are decoded once per head.
func (c *Chain) Params() Params {
	head, _ := c.store.Head()
	c.cache.Lock()
	defer c.cache.Unlock()
	if c.cache.head == head.Hash && c.cache.ok {
		return c.cache.params
	}
	p, err := ParamsAt(c.store.NewState())
	if err != nil {
		return c.params // the genesis parameters; the state is unreadable
	}
	c.cache.head, c.cache.params, c.cache.ok = head.Hash, p, true
	return p
}

// ChainID is the chain's numeric ID.
func (c *Chain) ChainID() uint64 { return c.genesis.ChainID }

// GenesisHash identifies the chain in p2p topic names and handshakes.
func (c *Chain) GenesisHash() types.Hash { return c.gen.Hash() }

// ValidatorSet returns the validator set governing height h.
func (c *Chain) ValidatorSet(h uint64) (staking.SetRecord, error) {
	return staking.ValidatorSetAt(c.store.NewState(), c.Params().Staking, h)
}

// Executed is a block executed on top of the head, ready to commit without
// executing again.
type Executed struct {
	Block    *types.Block
	Receipts []types.Receipt // one per tx, then the block receipt (types.BlockReceipt)
	Epochs   []types.EpochTable
	state    *state.State
}

// TxReceipts are the receipts of the block's txs, without the block receipt.
func (e *Executed) TxReceipts() []types.Receipt { return e.Receipts[:len(e.Block.Txs)] }

// Rejected is a candidate transaction left out of a proposal, and why.
type Rejected struct {
	Tx  *types.Tx
	Err error
}

// Proposal is what the proposer needs to make a block.
type Proposal struct {
	Time       uint64 // Unix ms; must be after the parent's
	Proposer   types.Address
	LastCommit *types.Commit
	Evidence   []types.Evidence
}

// Propose builds the next block from candidate txs, in the order given,
// leaving out the invalid ones (returned with their reasons) and packing
// within the block limits: a tx that does not fit (weight, bytes, the
// fee-free share) is skipped and smaller ones after it are still tried.
// Once one of a sender's txs is left out, its later txs are skipped too:
// they would fail as "nonce too high" for want of it, which is no fault of
// theirs, so they are not Rejected (the txpool drops what is Rejected).
// Invalid evidence, and evidence beyond the byte limit, is left out too.
func (c *Chain) Propose(p Proposal, candidates []*types.Tx) (_ *Executed, _ []Rejected, err error) {
	head, _ := c.store.Head()
	if p.Time <= head.Time {
		p.Time = head.Time + 1
	}
	x, err := c.newBlockCtx(c.store.NewState(), head.Height+1)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			x.st.Discard() // its prefetch reads nothing after we return
		}
	}()
	recoverSenders(c.senders, candidates)
	prefetch(x.st, candidates)
	var (
		evidence []types.Evidence
		size     uint64 // BlockBytes so far
	)
	for _, ev := range p.Evidence {
		n := EvidenceBytes(&ev)
		if size+n <= x.p.MaxBlockBytes && x.sk.CheckEvidence(&ev) == nil && !containsEvidence(evidence, ev) {
			evidence = append(evidence, ev)
			size += n
		}
	}
	p.Evidence = evidence
	if err := x.beginBlock(p.LastCommit, p.Evidence); err != nil {
		return nil, nil, fmt.Errorf("chain: propose block %d: %w", x.height, err)
	}
	var (
		txs      []*types.Tx
		receipts []types.Receipt
		rejected []Rejected
		weight   uint64
		free     freeUse
		held     = make(map[types.Address]bool) // senders with a tx left out (lookups only)
	)
	hold := func(tx *types.Tx) {
		if from, err := tx.Sender(); err == nil {
			held[from] = true
		}
	}
	for _, tx := range candidates {
		if len(txs) == x.p.MaxBlockTxs {
			break
		}
		if from, err := tx.Sender(); err == nil && held[from] {
			continue
		}
		w, n := tx.Call().Weight(), TxBytes(tx)
		if weight+w > x.p.MaxBlockWeight || size+n > x.p.MaxBlockBytes {
			hold(tx)
			continue
		}
		snap := x.st.Snapshot()
		r, isFree, err := x.applyTx(tx)
		if err != nil {
			// A stale nonce says nothing of the sender's next tx; any other
			// refusal leaves a gap its later txs would fall into.
			if !errors.Is(err, ErrNonceTooLow) {
				hold(tx)
			}
			rejected = append(rejected, Rejected{tx, err})
			continue
		}
		if isFree && !free.add(x.p, w, n) {
			x.st.Revert(snap)
			hold(tx)
			continue
		}
		x.st.Settle() // the tx is in: nothing reverts it any more
		weight += w
		size += n
		txs = append(txs, tx)
		receipts = append(receipts, r)
	}
	if err := x.endBlock(); err != nil {
		return nil, rejected, err
	}
	receipts = append(receipts, x.blockReceipt())
	b, err := x.seal(head, p, txs, receipts)
	if err != nil {
		return nil, rejected, err
	}
	return &Executed{Block: b, Receipts: receipts, Epochs: x.ev.Epochs(), state: x.st}, rejected, nil
}

func containsEvidence(list []types.Evidence, ev types.Evidence) bool {
	for i := range list {
		if list[i].SameOffence(&ev) {
			return true
		}
	}
	return false
}

func (x *blockCtx) seal(head state.Head, p Proposal, txs []*types.Tx, receipts []types.Receipt) (*types.Block, error) {
	var (
		root types.Hash
		err  error
	)
	txRoot, receiptsRoot := bodyRoots(txs, receipts, func() { root, err = x.st.Root() })
	if err != nil {
		return nil, err
	}
	cur, err := staking.ValidatorSetAt(x.st, x.p.Staking, x.height)
	if err != nil {
		return nil, err
	}
	next, err := staking.ValidatorSetAt(x.st, x.p.Staking, x.height+1)
	if err != nil {
		return nil, err
	}
	h := types.Header{
		ChainID:            x.c.genesis.ChainID,
		Height:             x.height,
		Time:               p.Time,
		ParentHash:         head.Hash,
		Proposer:           p.Proposer,
		TxRoot:             txRoot,
		ReceiptsRoot:       receiptsRoot,
		StateRoot:          root,
		ValidatorsHash:     cur.Hash(),
		NextValidatorsHash: next.Hash(),
		LastCommitHash:     p.LastCommit.Hash(),
		EvidenceHash:       types.EvidenceHash(p.Evidence),
	}
	// Sealed: the proposal, the WAL, the store and the announcement share
	// one encoding of it.
	return types.NewSealedBlock(h, txs, p.LastCommit, p.Evidence)
}

// Execute checks a proposed (or synced) block against the head and executes
// it. nowMs is the validator's clock for the header-time rule; pass 0 when
// replaying blocks that are already final (sync), where the rule has been
// applied by the validators that committed them.
func (c *Chain) Execute(b *types.Block, nowMs uint64) (_ *Executed, err error) {
	head, _ := c.store.Head()
	h := &b.Header
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w %d: %s", ErrInvalidBlock, h.Height, fmt.Sprintf(format, args...))
	}
	x, err := c.newBlockCtx(c.store.NewState(), h.Height)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			x.st.Discard() // a refused block's prefetch reads nothing after we return
		}
	}()
	switch {
	case h.ChainID != c.genesis.ChainID:
		return nil, invalid("chain ID %d, want %d", h.ChainID, c.genesis.ChainID)
	case h.Height != head.Height+1 || h.ParentHash != head.Hash:
		return nil, invalid("does not extend head %d (%s)", head.Height, head.Hash)
	case h.Time <= head.Time:
		return nil, invalid("time %d not after parent's %d", h.Time, head.Time)
	case nowMs != 0 && h.Time > nowMs+x.p.MaxClockDriftMs:
		return nil, invalid("time %d is more than %d ms ahead of local clock %d", h.Time, x.p.MaxClockDriftMs, nowMs)
	case len(b.Txs) > x.p.MaxBlockTxs:
		return nil, invalid("%d txs, limit %d", len(b.Txs), x.p.MaxBlockTxs)
	}
	// Before any execution: the bytes are known from the body alone.
	if n := BlockBytes(b.Txs, b.Evidence); n > x.p.MaxBlockBytes {
		return nil, invalid("%v: %d bytes, limit %d", ErrBlockTooLarge, n, x.p.MaxBlockBytes)
	}
	if err := b.CheckBody(); err != nil {
		return nil, invalid("%v", err)
	}
	recoverSenders(c.senders, b.Txs)
	prefetch(x.st, b.Txs)
	if err := x.beginBlock(b.LastCommit, b.Evidence); err != nil {
		return nil, invalid("%v", err)
	}
	receipts := make([]types.Receipt, 0, len(b.Txs)+1)
	var (
		weight uint64
		free   freeUse
	)
	for i, tx := range b.Txs {
		w := tx.Call().Weight()
		if weight += w; weight > x.p.MaxBlockWeight {
			return nil, invalid("%v", ErrBlockTooHeavy)
		}
		r, isFree, err := x.applyTx(tx)
		if err != nil {
			return nil, invalid("tx %d (%s): %v", i, tx.Hash(), err)
		}
		if isFree && !free.add(x.p, w, TxBytes(tx)) {
			return nil, invalid("tx %d (%s): %v: %d%% of %d weight and %d bytes", i, tx.Hash(), ErrFreeShare, x.p.MaxFreePercent, x.p.MaxBlockWeight, x.p.MaxBlockBytes)
		}
		x.st.Settle()
		receipts = append(receipts, r)
	}
	if err := x.endBlock(); err != nil {
		return nil, err
	}
	receipts = append(receipts, x.blockReceipt())
	want, err := x.seal(head, Proposal{Time: h.Time, Proposer: h.Proposer, LastCommit: b.LastCommit, Evidence: b.Evidence}, b.Txs, receipts)
	if err != nil {
		return nil, err
	}
	if want.Hash() != b.Hash() {
		return nil, invalid("header does not match its execution: %s", headerDiff(&want.Header, h))
	}
	return &Executed{Block: b, Receipts: receipts, Epochs: x.ev.Epochs(), state: x.st}, nil
}

func headerDiff(want, got *types.Header) string {
	switch {
	case want.StateRoot != got.StateRoot:
		return fmt.Sprintf("state root %s, executed %s", got.StateRoot, want.StateRoot)
	case want.ReceiptsRoot != got.ReceiptsRoot:
		return fmt.Sprintf("receipts root %s, executed %s", got.ReceiptsRoot, want.ReceiptsRoot)
	case want.ValidatorsHash != got.ValidatorsHash || want.NextValidatorsHash != got.NextValidatorsHash:
		return "validators hash"
	}
	return "header fields"
}

// CommitDeferSync is Commit without waiting for the disk (see
// state.Store.CommitBlockDeferSync): for catching up on final blocks.
func (c *Chain) CommitDeferSync(e *Executed, seen *types.Commit) error {
	c.epochOwners(e)
	if err := c.store.CommitBlockWithEpochs(e.Block, e.Receipts, e.Epochs, seen, e.state, true); err != nil {
		return fmt.Errorf("chain: commit block %d: %w", e.Block.Height(), err)
	}
	return nil
}

// Commit writes an executed block with the commit that finalised it.
func (c *Chain) Commit(e *Executed, seen *types.Commit) error {
	c.epochOwners(e)
	if err := c.store.CommitBlockWithEpochs(e.Block, e.Receipts, e.Epochs, seen, e.state, false); err != nil {
		return fmt.Errorf("chain: commit block %d: %w", e.Block.Height(), err)
	}
	return nil
}

// epochOwners fills each epoch table's Owners from the state being
// committed, when the store indexes: the index lists a paid UID's reward
// under its hotkey and under this owner. Node-local: not in any root.
func (c *Chain) epochOwners(e *Executed) {
	if _, on := c.store.Indexing(); !on {
		return
	}
	for i := range e.Epochs {
		t := &e.Epochs[i]
		t.Owners = make([]types.Address, len(t.Rows))
		for j, r := range t.Rows {
			if r.Emission == 0 {
				continue
			}
			if h, ok := staking.HotkeyOf(e.state, r.Hotkey); ok {
				t.Owners[j] = h.Owner
			}
		}
	}
}

// State opens a writable view on the head state, for checks (txpool) and queries.
func (c *Chain) State() *state.State { return c.store.NewState() }

// NetworkLockCost is what creating a subnet costs at height, under the
// parameters in force in st.
func (c *Chain) NetworkLockCost(st *state.State, height uint64) uint64 {
	p, err := ParamsAt(st)
	if err != nil {
		p = c.params
	}
	return subnet.NetworkLockCost(st, p.Subnets, height)
}

// SetUpgrades declares the scheduled upgrades this binary implements
// (`taod start --upgrade NAME`).
func (c *Chain) SetUpgrades(names []string) {
	c.upgrades = make(map[string]bool, len(names))
	for _, n := range names {
		c.upgrades[n] = true
	}
}
