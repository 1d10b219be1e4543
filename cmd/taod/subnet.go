package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// parseU16List parses "1,2,3".
func parseU16List(flag, s string) ([]uint16, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("--%s is required", flag)
	}
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 16)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q is not a number in [0, 65535]", flag, f)
		}
		out = append(out, uint16(v))
	}
	return out, nil
}

func weightsArgs(uids, weights string) ([]uint16, []uint16, error) {
	u, err := parseU16List("uids", uids)
	if err != nil {
		return nil, nil, err
	}
	w, err := parseU16List("weights", weights)
	if err != nil {
		return nil, nil, err
	}
	if len(u) != len(w) {
		return nil, nil, fmt.Errorf("--uids has %d entries, --weights %d", len(u), len(w))
	}
	return u, w, nil
}

func newSubnetCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "subnet",
		Short: "Create subnets, register neurons, serve axons, set weights, read metagraphs",
		Long: `subnet works with subnets: markets where validators rank miners and every tempo
blocks a Yuma-consensus epoch pays both by performance.

Weights, commits, reveals and axons are sent from the neuron's hotkey (--from HOTKEY);
they are fee-free for permitted validators and registered neurons, like PoW registration.
A weights call from a hotkey without a validator permit (once the subnet has stake) is
refused before sending, naming the epoch block at which a permit can come: the chain
would fail it whatever fee it paid. Creating a subnet and burned registration are paid
by a coldkey.`,
	}
	addSendFlags(cmd, &o)
	var netuid uint16
	netFlag := func(c *cobra.Command) { c.Flags().Uint16Var(&netuid, "netuid", 1, "subnet id") }

	var name string
	create := &cobra.Command{
		Use:   "create --from COLDKEY [--name NAME]",
		Short: "Create a subnet, locking the network lock cost (taod subnet lock-cost shows it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return sendCall(cmd, o, client.RegisterNetwork(name))
		},
	}
	create.Flags().StringVar(&name, "name", "", "subnet name")

	var hotkey, hotkeyName string
	var pow bool
	register := &cobra.Command{
		Use:   "register --netuid N (--from COLDKEY --hotkey ADDRESS | --pow --from HOTKEY --coldkey ADDRESS)",
		Short: "Register a hotkey on a subnet by burning TAO, or by proof of work (no TAO needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !pow {
				hk, err := parseAddressArg(hotkey)
				if err != nil {
					return fmt.Errorf("--hotkey: %w", err)
				}
				return sendCall(cmd, o, client.BurnedRegister(netuid, hk))
			}
			cold, err := parseAddressArg(hotkeyName)
			if err != nil {
				return fmt.Errorf("--coldkey: %w", err)
			}
			e, err := resolveKey(o.dir, o.from)
			if err != nil {
				return err
			}
			call, err := mine(cmd, o, netuid, e.Address, cold)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, call)
		},
	}
	register.Flags().StringVar(&hotkey, "hotkey", "", "hotkey to register (burned registration)")
	register.Flags().BoolVar(&pow, "pow", false, "register by proof of work, sent by the hotkey (--from) for --coldkey")
	register.Flags().StringVar(&hotkeyName, "coldkey", "", "coldkey address that will own the hotkey (with --pow)")

	var ip string
	var port uint16
	var protocol uint8
	var version uint32
	serve := &cobra.Command{
		Use:   "serve --from HOTKEY --netuid N --ip IP --port PORT",
		Short: "Announce the neuron's axon endpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr := net.ParseIP(ip)
			if addr == nil {
				return fmt.Errorf("--ip %q is not an IP address", ip)
			}
			return sendCall(cmd, o, client.ServeAxon(netuid, addr, port, protocol, version))
		},
	}
	serve.Flags().StringVar(&ip, "ip", "", "IPv4 or IPv6 address")
	serve.Flags().Uint16Var(&port, "port", 0, "port")
	serve.Flags().Uint8Var(&protocol, "protocol", 4, "protocol number")
	serve.Flags().Uint32Var(&version, "version", 0, "axon version")

	var uids, weights, salt string
	var versionKey uint64
	weightsCmd := &cobra.Command{
		Use:   "weights --from HOTKEY --netuid N --uids 1,2,3 --weights 10,20,30",
		Short: "Set a validator's weights over a subnet's UIDs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, w, err := weightsArgs(uids, weights)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, client.SetWeights(netuid, u, w, versionKey))
		},
	}
	commit := &cobra.Command{
		Use:   "commit --from HOTKEY --netuid N --uids … --weights … [--salt HEX]",
		Short: "Commit to weights on a commit-reveal subnet (prints the salt to reveal with)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, w, err := weightsArgs(uids, weights)
			if err != nil {
				return err
			}
			e, err := resolveKey(o.dir, o.from)
			if err != nil {
				return err
			}
			sb, err := saltBytes(salt)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "salt %s (keep it: reveal with the same uids, weights, salt and version key)\n", hex.EncodeToString(sb))
			return sendCall(cmd, o, client.CommitWeights(e.Address, netuid, u, w, sb, versionKey))
		},
	}
	reveal := &cobra.Command{
		Use:   "reveal --from HOTKEY --netuid N --uids … --weights … --salt HEX",
		Short: "Reveal committed weights (after reveal_delay, within reveal_window blocks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, w, err := weightsArgs(uids, weights)
			if err != nil {
				return err
			}
			if salt == "" {
				return errors.New("--salt is required")
			}
			sb, err := hex.DecodeString(strings.TrimPrefix(salt, "0x"))
			if err != nil {
				return fmt.Errorf("--salt: %w", err)
			}
			return sendCall(cmd, o, client.RevealWeights(netuid, u, w, sb, versionKey))
		},
	}
	for _, c := range []*cobra.Command{weightsCmd, commit, reveal} {
		c.Flags().StringVar(&uids, "uids", "", "comma-separated UIDs")
		c.Flags().StringVar(&weights, "weights", "", "comma-separated u16 weights, one per UID")
		c.Flags().Uint64Var(&versionKey, "version-key", 0, "weights version key (≥ the subnet's weights_version)")
	}
	commit.Flags().StringVar(&salt, "salt", "", "hex salt (default: random)")
	reveal.Flags().StringVar(&salt, "salt", "", "hex salt printed by commit")

	var set string
	hyper := &cobra.Command{
		Use:   "hyperparams --netuid N [--set NAME=VALUE --from OWNER]",
		Short: "Show a subnet's hyperparameters, or set one as its owner",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if set != "" {
				k, v, ok := strings.Cut(set, "=")
				val, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
				if !ok || err != nil {
					return fmt.Errorf("--set wants NAME=VALUE with an integer value (names: %s)", strings.Join(subnet.Names(), ", "))
				}
				return sendCall(cmd, o, client.SetHyperparam(netuid, strings.TrimSpace(k), val))
			}
			var h map[string]uint64 // by name, as the table and --json show them
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) error {
				return c.Call(ctx, &h, "subnet_hyperparams", netuid)
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), h)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, n := range subnet.Names() {
				fmt.Fprintf(w, "%s\t%d\n", n, h[n])
			}
			return w.Flush()
		},
	}
	hyper.Flags().StringVar(&set, "set", "", "NAME=VALUE to set (owner-settable ones only)")

	metagraph := &cobra.Command{
		Use:   "metagraph --netuid N",
		Short: "Show a subnet's neurons: stake, rank, trust, consensus, incentive, dividends, emission",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var mg []rpc.NeuronJSON
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				mg, err = c.Metagraph(ctx, netuid)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), mg)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 1, ' ', tabwriter.AlignRight)
			fmt.Fprintln(w, "UID\tHOTKEY\tSTAKE(TAO)\tRANK\tTRUST\tCONS\tINCENT\tDIVS\tVTRUST\tVPERMIT\tEMISSION(rao)\tUPDATED\tAXON\t")
			for _, n := range mg {
				axon := "-"
				if n.Axon != nil {
					axon = net.JoinHostPort(n.Axon.IP, strconv.Itoa(int(n.Axon.Port)))
				}
				permit := ""
				if n.Permit {
					permit = "*"
				}
				h := n.Hotkey.Hex()
				fmt.Fprintf(w, "%d\t%s…%s\t%s\t%.7s\t%.7s\t%.7s\t%.7s\t%.7s\t%.7s\t%s\t%s\t%d\t%s\t\n", n.UID, h[:6], h[38:], taoString(n.Stake),
					n.Rank, n.Trust, n.Consensus, n.Incentive, n.Dividends, n.ValidatorTrust, permit, n.Emission, n.LastUpdate, axon)
			}
			return w.Flush()
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List subnets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var subs []rpc.SubnetJSON
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				subs, err = c.Subnets(ctx)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), subs)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NETUID\tNAME\tNEURONS\tTEMPO\tBURN(TAO)\tSHARE\tPENDING(TAO)\tOWNER")
			for _, s := range subs {
				owner := "-"
				if s.Owner != nil {
					owner = s.Owner.Hex()
				}
				fmt.Fprintf(w, "%d\t%s\t%d/%d\t%d\t%s\t%s\t%s\t%s\n", s.Netuid, s.Name, s.Neurons, s.MaxUIDs, s.Tempo, taoString(s.BurnCost), s.EmissionShare, taoString(s.PendingEmission), owner)
			}
			return w.Flush()
		},
	}
	lockCost := &cobra.Command{
		Use:   "lock-cost",
		Short: "Show what creating a subnet costs now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var v uint64
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				v, err = c.LockCost(ctx)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s TAO\n", types.FormatTAO(v))
			return nil
		},
	}
	for _, c := range []*cobra.Command{register, serve, weightsCmd, commit, reveal, hyper, metagraph} {
		netFlag(c)
	}
	cmd.AddCommand(create, register, serve, weightsCmd, commit, reveal, hyper, metagraph, list, lockCost)
	return cmd
}

