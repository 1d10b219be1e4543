package staking

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/state"
)

// The texts of these errors say "chain:", not "staking:": a failed call's
// error text is part of its receipt, and so of the receipts root and the
// block hash. They moved here from package chain unchanged; renaming them
// is a consensus change, for a release that means to make one.

// Failed-call errors of staking.
var (
	ErrUnknownHotkey     = errors.New("chain: unknown hotkey (bind a consensus key or register it on a subnet first)")
	ErrNotOwner          = errors.New("chain: sender does not own this hotkey")
	ErrBelowMinStake     = errors.New("chain: stake below the minimum")
	ErrInsufficientStake = errors.New("chain: amount exceeds stake")
	ErrTakeTooHigh       = errors.New("chain: take above the maximum")
	ErrRateLimited       = errors.New("chain: rate limited")
	ErrKeyReused         = errors.New("chain: consensus key was already bound once and cannot be reused")
	ErrNotJailed         = errors.New("chain: hotkey is not jailed")
	ErrStillJailed       = errors.New("chain: jail period has not ended")
)

// Failed-call errors of the hotkey swap (new in issue 16, so with this
// package's own prefix).
var (
	ErrHotkeyRetired = errors.New("staking: hotkey was retired by a hotkey swap and can never be registered, staked to or bound again")
	ErrHotkeyInUse   = errors.New("staking: the new hotkey is already in use (owned, staked, bound, registered or retired)")
	ErrSwapDisabled  = errors.New("staking: hotkey swaps are not enabled on this chain (staking.hotkey_swap_burn is not set)")
)

// Failed-call errors of the ledger helpers (ledger.go).
var (
	ErrInsufficientBalance = errors.New("chain: amount exceeds balance")
)

// Evidence errors: a block carrying such evidence is invalid.
var (
	ErrBadEvidence       = errors.New("chain: invalid evidence")
	ErrEvidenceTooOld    = errors.New("chain: evidence older than the unbonding period")
	ErrDuplicateEvidence = errors.New("chain: evidence already applied")
)

// ErrMalformedRecord reports a record, under a key of the record's shape,
// whose value does not have the record's shape: corruption, so execution
// stops on it rather than read it as something else.
var ErrMalformedRecord = fmt.Errorf("%w: malformed record", state.ErrCorrupt)
