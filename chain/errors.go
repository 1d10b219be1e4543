package chain

import "errors"

// Invalid-transaction errors: a block with such a tx is invalid and the txpool refuses it.
var (
	ErrWrongChain     = errors.New("chain: wrong chain ID")
	ErrNonceTooLow    = errors.New("chain: nonce too low")
	ErrNonceTooHigh   = errors.New("chain: nonce too high")
	ErrFeeTooLow      = errors.New("chain: fee below base fee × (weight + length fee)")
	ErrCannotPayFee   = errors.New("chain: balance cannot pay fee + tip")
	ErrFeeOverflow    = errors.New("chain: fee + tip overflows")
	ErrBlockTooHeavy  = errors.New("chain: block exceeds the weight limit")
	ErrBlockTooLarge  = errors.New("chain: block exceeds the byte limit (max_block_bytes)")
	ErrFreeShare      = errors.New("chain: fee-free calls exceed their share of the block (max_free_percent)")
	ErrInvalidBlock   = errors.New("chain: invalid block")
	ErrGenesisMissing = errors.New("chain: store holds no genesis block")
	ErrWrongGenesis   = errors.New("chain: store was created from a different genesis")
)

// Failed-call errors: the tx is included, pays its fee, and its receipt says why.
var (
	ErrInsufficientBalance = errors.New("chain: amount exceeds balance")
	ErrBalanceOverflow     = errors.New("chain: recipient balance overflows")
)
