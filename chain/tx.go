package chain

// Transactions: what makes one valid (CheckTx), what it pays (fee and tip,
// recycled; a RemoveStake may pay from the amount removed), and the
// dispatch of its call to the module that owns it (applyCall).

import (
	"fmt"
	"math/bits"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// CheckTxStatic checks what does not depend on state: chain ID, signature
// and fee arithmetic. It returns the sender.
func (c *Chain) CheckTxStatic(tx *types.Tx) (types.Address, error) {
	if tx.ChainID() != c.genesis.ChainID {
		return types.Address{}, fmt.Errorf("%w: tx for chain %d, this is chain %d", ErrWrongChain, tx.ChainID(), c.genesis.ChainID)
	}
	from, err := c.senders.Sender(tx)
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
	if err := staking.ColdkeyFrozen(st, from); err != nil {
		return from, false, err // a disputed or moving coldkey signs nothing (staking/coldkeyswap.go)
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
// reported in the receipt. The tx's events move from the block's log into
// its receipt; a failed call's events are dropped with its writes.
func (x *blockCtx) applyTx(tx *types.Tx) (types.Receipt, bool, error) {
	start := x.ev.Mark()
	r, free, err := x.applyTxWrites(tx)
	if err == nil {
		r.Version, r.Events = types.ReceiptVersion, x.ev.Since(start)
	}
	x.ev.Truncate(start)
	return r, free, err
}

func (x *blockCtx) applyTxWrites(tx *types.Tx) (types.Receipt, bool, error) {
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

	x.ev.Emit(types.Event{Kind: types.EvFeePaid, Addr: from, Amount: paid})

	rcpt := types.Receipt{TxHash: tx.Hash(), Status: types.ReceiptSuccess, FeePaid: paid, Weight: tx.Call().Weight()}
	snap, mark := st.Snapshot(), x.ev.Mark()
	if err := x.applyCall(from, call); err != nil {
		st.Revert(snap)
		x.ev.Truncate(mark)
		rcpt.Status, rcpt.Error = types.ReceiptFailed, err.Error()
	}
	return rcpt, false, nil
}

// applyCall dispatches call and, when it succeeds, emits its event.
func (x *blockCtx) applyCall(from types.Address, call types.Call) error {
	if err := x.dispatch(from, call); err != nil {
		return err
	}
	x.emitCall(from, call)
	return nil
}

func (x *blockCtx) dispatch(from types.Address, call types.Call) error {
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
	case *types.SwapHotkey:
		// staking checks the sender, the new hotkey and the rate limit and
		// takes the burn; subnet moves the registrations. A failure of
		// either undoes both (applyTx reverts the call's writes).
		if err := x.sk.SwapHotkey(from, call); err != nil {
			return err
		}
		return x.sn.SwapHotkey(call.Old, call.New)

	case *types.ScheduleColdkeySwap:
		return x.sk.ScheduleColdkeySwap(from, call)
	case *types.CancelColdkeySwap:
		return x.sk.CancelColdkeySwap(from)
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
