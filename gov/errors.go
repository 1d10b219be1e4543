package gov

import "errors"

// The texts of these errors still say "chain:", as before the module
// split: a failed call's error text is part of its receipt, and so of the
// block hash (see staking/errors.go).

// Governance errors (failed calls).
var (
	ErrDepositTooLow    = errors.New("chain: deposit below the minimum")
	ErrUnknownProposal  = errors.New("chain: unknown proposal")
	ErrVotingClosed     = errors.New("chain: proposal is not in its voting period")
	ErrNotProposer      = errors.New("chain: only the proposer may cancel")
	ErrUpgradeTooSoon   = errors.New("chain: upgrade height must be after the voting period ends")
	ErrTooManyProposals = errors.New("chain: too many proposals end at that height")
	// ErrUpgradeRequired stops block production at a scheduled upgrade this
	// binary does not implement.
	ErrUpgradeRequired = errors.New("chain: software upgrade required")
)
