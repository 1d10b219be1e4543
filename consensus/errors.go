package consensus

import "errors"

// Errors returned by Step for messages a peer should not have sent; the driver
// may lower the sending peer's score. Messages that are merely late, early or
// duplicated are dropped without an error.
var (
	ErrBadMessage       = errors.New("consensus: malformed message")
	ErrBadSignature     = errors.New("consensus: bad signature")
	ErrUnknownValidator = errors.New("consensus: signer is not in the validator set")
	ErrNotProposer      = errors.New("consensus: proposal is not from the round's proposer")
	ErrBadCommit        = errors.New("consensus: commit does not carry > 2/3 of the voting power")
)

// Errors from misuse of the engine.
var (
	ErrNotStarted          = errors.New("consensus: no height started; call NewHeight first")
	ErrHeightNotIncreasing = errors.New("consensus: NewHeight must move to a greater height")
	ErrBadValidatorSet     = errors.New("consensus: invalid validator set")
	ErrBadConfig           = errors.New("consensus: invalid config")
	ErrForeignRecord       = errors.New("consensus: WAL record was not signed by this engine's key")
	ErrUnknownMsg          = errors.New("consensus: unknown message type")
)
