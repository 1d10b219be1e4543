package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
)

// newSwapColdkeyCmd is `taod keys swap-coldkey schedule|cancel|status`.
func newSwapColdkeyCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "swap-coldkey",
		Short: "Move everything a coldkey holds to a new coldkey, after a delay (for a leaked key)",
		Long: `swap-coldkey schedules the move of a coldkey's balance, stake positions, unbonding,
hotkeys and subnets to a new coldkey. The move runs coldkey_swap_delay blocks after the
schedule and burns coldkey_swap_cost. Until then the old key may cancel. A second schedule
from the same key (someone else holds it too) puts the swap in dispute: the old key can sign
nothing, and nothing moves until a governance proposal (taod gov propose --kind coldkey-swap)
sends it to one of the announced keys or cancels it, or until twice the delay passes with no
such proposal in its vote.`,
	}
	addSendFlags(cmd, &o)
	schedule := &cobra.Command{
		Use:   "schedule --from OLD_COLDKEY NEW_COLDKEY_ADDRESS",
		Short: "Announce the swap to NEW_COLDKEY_ADDRESS (signed by the old coldkey)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := parseAddressArg(args[0])
			if err != nil {
				return fmt.Errorf("new coldkey: %w", err)
			}
			// The chain refuses it too, but only after charging the fee.
			if o.from != "" {
				if from, err := coldkeyArg(nil, o.dir, o.from, ""); err == nil && from == to {
					return fmt.Errorf("new coldkey %s is --from itself: a coldkey cannot swap to itself", to.Hex())
				}
			}
			return sendCall(cmd, o, client.ScheduleColdkeySwap(to))
		},
	}
	cancel := &cobra.Command{
		Use:   "cancel --from OLD_COLDKEY",
		Short: "Cancel the old coldkey's scheduled (not disputed) swap; the cost is not refunded",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return sendCall(cmd, o, client.CancelColdkeySwap())
		},
	}
	var all bool
	status := &cobra.Command{
		Use:   "status [COLDKEY_ADDRESS] | --all",
		Short: "Show a coldkey's swap (default: --from's), or with --all the pending swaps",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all {
				var list []*rpc.ColdkeySwapJSON
				err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
					list, err = c.ColdkeySwaps(ctx, rpc.MaxColdkeySwaps)
					return err
				})
				if err != nil {
					return err
				}
				if o.asJSON {
					return printJSON(cmd.OutOrStdout(), list)
				}
				for _, s := range list {
					printColdkeySwap(cmd, s)
				}
				if len(list) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "no pending coldkey swaps")
				}
				return nil
			}
			addr, err := coldkeyArg(args, o.dir, o.from, "give a coldkey address, --from or --all")
			if err != nil {
				return err
			}
			var s *rpc.ColdkeySwapJSON
			err = withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				s, err = c.ColdkeySwap(ctx, addr)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			if s == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "coldkey %s has no coldkey swap\n", addr.Hex())
				return nil
			}
			printColdkeySwap(cmd, s)
			return nil
		},
	}
	status.Flags().BoolVar(&all, "all", false, "list the pending swaps, the soonest due first")
	cmd.AddCommand(schedule, cancel, status)
	return cmd
}

func printColdkeySwap(cmd *cobra.Command, s *rpc.ColdkeySwapJSON) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "coldkey   %s\nstatus    %s\nto        %s\n", s.Coldkey.Hex(), s.Status, s.NewColdkey.Hex())
	if s.Disputed != nil {
		fmt.Fprintf(w, "or        %s (disputed: governance decides)\n", s.Disputed.Hex())
	}
	what := map[string]string{"scheduled": "moves at block", "disputed": "lapses at block", "cancelled": "a new schedule disputes until block", "executing": "moving since block"}[s.Status]
	fmt.Fprintf(w, "scheduled block %d; %s %d\nfrozen    %v\n\n", s.ScheduledAt, what, s.DueAt, s.Frozen)
}
