package chain

// Events of transactions: the events a successful call reports that its
// module does not emit itself (the call names everything they say). The
// modules emit the rest (registrations, subnets created and pruned,
// epochs, unbonding, slashes, coldkey swaps scheduled and executing,
// burns paid, proposals submitted, cancelled and tallied) through
// the block's types.EventLog. applyTx moves a tx's events into its receipt
// and drops those of a call that failed with the call's writes.

import (
	"strconv"

	"github.com/taonet/taod/types"
)

func (x *blockCtx) emitCall(from types.Address, call types.Call) {
	e := types.Event{Addr: from}
	switch c := call.(type) {
	case *types.Transfer:
		e.Kind, e.Peer, e.Amount = types.EvTransfer, c.To, c.Amount
	case *types.AddStake:
		e.Kind, e.Peer, e.Amount = types.EvStakeAdded, c.Hotkey, c.Amount
	case *types.RemoveStake:
		if c.Amount == 0 {
			return // the whole amount paid the fee: nothing unbonds
		}
		e.Kind, e.Peer, e.Amount, e.Ref = types.EvStakeRemoved, c.Hotkey, c.Amount, x.height+x.p.Staking.UnbondingPeriod
	case *types.SetTake:
		e.Kind, e.Addr, e.Peer, e.Amount = types.EvTakeSet, c.Hotkey, from, uint64(c.Take)
	case *types.Unjail:
		e.Kind, e.Addr, e.Peer = types.EvUnjail, c.Hotkey, from
	case *types.SetWeights:
		e.Kind, e.Netuid = types.EvWeightsSet, uint64(c.Netuid)
	case *types.CommitWeights:
		e.Kind, e.Netuid = types.EvWeightsCommitted, uint64(c.Netuid)
	case *types.RevealWeights:
		e.Kind, e.Netuid = types.EvWeightsRevealed, uint64(c.Netuid)
	case *types.SetRootWeights:
		e.Kind = types.EvWeightsSet // the root network, netuid 0
	case *types.SetHyperparam:
		e.Kind, e.Netuid, e.Data = types.EvParamChanged, uint64(c.Netuid), []byte(c.Name+"="+strconv.FormatUint(c.Value, 10))
	case *types.GovVote:
		e.Kind, e.Ref, e.UID = types.EvVoted, c.ProposalID, uint64(c.Option)
	case *types.SwapHotkey:
		e.Kind, e.Addr, e.Peer, e.Amount = types.EvHotkeySwapped, c.Old, c.New, x.p.Staking.HotkeySwapBurn
	case *types.CancelColdkeySwap:
		e.Kind = types.EvColdkeySwapCancelled
	default:
		return // emitted by the module (registrations, subnets, swaps scheduled, proposals) or no event (axon, consensus key)
	}
	x.ev.Emit(e)
}
