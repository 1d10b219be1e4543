package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// parseTake reads a take as a percentage ("18", "18%", "9.5%") into ppm.
func parseTake(s string) (uint32, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 4 {
		return 0, fmt.Errorf("take %q: at most 4 decimals", s)
	}
	w, err := strconv.ParseUint(whole, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("take %q: want a percentage like 18 or 9.5%%", s)
	}
	var f uint64
	if frac != "" {
		if f, err = strconv.ParseUint(frac+strings.Repeat("0", 4-len(frac)), 10, 32); err != nil {
			return 0, fmt.Errorf("take %q: want a percentage", s)
		}
	}
	ppm := w*10_000 + f
	if ppm > types.PPM {
		return 0, fmt.Errorf("take %q above 100%%", s)
	}
	return uint32(ppm), nil
}

func newStakeCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "stake",
		Short: "Stake TAO to hotkeys, unstake, set a validator's take, list positions",
		Long: `stake moves TAO between a coldkey's balance and its stake on hotkeys. Stake weighs a
validator in subnets and secures the chain; removed stake unbonds for unbonding_period blocks
(still slashable) before it returns as balance.`,
	}
	addSendFlags(cmd, &o)
	var (
		hotkey string
		amount amountFlags
	)
	hk := func() (types.Address, error) {
		a, err := parseAddressArg(hotkey)
		if err != nil {
			return a, fmt.Errorf("--hotkey: %w", err)
		}
		return a, nil
	}
	add := &cobra.Command{
		Use:   "add --from COLDKEY --hotkey ADDRESS --amount TAO",
		Short: "Stake TAO from the coldkey's balance to a hotkey",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := hk()
			if err != nil {
				return err
			}
			v, err := amount.value(cmd)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, client.AddStake(h, v))
		},
	}
	var removeAmount amountFlags
	remove := &cobra.Command{
		Use:   "remove --from COLDKEY --hotkey ADDRESS --amount TAO",
		Short: "Unstake: the amount unbonds and returns as balance after the unbonding period",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := hk()
			if err != nil {
				return err
			}
			v, err := removeAmount.value(cmd)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, client.RemoveStake(h, v))
		},
	}
	var take string
	takeCmd := &cobra.Command{
		Use:   "take --from OWNER --hotkey ADDRESS --take PERCENT",
		Short: "Set the commission a validator hotkey keeps before sharing rewards with nominators",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := hk()
			if err != nil {
				return err
			}
			ppm, err := parseTake(take)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, client.SetTake(h, ppm))
		},
	}
	list := &cobra.Command{
		Use:   "list [COLDKEY_ADDRESS]",
		Short: "List a coldkey's stake positions and unbonding (default: --from's address)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := coldkeyArg(args, o.dir, o.from, "give a coldkey address or --from")
			if err != nil {
				return err
			}
			var pos []rpc.PositionJSON
			var unb []rpc.UnbondingJSON
			err = withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				if pos, err = c.StakesOf(ctx, addr); err != nil {
					return err
				}
				unb, err = c.Unbonding(ctx, addr)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"coldkey": addr, "stakes": pos, "unbonding": unb})
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "coldkey %s\n\nHOTKEY\tSTAKE (TAO)\n", addr.Hex())
			for _, p := range pos {
				fmt.Fprintf(w, "%s\t%s\n", p.Hotkey.Hex(), taoString(p.Stake))
			}
			if len(unb) > 0 {
				fmt.Fprintf(w, "\nUNBONDING FROM\tAMOUNT (TAO)\tRELEASED AT BLOCK\n")
				for _, u := range unb {
					fmt.Fprintf(w, "%s\t%s\t%d\n", u.Hotkey.Hex(), taoString(u.Amount), u.ReleaseAt)
				}
			}
			return w.Flush()
		},
	}
	for _, c := range []*cobra.Command{add, remove, takeCmd} {
		c.Flags().StringVar(&hotkey, "hotkey", "", "hotkey address (0x…)")
	}
	amount.register(add)
	removeAmount.register(remove)
	takeCmd.Flags().StringVar(&take, "take", "", "take as a percentage, e.g. 18 or 9.5")
	cmd.AddCommand(add, remove, takeCmd, list, newSwapHotkeyCmd(&o))
	return cmd
}

