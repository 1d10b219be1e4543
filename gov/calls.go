package gov

import (
	"fmt"

	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// Propose submits a proposal: the deposit is debited, a parameter change
// is checked by the Registry, and the voting ends VotingPeriod blocks on
// (at most MaxProposalsPerEnd end at one height).
func (x *Block) Propose(from types.Address, c *types.Propose) error {
	g := x.Params
	if c.Deposit < g.MinDeposit {
		return fmt.Errorf("%w: %s TAO, minimum %s TAO", ErrDepositTooLow, types.FormatTAO(c.Deposit), types.FormatTAO(g.MinDeposit))
	}
	end := x.Height + g.VotingPeriod
	switch c.ProposalKind {
	case types.ProposalParamChange:
		if err := x.Registry.CheckChanges(c.Changes); err != nil {
			return err
		}
	case types.ProposalUpgrade:
		if c.UpgradeHeight <= end+1 {
			return fmt.Errorf("%w: height %d, voting ends at %d", ErrUpgradeTooSoon, c.UpgradeHeight, end)
		}
	case types.ProposalColdkeySwap:
		if err := staking.CheckSwapResolution(x.State, c.SwapColdkey, c.SwapTo); err != nil {
			return err
		}
	}
	ending := getU64(x.State, endCountKey(end))
	if ending >= MaxProposalsPerEnd {
		return fmt.Errorf("%w: %d already end at block %d; submit in a later block", ErrTooManyProposals, ending, end)
	}
	if err := staking.Debit(x.State, from, c.Deposit, "the deposit"); err != nil {
		return err
	}
	id := getU64(x.State, keyNextProposal) + 1
	setU64(x.State, keyNextProposal, id)
	if c.ProposalKind == types.ProposalColdkeySwap {
		// The dispute must not lapse while its resolution is voted on.
		if err := staking.ExtendSwapDispute(x.State, c.SwapColdkey, end); err != nil {
			return err
		}
	}
	pr := Proposal{
		ID: id, Proposer: from, Kind: c.ProposalKind, Title: c.Title, Description: c.Description,
		Changes: c.Changes, UpgradeName: c.UpgradeName, UpgradeHeight: c.UpgradeHeight,
		Deposit: c.Deposit, SubmitHeight: x.Height, VotingEnd: end, Status: StatusVoting,
		SwapColdkey: c.SwapColdkey, SwapTo: c.SwapTo,
	}
	// No snapshot: the tally reads stake as it stands when the voting ends
	// (EndBlock), so a proposal costs the same few writes however many
	// stake positions exist.
	setProposal(x.State, pr)
	x.State.Set(endQueueKey(end, id), marker)
	setU64(x.State, endCountKey(end), ending+1)
	x.Events.Emit(types.Event{Kind: types.EvProposalSubmitted, Addr: from, Amount: pr.Deposit, Ref: pr.ID})
	return nil
}

// Vote records from's option on a proposal in its voting period; a later
// vote replaces an earlier one.
func (x *Block) Vote(from types.Address, c *types.GovVote) error {
	pr, ok := GetProposal(x.State, c.ProposalID)
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownProposal, c.ProposalID)
	}
	if pr.Status != StatusVoting {
		return fmt.Errorf("%w: proposal %d is %s", ErrVotingClosed, pr.ID, StatusName(pr.Status))
	}
	x.State.Set(govKey('v', pr.ID, from[:]), []byte{c.Option})
	return nil
}

// CancelProposal withdraws a proposal in its voting period: only its
// proposer may, and CancelBurnPPM of the deposit is recycled.
func (x *Block) CancelProposal(from types.Address, c *types.CancelProposal) error {
	pr, ok := GetProposal(x.State, c.ProposalID)
	switch {
	case !ok:
		return fmt.Errorf("%w: %d", ErrUnknownProposal, c.ProposalID)
	case pr.Proposer != from:
		return ErrNotProposer
	case pr.Status != StatusVoting:
		return fmt.Errorf("%w: proposal %d is %s", ErrVotingClosed, pr.ID, StatusName(pr.Status))
	}
	burn := staking.MulDiv(pr.Deposit, CancelBurnPPM, types.PPM)
	if err := staking.Recycle(x.State, burn); err != nil {
		return err
	}
	staking.Credit(x.State, pr.Proposer, pr.Deposit-burn)
	x.Events.Emit(types.Event{Kind: types.EvProposalCancelled, Addr: from, Amount: pr.Deposit - burn, Ref: pr.ID})
	pr.Status, pr.Reason = StatusCancelled, fmt.Sprintf("cancelled by the proposer (%s TAO of the deposit recycled)", types.FormatTAO(burn))
	setProposal(x.State, pr)
	x.State.Set(endQueueKey(pr.VotingEnd, pr.ID), nil)
	if n := getU64(x.State, endCountKey(pr.VotingEnd)); n > 0 {
		setU64(x.State, endCountKey(pr.VotingEnd), n-1)
	}
	return nil
}
