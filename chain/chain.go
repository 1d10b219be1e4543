package chain

import (
	"errors"
	"fmt"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"math/bits"
	"sync"

	"github.com/taonet/taod/emission"
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
	c := &Chain{store: store, genesis: g, params: g.Params, gen: gen}
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

// newBlockCtx starts the execution of block height on st (a fresh view of
// the head state) with the parameters in force.
func (c *Chain) newBlockCtx(st *state.State, height uint64) (*blockCtx, error) {
	p := c.Params()
	x := &blockCtx{
		c: c, st: st, height: height, p: p,
		sk: &staking.Block{State: st, Height: height, Params: p.Staking, ChainID: c.genesis.ChainID, Bootstrap: c.genesis.Validators},
		sn: &subnet.Block{State: st, Height: height, Params: p.Subnets, Staking: p.Staking, Blocks: c.store},
	}
	x.gv = &gov.Block{State: st, Height: height, Params: p.Gov, Registry: registry{x}}
	return x, nil
}

// ChainID is the chain's numeric ID.
func (c *Chain) ChainID() uint64 { return c.genesis.ChainID }

// GenesisHash identifies the chain in p2p topic names and handshakes.
func (c *Chain) GenesisHash() types.Hash { return c.gen.Hash() }

// ValidatorSet returns the validator set governing height h.
func (c *Chain) ValidatorSet(h uint64) (staking.ValidatorSet, error) {
	return staking.ValidatorSetAt(c.store.NewState(), c.Params().Staking, h)
}

// CheckTxStatic checks what does not depend on state: chain ID, signature
// and fee arithmetic. It returns the sender.
func (c *Chain) CheckTxStatic(tx *types.Tx) (types.Address, error) {
	if tx.ChainID() != c.genesis.ChainID {
		return types.Address{}, fmt.Errorf("%w: tx for chain %d, this is chain %d", ErrWrongChain, tx.ChainID(), c.genesis.ChainID)
	}
	from, err := tx.Sender()
	if err != nil {
		return types.Address{}, err
	}
	if _, carry := bits.Add64(tx.Fee(), tx.Tip(), 0); carry != 0 {
		return from, ErrFeeOverflow
	}
	return from, nil
}

// CheckTx reports whether tx is valid on top of st as the next block: the
// rules that make a block containing it invalid. It leaves st as it was.
func (c *Chain) CheckTx(st *state.State, tx *types.Tx) (types.Address, error) {
	head, _ := c.store.Head()
	x, err := c.newBlockCtx(st, head.Height+1)
	if err != nil {
		return types.Address{}, err
	}
	from, _, err := x.checkTx(tx)
	return from, err
}

func (x *blockCtx) checkTx(tx *types.Tx) (types.Address, bool, error) {
	st := x.st
	from, err := x.c.CheckTxStatic(tx)
	if err != nil {
		return from, false, err
	}
	acc := st.Account(from)
	switch {
	case tx.Nonce() < acc.Nonce:
		return from, false, fmt.Errorf("%w: tx nonce %d, account %s is at %d", ErrNonceTooLow, tx.Nonce(), from, acc.Nonce)
	case tx.Nonce() > acc.Nonce:
		return from, false, fmt.Errorf("%w: tx nonce %d, account %s is at %d", ErrNonceTooHigh, tx.Nonce(), from, acc.Nonce)
	}
	free, err := x.checkFee(tx, from)
	if err != nil {
		return from, false, err
	}
	if total := tx.Fee() + tx.Tip(); acc.Balance < total && !feeFromStake(st, from, tx, total) {
		return from, false, fmt.Errorf("%w: fee + tip %d rao, balance %d", ErrCannotPayFee, total, acc.Balance)
	}
	return from, free, nil
}

// feeFromStake reports whether a RemoveStake may pay its fee out of the
// amount it removes (DESIGN.md §2): the sender's balance cannot, the stake
// covers the amount and the amount covers the fee.
func feeFromStake(st *state.State, from types.Address, tx *types.Tx, total uint64) bool {
	rs, ok := tx.Call().(*types.RemoveStake)
	return ok && st.Account(from).Balance < total && rs.Amount >= total && staking.Stake(st, from, rs.Hotkey) >= rs.Amount
}

// applyTx applies one transaction and reports whether it ran fee-free. An
// error means the tx is invalid and the state is unchanged; a failed call is
// reported in the receipt.
func (x *blockCtx) applyTx(tx *types.Tx) (types.Receipt, bool, error) {
	st := x.st
	from, free, err := x.checkTx(tx)
	if err != nil {
		return types.Receipt{}, false, err
	}
	if free {
		// A fee-free call succeeded in the dry run of checkTx and st has not
		// changed since: it runs, with only the nonce besides.
		snap := st.Snapshot()
		acc := st.Account(from)
		acc.Nonce++
		st.SetAccount(from, acc)
		if err := x.applyCall(from, tx.Call()); err != nil {
			st.Revert(snap)
			return types.Receipt{}, false, fmt.Errorf("%w: fee-free %v failed: %v", ErrFeeTooLow, tx.Call().Kind(), err)
		}
		return types.Receipt{TxHash: tx.Hash(), Status: types.ReceiptSuccess, Weight: tx.Call().Weight()}, true, nil
	}
	paid := tx.Fee() + tx.Tip() // CheckTxStatic ruled out overflow
	call := tx.Call()
	if feeFromStake(st, from, tx, paid) {
		rs := call.(*types.RemoveStake)
		staking.DebitStake(st, from, rs.Hotkey, paid)
		call = &types.RemoveStake{Hotkey: rs.Hotkey, Amount: rs.Amount - paid}
	} else {
		acc := st.Account(from)
		acc.Balance -= paid
		st.SetAccount(from, acc)
	}
	acc := st.Account(from)
	acc.Nonce++
	st.SetAccount(from, acc)
	issuance, err := emission.Recycle(st.Issuance(), paid)
	if err != nil {
		return types.Receipt{}, false, fmt.Errorf("chain: invariant broken: %w", err)
	}
	st.SetIssuance(issuance)

	rcpt := types.Receipt{TxHash: tx.Hash(), Status: types.ReceiptSuccess, FeePaid: paid, Weight: tx.Call().Weight()}
	snap := st.Snapshot()
	if err := x.applyCall(from, call); err != nil {
		st.Revert(snap)
		rcpt.Status, rcpt.Error = types.ReceiptFailed, err.Error()
	}
	return rcpt, false, nil
}

func (x *blockCtx) applyCall(from types.Address, call types.Call) error {
	switch call := call.(type) {
	case *types.Transfer:
		return transfer(x.st, from, call)
	case *types.AddStake:
		return x.sk.AddStake(from, call)
	case *types.RemoveStake:
		if call.Amount == 0 {
			return nil // the whole amount paid the fee
		}
		return x.sk.RemoveStake(from, call.Hotkey, call.Amount)
	case *types.SetTake:
		return x.sk.SetTake(from, call)
	case *types.BindConsensusKey:
		return x.sk.BindConsensusKey(from, call)
	case *types.Unjail:
		return x.sk.Unjail(from, call)
	case *types.RegisterNetwork:
		return x.sn.RegisterNetwork(from, call)
	case *types.BurnedRegister:
		return x.sn.BurnedRegister(from, call)
	case *types.PowRegister:
		return x.sn.PowRegister(from, call)
	case *types.ServeAxon:
		return x.sn.ServeAxon(from, call)
	case *types.SetWeights:
		return x.sn.SetWeights(from, call)
	case *types.CommitWeights:
		return x.sn.CommitWeights(from, call)
	case *types.RevealWeights:
		return x.sn.RevealWeights(from, call)
	case *types.RootRegister:
		return x.sn.RootRegister(from, call)
	case *types.SetRootWeights:
		return x.sn.SetRootWeights(from, call)
	case *types.SetHyperparam:
		return x.sn.SetHyperparam(from, call)
	case *types.Propose:
		return x.gv.Propose(from, call)
	case *types.GovVote:
		return x.gv.Vote(from, call)
	case *types.CancelProposal:
		return x.gv.CancelProposal(from, call)
	}
	return fmt.Errorf("%w: %v", types.ErrUnknownCall, call.Kind())
}

func transfer(st *state.State, from types.Address, t *types.Transfer) error {
	src := st.Account(from)
	if src.Balance < t.Amount {
		return fmt.Errorf("%w: sending %s TAO, balance %s TAO", ErrInsufficientBalance, types.FormatTAO(t.Amount), types.FormatTAO(src.Balance))
	}
	src.Balance -= t.Amount
	st.SetAccount(from, src)
	dst := st.Account(t.To)
	if dst.Balance+t.Amount < dst.Balance {
		return ErrBalanceOverflow // unreachable under the supply cap; kept as a guard
	}
	dst.Balance += t.Amount
	st.SetAccount(t.To, dst)
	return nil
}

// mint credits the block reward to the undistributed emission pool.
func mint(st *state.State) uint64 {
	issuance := st.Issuance()
	reward := emission.BlockReward(issuance)
	st.SetIssuance(issuance + reward)
	st.SetPool(st.Pool() + reward)
	return reward
}

// Executed is a block executed on top of the head, ready to commit without
// executing again.
type Executed struct {
	Block    *types.Block
	Receipts []types.Receipt
	state    *state.State
}

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

// beginBlock runs before the transactions: mint the reward, apply
// evidence, check the parent's commit and track downtime. An error makes the
// block invalid.
func (x *blockCtx) beginBlock(lastCommit *types.Commit, evidence []types.Evidence) error {
	if err := gov.CheckUpgrade(x.st, x.height, x.c.upgrades); err != nil {
		return err
	}
	mint(x.st)
	for i := range evidence {
		if err := x.sk.CheckEvidence(&evidence[i]); err != nil {
			return fmt.Errorf("evidence %d: %w", i, err)
		}
		if err := x.sk.ApplyEvidence(&evidence[i]); err != nil {
			return err
		}
	}
	if x.height < 2 {
		if lastCommit != nil && len(lastCommit.Signatures) != 0 {
			return errors.New("the first block carries no commit")
		}
		return nil
	}
	parent, err := x.c.store.BlockHash(x.height - 1)
	if err != nil {
		return err
	}
	set, err := staking.ValidatorSetAt(x.st, x.p.Staking, x.height-1)
	if err != nil {
		return err
	}
	if err := VerifyCommit(x.c.ChainID(), set.Validators, x.height-1, parent, lastCommit); err != nil {
		return fmt.Errorf("last commit: %w", err)
	}
	return x.sk.TrackDowntime(lastCommit)
}

// endBlock runs after the transactions: release unbonded stake and, at an
// epoch's last block, decide the next validator set.
func (x *blockCtx) endBlock() error {
	if err := x.sk.ReleaseUnbonding(); err != nil {
		return err
	}
	if err := x.gv.EndBlock(); err != nil {
		return err
	}
	if err := x.sn.EndBlock(); err != nil {
		return err
	}
	if x.c.endBlockHook != nil {
		if err := x.c.endBlockHook(x); err != nil {
			return err
		}
	}
	if e := x.p.Staking.ConsensusEpoch; x.height%e == 0 {
		return x.sk.UpdateValidatorSet()
	}
	return nil
}

// Propose builds the next block from candidate txs, in the order given,
// leaving out the invalid ones (returned with their reasons) and packing
// within the block limits: a tx that does not fit (weight, bytes, the
// fee-free share) is skipped and smaller ones after it are still tried.
// Once one of a sender's txs is left out, its later txs are skipped too:
// they would fail as "nonce too high" for want of it, which is no fault of
// theirs, so they are not Rejected (the txpool drops what is Rejected).
// Invalid evidence, and evidence beyond the byte limit, is left out too.
func (c *Chain) Propose(p Proposal, candidates []*types.Tx) (*Executed, []Rejected, error) {
	head, _ := c.store.Head()
	if p.Time <= head.Time {
		p.Time = head.Time + 1
	}
	x, err := c.newBlockCtx(c.store.NewState(), head.Height+1)
	if err != nil {
		return nil, nil, err
	}
	recoverSenders(candidates)
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
		weight += w
		size += n
		txs = append(txs, tx)
		receipts = append(receipts, r)
	}
	if err := x.endBlock(); err != nil {
		return nil, rejected, err
	}
	b, err := x.seal(head, p, txs, receipts)
	if err != nil {
		return nil, rejected, err
	}
	return &Executed{Block: b, Receipts: receipts, state: x.st}, rejected, nil
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
	return types.NewBlock(h, txs, p.LastCommit, p.Evidence), nil
}

