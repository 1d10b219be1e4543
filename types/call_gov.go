package types

import (
	"errors"
	"fmt"
)

// Proposal kinds.
const (
	ProposalParamChange uint8 = 1 // change protocol parameters
	ProposalUpgrade     uint8 = 2 // halt at a height for a software upgrade
	ProposalText        uint8 = 3 // signalling only
	ProposalColdkeySwap uint8 = 4 // resolve a disputed coldkey swap
)

// Vote options.
const (
	VoteYes     uint8 = 1
	VoteNo      uint8 = 2
	VoteAbstain uint8 = 3
	VoteVeto    uint8 = 4
)

// Governance call weights. Propose snapshots the stake, so it costs more.
const (
	ProposeWeight uint64 = 1_000_000
	VoteWeight    uint64 = 30_000
	CancelWeight  uint64 = 30_000

	MaxTitleLen       = 128
	MaxDescriptionLen = 4096
	MaxParamChanges   = 32
)

var (
	ErrBadProposal   = errors.New("types: malformed proposal")
	ErrBadVoteOption = errors.New("types: vote option must be yes (1), no (2), abstain (3) or veto (4)")
)

// ParamChange sets one protocol parameter, by its dotted JSON path (e.g.
// "staking.unbonding_period", "subnets.defaults.tempo"), to a decimal value.
type ParamChange struct {
	Key   string
	Value string
}

// Propose submits a governance proposal with a deposit (rao).
type Propose struct {
	ProposalKind  uint8
	Title         string
	Description   string
	Changes       []ParamChange // ProposalParamChange
	UpgradeName   string        // ProposalUpgrade
	UpgradeHeight uint64        // ProposalUpgrade: nodes without the upgrade halt before this height
	Deposit       uint64
	// ProposalColdkeySwap: the disputed swap of SwapColdkey goes to SwapTo,
	// one of its announced destinations, or is cancelled (SwapTo zero).
	// Optional so that the proposals of other kinds encode as before.
	SwapColdkey Address `rlp:"optional"`
	SwapTo      Address `rlp:"optional"`
}

func (*Propose) Kind() CallKind { return CallPropose }

func (*Propose) Weight() uint64 { return ProposeWeight }
func (c *Propose) Validate() error {
	switch {
	case c.Title == "" || len(c.Title) > MaxTitleLen:
		return fmt.Errorf("%w: title must be 1-%d bytes", ErrBadProposal, MaxTitleLen)
	case len(c.Description) > MaxDescriptionLen:
		return fmt.Errorf("%w: description longer than %d bytes", ErrBadProposal, MaxDescriptionLen)
	}
	switch c.ProposalKind {
	case ProposalParamChange:
		if len(c.Changes) == 0 || len(c.Changes) > MaxParamChanges {
			return fmt.Errorf("%w: a parameter change needs 1-%d changes", ErrBadProposal, MaxParamChanges)
		}
	case ProposalUpgrade:
		if c.UpgradeName == "" || len(c.UpgradeName) > MaxNameLen || c.UpgradeHeight == 0 {
			return fmt.Errorf("%w: an upgrade needs a name (1-%d bytes) and a halt height", ErrBadProposal, MaxNameLen)
		}
	case ProposalText:
	case ProposalColdkeySwap:
		if c.SwapColdkey == (Address{}) {
			return fmt.Errorf("%w: a coldkey-swap resolution names the disputed coldkey", ErrBadProposal)
		}
	default:
		return fmt.Errorf("%w: kind %d (1 parameter change, 2 upgrade, 3 text, 4 coldkey swap)", ErrBadProposal, c.ProposalKind)
	}
	if c.ProposalKind != ProposalColdkeySwap && (c.SwapColdkey != Address{} || c.SwapTo != Address{}) {
		return fmt.Errorf("%w: payload does not match the kind", ErrBadProposal)
	}
	if c.ProposalKind != ProposalParamChange && len(c.Changes) != 0 || c.ProposalKind != ProposalUpgrade && (c.UpgradeName != "" || c.UpgradeHeight != 0) {
		return fmt.Errorf("%w: payload does not match the kind", ErrBadProposal)
	}
	return nil
}

// GovVote votes on a proposal. A coldkey's vote covers its own stake and,
// for hotkeys it owns, the stake of nominators who do not vote themselves.
type GovVote struct {
	ProposalID uint64
	Option     uint8
}

func (*GovVote) Kind() CallKind { return CallVote }
func (*GovVote) Weight() uint64 { return VoteWeight }
func (c *GovVote) Validate() error {
	if c.Option < VoteYes || c.Option > VoteVeto {
		return ErrBadVoteOption
	}
	return nil
}

// CancelProposal withdraws a proposal before its voting ends; sent by the proposer.
type CancelProposal struct {
	ProposalID uint64
}

func (*CancelProposal) Kind() CallKind  { return CallCancelProposal }
func (*CancelProposal) Weight() uint64  { return CancelWeight }
func (*CancelProposal) Validate() error { return nil }