func saltBytes(s string) ([]byte, error) {
	if s != "" {
		b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
		if err != nil {
			return nil, fmt.Errorf("--salt: %w", err)
		}
		return b, nil
	}
	b := make([]byte, 16)
	_, err := rand.Read(b)
	return b, err
}

// mine searches for a PowRegister nonce for hotkey on netuid, reporting progress.
func mine(cmd *cobra.Command, o sendOpts, netuid uint16, hotkey, coldkey types.Address) (*types.PowRegister, error) {
	var reg *types.PowRegister
	err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) error {
		info, err := c.Subnet(ctx, netuid)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "mining: subnet %d difficulty %d\n", netuid, info.Difficulty)
		start, last := time.Now(), time.Now()
		reg, err = c.MinePowRegister(ctx, netuid, hotkey, coldkey, func(n uint64) {
			if time.Since(last) > 5*time.Second {
				last = time.Now()
				fmt.Fprintf(cmd.ErrOrStderr(), "mining: %d hashes, %d/s\n", n, n*uint64(time.Second)/uint64(time.Since(start)+1))
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "found nonce %d on block %d after %s\n", reg.Nonce, reg.BlockNumber, time.Since(start).Round(time.Millisecond))
		return nil
	})
	return reg, err
}

func newRootNetCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "root",
		Short: "The root network: join it and weight subnets (their share of emission)",
	}
	addSendFlags(cmd, &o)
	var hotkey string
	register := &cobra.Command{
		Use:   "register --from COLDKEY --hotkey ADDRESS",
		Short: "Admit an owned hotkey to the root network (replaces the smallest staker when full)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			hk, err := parseAddressArg(hotkey)
			if err != nil {
				return fmt.Errorf("--hotkey: %w", err)
			}
			return sendCall(cmd, o, client.RootRegister(hk))
		},
	}
	register.Flags().StringVar(&hotkey, "hotkey", "", "hotkey address")
	var netuids, weights string
	weightsCmd := &cobra.Command{
		Use:   "weights --from HOTKEY --netuids 1,2 --weights 1,1",
		Short: "Set a root member's weights over subnets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := parseU16List("netuids", netuids)
			if err != nil {
				return err
			}
			w, err := parseU16List("weights", weights)
			if err != nil {
				return err
			}
			if len(n) != len(w) {
				return fmt.Errorf("--netuids has %d entries, --weights %d", len(n), len(w))
			}
			return sendCall(cmd, o, client.SetRootWeights(n, w))
		},
	}
	weightsCmd.Flags().StringVar(&netuids, "netuids", "", "comma-separated netuids")
	weightsCmd.Flags().StringVar(&weights, "weights", "", "comma-separated u16 weights")
	list := &cobra.Command{
		Use:   "list",
		Short: "List root members, their stake and weights",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ms []rpc.RootMemberJSON
			err := withClient(cmd, o.url, func(ctx context.Context, c *client.Client) (err error) {
				ms, err = c.RootMembers(ctx)
				return err
			})
			if err != nil {
				return err
			}
			if o.asJSON {
				return printJSON(cmd.OutOrStdout(), ms)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "HOTKEY\tSTAKE(TAO)\tWEIGHTS [netuid:weight]")
			for _, m := range ms {
				var parts []string
				for _, p := range m.Weights {
					parts = append(parts, fmt.Sprintf("%d:%d", p[0], p[1]))
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", m.Hotkey.Hex(), taoString(m.Stake), strings.Join(parts, " "))
			}
			return w.Flush()
		},
	}
	cmd.AddCommand(register, weightsCmd, list)
	return cmd
}
