package demo

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Snapshot is the subnet as read at one height: its summary and metagraph,
// both from the same head (see readSnapshot).
type Snapshot struct {
	Height  uint64
	Subnet  rpc.SubnetJSON
	Neurons []rpc.NeuronJSON
}

// frac parses one of the RPC's decimal fractions ("0.250000000"); junk
// reads as 0, which the view shows rather than hides.
func frac(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return v
}

// raoOf parses a rao amount ("1000000000"); junk reads as 0.
func raoOf(s string) uint64 {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// ANSI sequences: clear the screen and home the cursor; bold; reset.
const (
	ansiClear = "\x1b[H\x1b[2J"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// Render writes the metagraph as a table, one row per UID, with each
// neuron's name from names (by hotkey). With clear set it first clears the
// terminal, so successive renders redraw in place.
func Render(w io.Writer, s Snapshot, names map[types.Address]string, clear bool) {
	var b strings.Builder
	if clear {
		b.WriteString(ansiClear)
	}
	fmt.Fprintf(&b, "%staod demo%s  subnet %d %q  block %d  last epoch %d (tempo %d)  paid %s TAO\n\n",
		ansiBold, ansiReset, s.Subnet.Netuid, s.Subnet.Name, s.Height, s.Subnet.LastEpoch, s.Subnet.Tempo,
		types.FormatTAO(raoOf(s.Subnet.LastEmission)))
	fmt.Fprintf(&b, "%3s  %-16s %12s %9s %9s %7s %7s %12s %3s  %s\n",
		"UID", "NEURON", "STAKE TAO", "INCENTIVE", "DIVIDENDS", "TRUST", "VTRUST", "EMIT TAO", "VP", "INCENTIVE")
	for _, n := range s.Neurons {
		name := names[n.Hotkey]
		if name == "" {
			name = n.Hotkey.Hex()[:10]
		}
		vp := ""
		if n.Permit {
			vp = "*"
		}
		inc := frac(n.Incentive)
		fmt.Fprintf(&b, "%3d  %-16s %12s %9.4f %9.4f %7.4f %7.4f %12s %3s  %s\n",
			n.UID, name, types.FormatTAO(raoOf(n.Stake)), inc, frac(n.Dividends), frac(n.Trust),
			frac(n.ValidatorTrust), types.FormatTAO(raoOf(n.Emission)), vp, bar(inc, 30))
	}
	_, _ = io.WriteString(w, b.String())
}

// bar draws v in [0, 1] as up to width '#'.
func bar(v float64, width int) string {
	n := int(v*float64(width) + 0.5)
	n = max(0, min(width, n))
	return strings.Repeat("#", n)
}
