package chaos

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

func (f *Figures) summary() string {
	return fmt.Sprintf("fault %s, %d blocks and %d txs during it; resumed %s and rejoined %s after the heal; max block gap %s, max height divergence %d; txs accepted %d, committed %d, resent %d, refused %d; evidence %d; chains equal to height %d",
		dur(f.Fault), f.Blocks, f.Txs, dur(f.Resume), dur(f.Rejoin), dur(f.MaxGap), f.MaxDiv,
		f.Accepted, f.Committed, f.Resent, f.Rejected, f.Evidence, f.Height)
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// PrintTable renders the figures of a run, one row per scenario, and the
// notes and errors below.
func PrintTable(w io.Writer, figs []*Figures) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tscenario\tresult\tfault\tblocks\ttxs\tresume\trejoin\tmax gap\tmax div\taccepted\tcommitted\tresent\trefused\tevidence\theight\ttook\t")
	for _, f := range figs {
		res := "ok"
		if f.Err != nil {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n",
			f.ID, f.Name, res, dur(f.Fault), f.Blocks, f.Txs, dur(f.Resume), dur(f.Rejoin), dur(f.MaxGap), f.MaxDiv,
			f.Accepted, f.Committed, f.Resent, f.Rejected, f.Evidence, f.Height, dur(f.Took))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range figs {
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  %d: %s\n", f.ID, n)
		}
		if f.Err != nil {
			fmt.Fprintf(w, "  %d FAILED: %v\n", f.ID, f.Err)
		}
	}
	return nil
}
