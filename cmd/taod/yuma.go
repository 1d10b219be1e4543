package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/subnet/yuma"
	"github.com/taonet/taod/types"
)

func newYumaCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "yuma",
		Short: "Run the Yuma consensus epoch offline, on stake and weights you supply",
		Long: `The Yuma consensus epoch is what every subnet runs each tempo: from stake and
weights it computes consensus, trust, incentive, bonds, dividends and each UID's
emission. These commands run the chain's own engine (subnet/yuma) on a file, with no
node, to explore or check a subnet's economics. See docs/yuma-simulate.md.`,
	}
	cmd.AddCommand(newYumaSimulateCmd())
	return cmd
}

func newYumaSimulateCmd() *cobra.Command {
	var (
		input  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "simulate --input FILE",
		Short: "Run one Yuma epoch on a JSON input and print every UID's result",
		Long: `Run one Yuma epoch (subtensor's, classic bonds, in the chain's fixed-point
arithmetic) on the subnet described by a JSON file, and print per UID: stake S,
ranks R, trust T, consensus C, incentive I, dividends D, validator trust VT, the
validator permit, whether it is active, its incentive and dividend emission, and
its new bonds. With --json, print one JSON object instead.

Input (one JSON object; rao amounts and blocks are integers):

  {"stake": [rao, …],                  stake of each UID (n entries)
   "weights": [[u16, …], …],           n rows of n weights, row = the UID that set
                                       them ([] or null: sets none)
   "last_update": [block, …],          when each UID last set weights
   "block_at_registration": [block, …],
   "current_block": block,
   "emission": rao,                    what this epoch distributes
   "validator_permits": [bool, …],     optional: default top max_validators by stake
   "prev_bonds": [[u16, …], …],        optional: the bonds of the previous epoch
   "params": {"kappa": 32767,          optional, each with these defaults: kappa
              "bonds_moving_average": 900000,    as u16/65535, moving average in
              "activity_cutoff": 5000,           millionths, cutoff and tempo in
              "max_validators": 64, "tempo": 360}}   blocks

Output JSON keys: consensus, ranks, trust, incentive, dividends, validator_trust
(decimals in [0, 1]), validator_permits, active, bonds (u16 rows),
incentive_emission, dividend_emission (rao per UID) and dust (rao left over by
rounding down). A malformed input is refused with the field at fault, as in
"weights[2][7]: 70000 is above 65535".

The full description, with the algorithm and an example, is docs/yuma-simulate.md;
docs/examples/yuma-input.json is a file to start from.`,
		Example: `  taod yuma simulate --input docs/examples/yuma-input.json
  taod yuma simulate --input subnet.json --json | jq .dividend_emission
  cat subnet.json | taod yuma simulate --input -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, name, err := readYumaInput(cmd.InOrStdin(), input)
			if err != nil {
				return err
			}
			in, err := yuma.ParseInput(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			out, err := yuma.Epoch(in)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(out)
			}
			return printYumaTable(cmd.OutOrStdout(), in, out)
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "the input JSON file, or - for standard input (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (the reference vectors' \"expected\" shape) instead of a table")
	_ = cmd.MarkFlagRequired("input")
	return cmd
}

// readYumaInput reads the input file, or standard input for "-", and
// returns its bytes and a name for error messages.
func readYumaInput(stdin io.Reader, path string) ([]byte, string, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, "", fmt.Errorf("read standard input: %w", err)
		}
		return data, "standard input", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read input: %w", err)
	}
	return data, path, nil
}

// yumaBondsShown is how many bonds a table row lists before summarizing.
const yumaBondsShown = 6

// printYumaTable prints the epoch as a table: a summary line, one row per
// UID, and the totals paid.
func printYumaTable(w io.Writer, in yuma.Input, out yuma.Output) error {
	p := in.Params
	n := len(in.Stake)
	var permits, active int
	for i := range n {
		if out.ValidatorPermits[i] {
			permits++
		}
		if out.Active[i] {
			active++
		}
	}
	fmt.Fprintf(w, "%d UIDs at block %d, %d active, %d validator permits; emission %s TAO\n",
		n, in.CurrentBlock, active, permits, types.FormatTAO(in.Emission))
	fmt.Fprintf(w, "kappa %d/65535, bonds moving average %d/1000000, activity cutoff %d, max validators %d, tempo %d\n\n",
		p.Kappa, p.BondsMovingAverage, p.ActivityCutoff, p.MaxValidators, p.Tempo)

	// Numbers align right; the bonds, the last (unaligned) cell, follow.
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "UID\tS (TAO)\tR\tT\tC\tI\tD\tVT\tpermit\tactive\tE incentive (TAO)\tE dividend (TAO)\t  bonds (UID:u16)")
	var paidInc, paidDiv uint64
	for i := range n {
		paidInc += out.IncentiveEmission[i]
		paidDiv += out.DividendEmission[i]
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t  %s\n",
			i, types.FormatTAO(in.Stake[i]),
			out.Ranks[i].Decimal(6), out.Trust[i].Decimal(6), out.Consensus[i].Decimal(6),
			out.Incentive[i].Decimal(6), out.Dividends[i].Decimal(6), out.ValidatorTrust[i].Decimal(6),
			yumaYesNo(out.ValidatorPermits[i]), yumaYesNo(out.Active[i]),
			types.FormatTAO(out.IncentiveEmission[i]), types.FormatTAO(out.DividendEmission[i]),
			yumaBondsCell(out.Bonds[i]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\npaid %s TAO to miners (incentive) and %s TAO to validators (dividends); dust %d rao\n",
		types.FormatTAO(paidInc), types.FormatTAO(paidDiv), out.Dust)
	return err
}

func yumaYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// yumaBondsCell lists a row's nonzero bonds as "uid:value", the first
// yumaBondsShown of them, or "-" for none.
func yumaBondsCell(row []uint16) string {
	var parts []string
	var more int
	for j, b := range row {
		if b == 0 {
			continue
		}
		if len(parts) == yumaBondsShown {
			more++
			continue
		}
		parts = append(parts, strconv.Itoa(j)+":"+strconv.Itoa(int(b)))
	}
	if len(parts) == 0 {
		return "-"
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("(+%d more)", more))
	}
	return strings.Join(parts, " ")
}
