package modtest

import (
	"strings"
	"testing"
)

// Bound is one bound of a module's parameters: Edge sets a value the bound
// still admits, Past one step beyond it.
type Bound[P any] struct {
	Key        string // the parameter's key, which the refusal must name
	Edge, Past func(*P)
}

// CheckBounds runs each bound on a fresh base(): at its edge validate must
// accept it; one step past, refuse it with an error naming the key (a
// refused governance change carries that text in its receipt).
func CheckBounds[P any](t testing.TB, base func() P, validate func(P) error, bounds []Bound[P]) {
	t.Helper()
	for _, b := range bounds {
		p := base()
		b.Edge(&p)
		if err := validate(p); err != nil {
			t.Errorf("%s at its bound refused: %v", b.Key, err)
		}
		p = base()
		b.Past(&p)
		if err := validate(p); err == nil || !strings.Contains(err.Error(), b.Key) {
			t.Errorf("%s past its bound: %v, want an error naming it", b.Key, err)
		}
	}
}
