package subnet

import "errors"

// Failed-call errors of the subnet module. Their texts still say "chain:",
// as before the module split: a failed call's error text is part of its
// receipt, and so of the block hash (see staking/errors.go).
var (
	ErrUnknownSubnet      = errors.New("chain: unknown subnet")
	ErrSubnetLimit        = errors.New("chain: subnet limit reached and every subnet is immune")
	ErrRegistrationClosed = errors.New("chain: this registration kind is closed on the subnet")
	ErrTooManyRegs        = errors.New("chain: registrations per block exceeded on the subnet")
	ErrAlreadyRegistered  = errors.New("chain: hotkey already registered on the subnet")
	ErrNotRegistered      = errors.New("chain: hotkey is not registered on the subnet")
	ErrBadWork            = errors.New("chain: proof of work does not meet the subnet difficulty")
	ErrStaleWork          = errors.New("chain: proof of work is for a block outside the allowed window")
	ErrNoPermit           = errors.New("chain: hotkey holds no validator permit on the subnet")
	ErrWeightsVersion     = errors.New("chain: weights version key below the subnet's weights_version")
	ErrCommitReveal       = errors.New("chain: the subnet uses commit-reveal: commit, then reveal your weights")
	ErrNoCommitReveal     = errors.New("chain: the subnet does not use commit-reveal")
	ErrNoWeightsCommit    = errors.New("chain: no pending weights commit")
	ErrRevealEarly        = errors.New("chain: reveal before reveal_delay blocks have passed")
	ErrRevealLate         = errors.New("chain: reveal window has closed")
	ErrRevealMismatch     = errors.New("chain: revealed weights do not match the commit")
	ErrNotSubnetOwner     = errors.New("chain: sender does not own the subnet")
	ErrNotRootMember      = errors.New("chain: hotkey is not a root network member")
	ErrRootFull           = errors.New("chain: root network is full and the hotkey's stake is not above the smallest member's")
)

// ErrSwapTargetRegistered reports a hotkey swap to a hotkey registered on a
// subnet or the root network (new in issue 16: its own prefix).
var ErrSwapTargetRegistered = errors.New("subnet: the new hotkey is already registered")
