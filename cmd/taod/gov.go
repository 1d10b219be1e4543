package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

func newGovCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "gov",
		Short: "Governance: propose parameter changes, upgrades and text; vote; list proposals",
		Long: `gov drives TAO-stake-weighted governance. Voting power is stake as it stands when the
voting ends; a nominator's stake votes with its validator's owner unless the nominator votes
itself. Monetary policy (21M cap, halving schedule, 50/50 split) is out of governance's reach.
Parameter keys are dotted paths of 'taod gov params', e.g. staking.unbonding_period.`,
	}
	addSendFlags(cmd, &o)
	var (
		kind, title, desc, upgradeName string
		changes                        []string
		upgradeHeight                  uint64
		deposit                        amountFlags
		swapOld, swapTo                string
	)
	propose := &cobra.Command{
		Use:   "propose --from KEY --kind param|upgrade|text|coldkey-swap --title T --amount TAO [--change key=value …] [--upgrade-name N --upgrade-height H] [--swap-coldkey ADDR [--swap-to ADDR]]",
		Short: "Submit a proposal with a deposit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dep, err := deposit.value(cmd)
			if err != nil {
				return err
			}
			var p *types.Propose
			switch kind {
			case "param":
				var chs []types.ParamChange
				for _, c := range changes {
					k, v, ok := strings.Cut(c, "=")
					if !ok {
						return fmt.Errorf("--change %q: want key=value", c)
					}
					chs = append(chs, types.ParamChange{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
				}
				p = client.ProposeParams(title, desc, dep, chs...)
			case "upgrade":
				p = client.ProposeUpgrade(title, desc, dep, upgradeName, upgradeHeight)
			case "text":
				p = client.ProposeText(title, desc, dep)
			case "coldkey-swap":
				old, err := parseAddressArg(swapOld)
				if err != nil {
					return fmt.Errorf("--swap-coldkey: %w", err)
				}
				var to types.Address // empty: cancel the swap
				if swapTo != "" {
					if to, err = parseAddressArg(swapTo); err != nil {
						return fmt.Errorf("--swap-to: %w", err)
					}
				}
				p = client.ProposeColdkeySwapResolution(title, desc, dep, old, to)
			default:
				return errors.New("--kind must be param, upgrade, text or coldkey-swap")
			}
			if err := p.Validate(); err != nil {
				return err
			}
			return sendCall(cmd, o, p)
		},
	}
	propose.Flags().StringVar(&kind, "kind", "", "param, upgrade, text or coldkey-swap")
	propose.Flags().StringVar(&swapOld, "swap-coldkey", "", "coldkey-swap: the disputed coldkey")
	propose.Flags().StringVar(&swapTo, "swap-to", "", "coldkey-swap: one of its announced destinations (empty: cancel the swap)")
	propose.Flags().StringVar(&title, "title", "", "title")
	propose.Flags().StringVar(&desc, "description", "", "description")
	propose.Flags().StringArrayVar(&changes, "change", nil, "a parameter change key=value (repeatable)")
	propose.Flags().StringVar(&upgradeName, "upgrade-name", "", "upgrade name (nodes restart with --upgrade NAME)")
	propose.Flags().Uint64Var(&upgradeHeight, "upgrade-height", 0, "height at which nodes without the upgrade stop")
	deposit.register(propose)
	propose.Flags().Lookup("amount").Usage = "deposit in TAO"

	var option string
	var id uint64
	vote := &cobra.Command{
		Use:   "vote --from COLDKEY --id N --option yes|no|abstain|veto",
		Short: "Vote on a proposal (your stake, and your hotkeys' silent nominators)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := map[string]uint8{"yes": types.VoteYes, "no": types.VoteNo, "abstain": types.VoteAbstain, "veto": types.VoteVeto}
			v, ok := opts[strings.ToLower(option)]
			if !ok {
				return errors.New("--option must be yes, no, abstain or veto")
			}
			return sendCall(cmd, o, client.Vote(id, v))
		},
	}
	vote.Flags().StringVar(&option, "option", "", "yes, no, abstain or veto")
	cancel := &cobra.Command{
		Use:   "cancel --from PROPOSER --id N",
		Short: "Withdraw your proposal before voting ends (half the deposit returned, half recycled)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return sendCall(cmd, o, client.CancelProposal(id))
		},
	}
	for _, c := range []*cobra.Command{vote, cancel} {
		c.Flags().Uint64Var(&id, "id", 0, "proposal id")
	}
	var status string
	list := &cobra.Command{
		Use:   "list [--status voting|passed|rejected|vetoed|cancelled|failed]",
		Short: "List proposals",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var prs []rpc.ProposalJSON
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				prs, err = c.Proposals(ctx, status)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), prs)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tKIND\tSTATUS\tVOTING ENDS\tTITLE")
			for _, p := range prs {
				fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\n", p.ID, p.Kind, p.Status, p.VotingEnd, p.Title)
			}
			return w.Flush()
		},
	}
	list.Flags().StringVar(&status, "status", "", "only proposals with this status")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show a proposal, its tally and votes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("proposal id %q: %w", args[0], err)
			}
			var p *rpc.ProposalJSON
			var votes []rpc.VoteJSON
			err = withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				if p, err = c.Proposal(ctx, n); err != nil {
					return err
				}
				votes, err = c.Votes(ctx, n)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"proposal": p, "votes": votes})
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "proposal %d (%s): %s\nstatus   %s %s\nproposer %s\ndeposit  %s TAO\nvoting   blocks %d–%d\nbonded   %s TAO (at the tally)\ntally    yes %s, no %s, abstain %s, veto %s (TAO)\n",
				p.ID, p.Kind, p.Title, p.Status, p.Reason, p.Proposer.Hex(), taoString(p.Deposit), p.SubmitHeight, p.VotingEnd,
				taoString(p.SnapshotStake), taoString(p.Tally.Yes), taoString(p.Tally.No), taoString(p.Tally.Abstain), taoString(p.Tally.Veto))
			for _, ch := range p.Changes {
				fmt.Fprintf(w, "change   %s = %s\n", ch.Key, ch.Value)
			}
			if p.UpgradeName != "" {
				fmt.Fprintf(w, "upgrade  %s at height %d\n", p.UpgradeName, p.UpgradeHeight)
			}
			for _, v := range votes {
				fmt.Fprintf(w, "vote     %s %s\n", v.Voter.Hex(), v.Option)
			}
			return nil
		},
	}
	params := &cobra.Command{
		Use:   "params",
		Short: "Show the protocol parameters in force (the keys proposals change)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var p any // printed as the node sends it
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) error {
				return c.Call(ctx, &p, "gov_params")
			})
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), p)
		},
	}
	cmd.AddCommand(propose, vote, cancel, list, show, params)
	return cmd
}