// Execute checks a proposed (or synced) block against the head and executes
// it. nowMs is the validator's clock for the header-time rule; pass 0 when
// replaying blocks that are already final (sync), where the rule has been
// applied by the validators that committed them.
func (c *Chain) Execute(b *types.Block, nowMs uint64) (*Executed, error) {
	head, _ := c.store.Head()
	h := &b.Header
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w %d: %s", ErrInvalidBlock, h.Height, fmt.Sprintf(format, args...))
	}
	x, err := c.newBlockCtx(c.store.NewState(), h.Height)
	if err != nil {
		return nil, err
	}
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
	recoverSenders(b.Txs)
	prefetch(x.st, b.Txs)
	if err := x.beginBlock(b.LastCommit, b.Evidence); err != nil {
		return nil, invalid("%v", err)
	}
	receipts := make([]types.Receipt, 0, len(b.Txs))
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
		receipts = append(receipts, r)
	}
	if err := x.endBlock(); err != nil {
		return nil, err
	}
	want, err := x.seal(head, Proposal{Time: h.Time, Proposer: h.Proposer, LastCommit: b.LastCommit, Evidence: b.Evidence}, b.Txs, receipts)
	if err != nil {
		return nil, err
	}
	if want.Hash() != b.Hash() {
		return nil, invalid("header does not match its execution: %s", headerDiff(&want.Header, h))
	}
	return &Executed{Block: b, Receipts: receipts, state: x.st}, nil
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

