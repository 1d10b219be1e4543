package staking

import (
	"fmt"
	"math/bits"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// The ledger helpers move TAO between balances and issuance for every module
// (staking, subnet, gov): staking is the bottom of the module stack, so the
// others reach them without a cycle.

// Debit takes amount rao from an account's balance for what (named in the
// error), or fails with ErrInsufficientBalance and writes nothing.
func Debit(st *state.State, from types.Address, amount uint64, what string) error {
	acc := st.Account(from)
	if acc.Balance < amount {
		return fmt.Errorf("%w: %s costs %s TAO, balance %s TAO", ErrInsufficientBalance, what, types.FormatTAO(amount), types.FormatTAO(acc.Balance))
	}
	acc.Balance -= amount
	st.SetAccount(from, acc)
	return nil
}

// Credit adds amount rao to an account's balance (callers credit what they
// debited or what was minted: the supply cap bounds every balance).
func Credit(st *state.State, to types.Address, amount uint64) {
	acc := st.Account(to)
	acc.Balance += amount
	st.SetAccount(to, acc)
}

// Recycle takes amount rao out of total issuance (fees, burns, slashes), so
// it is minted again later. Recycling more than was issued breaks an
// invariant and is reported as such.
func Recycle(st *state.State, amount uint64) error {
	is, err := emission.Recycle(st.Issuance(), amount)
	if err != nil {
		return fmt.Errorf("chain: invariant broken: %w", err)
	}
	st.SetIssuance(is)
	return nil
}

// MulDiv is a·b/c, floored, with a 128-bit product. Callers ensure the
// quotient fits (b ≤ c).
func MulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}
