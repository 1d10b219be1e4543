package modtest

import (
	"errors"
	"fmt"
	"testing"
)

type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

type params struct{ N int }

// TestCheckBoundsFails: a validate that admits too much, refuses too much
// or does not name the key is reported, so module bound tests cannot pass
// on a broken Validate.
func TestCheckBoundsFails(t *testing.T) {
	bound := []Bound[params]{{Key: "n_max", Edge: func(p *params) { p.N = 10 }, Past: func(p *params) { p.N = 11 }}}
	base := func() params { return params{N: 1} }
	for name, c := range map[string]struct {
		validate func(params) error
		want     int
	}{
		"right":         {func(p params) error { return map[bool]error{true: errors.New("n_max must be ≤ 10")}[p.N > 10] }, 0},
		"admits all":    {func(params) error { return nil }, 1},
		"refuses all":   {func(params) error { return errors.New("n_max must be ≤ 10") }, 1},
		"names nothing": {func(p params) error { return map[bool]error{true: errors.New("out of range")}[p.N > 10] }, 1},
	} {
		r := &recorder{TB: t}
		CheckBounds(r, base, c.validate, bound)
		if len(r.errs) != c.want {
			t.Errorf("%s: %d errors %v, want %d", name, len(r.errs), r.errs, c.want)
		}
	}
}