// ErrNoCommit reports a commit that does not finalise the block.
var ErrNoCommit = errors.New("chain: commit does not carry > 2/3 of voting power")

// VerifyCommit checks that commit holds valid precommits for block hash at
// height from more than 2/3 of vals' power.
func VerifyCommit(chainID uint64, vals []types.Validator, height uint64, hash types.Hash, commit *types.Commit) error {
	if commit == nil || commit.Height != height || commit.BlockHash != hash {
		return fmt.Errorf("%w: commit is for another block", ErrNoCommit)
	}
	power := make(map[types.Address]uint64, len(vals))
	var total uint64
	for _, v := range vals {
		power[v.Address] = v.Power
		total += v.Power
	}
	var signed uint64
	seen := make(map[types.Address]bool, len(commit.Signatures))
	for i := range commit.Signatures {
		v := commit.Vote(i)
		p, ok := power[v.Validator]
		if !ok || seen[v.Validator] {
			return fmt.Errorf("%w: signature %d by %s is not from a distinct validator", ErrNoCommit, i, v.Validator)
		}
		seen[v.Validator] = true
		signed += p
	}
	// The form first (as consensus.VerifyCommit): a commit that names too
	// little power costs no recovery.
	if 3*signed <= 2*total {
		return fmt.Errorf("%w: %d of %d", ErrNoCommit, signed, total)
	}
	// Signature recovery dominates: check them on every core. The result
	// does not depend on the order (all must verify).
	errs := make([]error, len(commit.Signatures))
	var wg sync.WaitGroup
	for i := range commit.Signatures {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v := commit.Vote(i)
			errs[i] = v.Verify(chainID)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("%w: signature %d: %v", ErrNoCommit, i, err)
		}
	}
	return nil
}

// CommitDeferSync is Commit without waiting for the disk (see
// state.Store.CommitBlockDeferSync): for catching up on final blocks.
func (c *Chain) CommitDeferSync(e *Executed, seen *types.Commit) error {
	if err := c.store.CommitBlockDeferSync(e.Block, e.Receipts, seen, e.state); err != nil {
		return fmt.Errorf("chain: commit block %d: %w", e.Block.Height(), err)
	}
	return nil
}

// Commit writes an executed block with the commit that finalised it.
func (c *Chain) Commit(e *Executed, seen *types.Commit) error {
	if err := c.store.CommitBlock(e.Block, e.Receipts, seen, e.state); err != nil {
		return fmt.Errorf("chain: commit block %d: %w", e.Block.Height(), err)
	}
	return nil
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