// newSwapHotkeyCmd is `taod stake swap-hotkey` (issue 16).
func newSwapHotkeyCmd(o *sendOpts) *cobra.Command {
	var oldArg, newArg string
	cmd := &cobra.Command{
		Use:   "swap-hotkey --from COLDKEY --old ADDRESS --new ADDRESS",
		Short: "Move a hotkey's registrations, stake, nominations, take and consensus key to a fresh hotkey",
		Long: `swap-hotkey replaces a leaked or worn hotkey. Everything the old hotkey carries moves to the
new one: its registrations (the same UIDs, on every subnet and the root network), every stake
position on it (nominators' too), its take, its consensus-key binding (a validator keeps its
place and its node's key), pending weights commits (reveal them from the new hotkey) and
unbonding entries. The old hotkey is retired for good: it can never be registered, staked to
or bound again. The new hotkey must never have been used on chain. Sent by the old hotkey's
owner coldkey, which pays staking.hotkey_swap_burn (recycled); one swap per coldkey every
staking.hotkey_swap_rate_limit blocks. Restart the miner or validator with the new hotkey.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			old, err := parseAddressArg(oldArg)
			if err != nil {
				return fmt.Errorf("--old: %w", err)
			}
			next, err := parseAddressArg(newArg)
			if err != nil {
				return fmt.Errorf("--new: %w", err)
			}
			call := client.SwapHotkey(old, next)
			if err := call.Validate(); err != nil {
				return err
			}
			if err := checkFreshHotkey(cmd, o.url, next); err != nil {
				return err
			}
			return sendCall(cmd, *o, call)
		},
	}
	cmd.Flags().StringVar(&oldArg, "old", "", "the hotkey to retire (0x…)")
	cmd.Flags().StringVar(&newArg, "new", "", "the fresh hotkey that takes its place (0x…)")
	return cmd
}

// checkFreshHotkey refuses, before anything is sent, a new hotkey the chain
// already knows (owned or retired): the chain refuses it too, after
// charging the fee.
func checkFreshHotkey(cmd *cobra.Command, url string, hotkey types.Address) error {
	var h *rpc.HotkeyJSON
	if err := withClient(cmd, url, func(ctx context.Context, c *client.Client) (err error) {
		h, err = c.Hotkey(ctx, hotkey)
		return err
	}); err != nil {
		return err
	}
	switch {
	case h == nil:
		return nil
	case h.Retired != nil:
		return fmt.Errorf("--new %s was retired by a hotkey swap at block %d: the new hotkey must never have been used on chain", hotkey.Hex(), h.Retired.AtBlock)
	default:
		return fmt.Errorf("--new %s is already in use on chain (owned by %s): the new hotkey must never have been used", hotkey.Hex(), h.Owner.Hex())
	}
}

func taoString(raoStr string) string {
	v, err := strconv.ParseUint(raoStr, 10, 64)
	if err != nil {
		return raoStr
	}
	return types.FormatTAO(v)
}

func newValidatorCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "validator",
		Short: "Bind a consensus key to a hotkey, unjail, list the validator set",
		Long: `validator manages BFT validators. A validator is a hotkey with a bound consensus key
(the key its node signs votes with, config/validator_key) and enough stake; every
consensus_epoch blocks the top stakers form the set, effective two blocks later.`,
	}
	addSendFlags(cmd, &o)
	var hotkeyName, consFile string
	bind := &cobra.Command{
		Use:   "bind-key --from COLDKEY --hotkey-key NAME --consensus-key FILE",
		Short: "Bind a node's consensus key to a hotkey (signed by both; takes effect at the next epoch)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if hotkeyName == "" || consFile == "" {
				return errors.New("--hotkey-key and --consensus-key are required")
			}
			from, err := resolveKey(o.dir, o.from)
			if err != nil {
				return err
			}
			hot, _, err := unlockSigner(cmd, o.dir, hotkeyName, "")
			if err != nil {
				return fmt.Errorf("--hotkey-key: %w", err)
			}
			raw, err := os.ReadFile(consFile)
			if err != nil {
				return fmt.Errorf("--consensus-key: %w", err)
			}
			ckey, err := crypto.HexToECDSA(strings.TrimSpace(string(raw)))
			if err != nil {
				return fmt.Errorf("--consensus-key %s: %w", consFile, err)
			}
			var chainID uint64
			err = withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				chainID, err = c.ChainID(ctx)
				return err
			})
			if err != nil {
				return err
			}
			b, err := client.BindConsensusKey(chainID, from.Address, hot.Key(), ckey)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, b)
		},
	}
	bind.Flags().StringVar(&hotkeyName, "hotkey-key", "", "the hotkey's key: a keyring name or keystore file")
	bind.Flags().StringVar(&consFile, "consensus-key", "", "the consensus key file (a node's config/validator_key)")

	var hotkey string
	unjail := &cobra.Command{
		Use:   "unjail --from OWNER --hotkey ADDRESS",
		Short: "Let a jailed validator back into the set after its jail period",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := parseAddressArg(hotkey)
			if err != nil {
				return fmt.Errorf("--hotkey: %w", err)
			}
			return sendCall(cmd, o, client.Unjail(h))
		},
	}
	unjail.Flags().StringVar(&hotkey, "hotkey", "", "hotkey address (0x…)")

	var height string
	list := &cobra.Command{
		Use:   "list [--height N]",
		Short: "Show the validator set (default: the next block's)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var h uint64
			if height != "" {
				var err error
				if h, err = strconv.ParseUint(height, 10, 64); err != nil {
					return fmt.Errorf("--height: %w", err)
				}
			}
			var set *rpc.ValidatorsJSON
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				if height == "" {
					set, err = c.Validators(ctx)
				} else {
					set, err = c.ValidatorsAt(ctx, h)
				}
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), set)
			}
			kind := "staked"
			if set.Bootstrap {
				kind = "bootstrap (fixed power until the handover rule holds)"
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "height %d, %s, total power %d, hash %s\n\nCONSENSUS KEY\tHOTKEY\tPOWER\n", set.Height, kind, set.TotalPower, set.Hash)
			for _, v := range set.Validators {
				hk := "-"
				if v.Hotkey != nil {
					hk = v.Hotkey.Hex()
				}
				fmt.Fprintf(w, "%s\t%s\t%d\n", v.ConsensusKey.Hex(), hk, v.Power)
			}
			return w.Flush()
		},
	}
	list.Flags().StringVar(&height, "height", "", "block height")
	cmd.AddCommand(bind, unjail, list)
	return cmd
}

// coldkeyArg is the coldkey a query names: the address argument if given,
// else --from's key; missing says what to give when neither is.
func coldkeyArg(args []string, dir, from, missing string) (types.Address, error) {
	switch {
	case len(args) == 1:
		return parseAddressArg(args[0])
	case from != "":
		e, err := resolveKey(dir, from)
		return e.Address, err
	default:
		return types.Address{}, errors.New(missing)
	}
}
