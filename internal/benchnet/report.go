package main

import (
	"fmt"
	"io"
	"time"
)

func ms(d time.Duration) string { return fmt.Sprintf("%d", d.Milliseconds()) }

// line prints one step's figures as it ends.
func (r result) line(w io.Writer) {
	fmt.Fprintf(w, "%-8s offered %5.0f/s admitted %5.0f/s refused %6d (busy %d) committed %5.0f/s p50 %s ms p99 %s ms",
		r.label, float64(r.offered)/r.dur.Seconds(), float64(r.admitted)/r.dur.Seconds(), r.refused, r.busy, r.committed, ms(r.p50), ms(r.p99))
	if r.final < r.admitted {
		fmt.Fprintf(w, " (%d admitted not final after %s)", r.admitted-r.final, drainTimeout)
	}
	fmt.Fprintln(w)
}

func avg(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// table prints the curve: one row per step.
func table(w io.Writer, sat float64, rs []result) {
	fmt.Fprintf(w, "\nsaturation: %.0f committed tx/s\n\n", sat)
	fmt.Fprintf(w, "%-8s %8s %8s %8s %8s %9s %7s %7s %9s %9s %8s %9s\n",
		"step", "target/s", "offered/s", "admit/s", "refused", "commit/s", "p50 ms", "p99 ms", "CPU/1k", "gen cores", "RSS MB", "round0 %")
	for _, r := range rs {
		s := r.dur.Seconds()
		r0 := 0.0
		if r.heights > 0 {
			r0 = 100 * float64(r.round0) / float64(r.heights)
		}
		fmt.Fprintf(w, "%-8s %8d %8.0f %8.0f %8d %9.0f %7s %7s %9.2f %9.2f %8.0f %9.1f\n",
			r.label, r.target, float64(r.offered)/s, float64(r.admitted)/s, r.refused, r.committed, ms(r.p50), ms(r.p99), avg(r.cpuPer1k), r.genCores, maxOf(r.peakRSS), r0)
	}
	fmt.Fprintln(w, "CPU/1k: CPU seconds (utime+stime) per 1,000 committed txs per node, averaged over nodes = cores per 1,000 tx/s; gen cores: the load generator's own CPU over the step (it shares the machine); RSS MB: highest node peak in the step")
}
