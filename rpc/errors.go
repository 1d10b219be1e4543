package rpc

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/types"
)

// JSON-RPC error codes taod uses beyond the standard ones.
const (
	CodeInvalidParams = -32602
	CodeServer        = -32000
	CodeTxRejected    = -32010 // the tx is invalid or the pool refused it
	CodeTxBusy        = -32011 // the pool's backlog is over its admission bound: retry later
	CodeNotFound      = -32001
	CodeLimit         = -32005
)

// Error is a JSON-RPC error with a code; go-ethereum's rpc sends ErrorCode().
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string  { return e.Msg }
func (e *Error) ErrorCode() int { return e.Code }

func invalidParams(format string, args ...any) error {
	return &Error{CodeInvalidParams, fmt.Sprintf(format, args...)}
}

// txRejected explains why a transaction was not accepted. A Backend that
// refuses for load rather than for the tx (the txpool's admission bound)
// returns an *Error with CodeTxBusy itself, which passes through unchanged.
func txRejected(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e // the *Error itself: go-ethereum's rpc reads the code off the returned value
	}
	msg := err.Error()
	switch {
	case errors.Is(err, types.ErrBadSignature), errors.Is(err, types.ErrHighS):
		msg = "invalid transaction: bad signature: " + msg
	case errors.Is(err, chain.ErrWrongChain), errors.Is(err, chain.ErrNonceTooLow), errors.Is(err, chain.ErrFeeTooLow):
		msg = "invalid transaction: " + msg
	}
	return &Error{CodeTxRejected, msg}
}
