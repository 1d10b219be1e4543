package types

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// RaoPerTAO is the number of rao in one TAO. Amounts are uint64 rao everywhere.
const RaoPerTAO uint64 = 1_000_000_000

// ErrBadAmount reports an amount string that is not a valid TAO quantity.
var ErrBadAmount = errors.New("types: bad amount")

// ParseTAO parses a decimal TAO amount ("1.5", "0.000000001", "21000000")
// into rao without floating point. More than nine decimals is an error,
// since rao is the smallest unit.
func ParseTAO(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrBadAmount)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("%w: %q has more than 9 decimals (1 rao = 0.000000001 TAO)", ErrBadAmount, s)
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%w: %q is not a decimal number", ErrBadAmount, s)
			}
		}
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrBadAmount, s, err)
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	hi, lo := bits.Mul64(w, RaoPerTAO)
	sum, carry := bits.Add64(lo, f, 0)
	if hi != 0 || carry != 0 {
		return 0, fmt.Errorf("%w: %q overflows", ErrBadAmount, s)
	}
	return sum, nil
}

// FormatTAO renders rao as a decimal TAO string with trailing zeros trimmed.
func FormatTAO(rao uint64) string {
	whole, frac := rao/RaoPerTAO, rao%RaoPerTAO
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	return strconv.FormatUint(whole, 10) + "." + strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
}
