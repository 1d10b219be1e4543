package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

func newQueryCmd() *cobra.Command {
	var (
		url    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "query",
		Short: "Query the chain: balances, blocks, transactions, issuance",
	}
	addRPCFlag(cmd, &url)
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON for machines")

	var at string
	balance := &cobra.Command{
		Use:   "balance ADDRESS",
		Short: "Show an account's balance and nonce",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddressArg(args[0])
			if err != nil {
				return err
			}
			var height *uint64
			switch at {
			case "", "latest", "finalized", "safe":
			case "earliest":
				height = new(uint64)
			default:
				h, err := strconv.ParseUint(at, 0, 64) // decimal or 0x-hex
				if err != nil {
					return fmt.Errorf("--block: want a height, 0x-hex height or \"latest\", got %q", at)
				}
				height = &h
			}
			var rao, nonce uint64
			err = withClient(cmd, url, func(ctx context.Context, c *client.Client) (err error) {
				if height == nil {
					if rao, err = c.Balance(ctx, addr); err != nil {
						return err
					}
					nonce, err = c.Nonce(ctx, addr)
					return err
				}
				if rao, err = c.BalanceAt(ctx, addr, *height); err != nil {
					return err
				}
				nonce, err = c.NonceAt(ctx, addr, *height)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"address": addr, "balance_rao": strconv.FormatUint(rao, 10), "balance_tao": types.FormatTAO(rao), "nonce": nonce})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "address %s\nbalance %s TAO (%d rao)\nnonce   %d\n", addr.Hex(), types.FormatTAO(rao), rao, nonce)
			return nil
		},
	}
	balance.Flags().StringVar(&at, "block", "", "height to read at (default latest)")

	block := &cobra.Command{
		Use:   "block [HEIGHT|HASH]",
		Short: "Show a block (default the latest)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			method, id := "tao_getBlockByNumber", any("latest")
			switch {
			case len(args) == 0:
			case len(args[0]) == 66:
				method, id = "tao_getBlockByHash", args[0]
			default:
				h, perr := strconv.ParseUint(args[0], 10, 64)
				if perr != nil {
					return fmt.Errorf("block: want a height or a 0x… hash, got %q", args[0])
				}
				id = h
			}
			var b *json.RawMessage // --json prints the block as the node sends it
			err := withClient(cmd, url, func(ctx context.Context, c *client.Client) error {
				return c.Call(ctx, &b, method, id, false)
			})
			if err != nil {
				return err
			}
			if b == nil {
				return fmt.Errorf("block %v not found", args)
			}
			if asJSON {
				_, err := cmd.OutOrStdout().Write(append(*b, '\n'))
				return err
			}
			var blk struct {
				rpc.HeaderJSON
				Size         int          `json:"size"`
				Transactions []types.Hash `json:"transactions"`
			}
			if err := json.Unmarshal(*b, &blk); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "height     %d\nhash       %s\nparent     %s\ntime       %s\nproposer   %s\nstate root %s\ntxs        %d\nsize       %d bytes\n",
				blk.Number, blk.Hash, blk.ParentHash, time.UnixMilli(int64(blk.Time)).UTC().Format(time.RFC3339Nano), blk.Proposer, blk.StateRoot, len(blk.Transactions), blk.Size)
			for _, h := range blk.Transactions {
				fmt.Fprintf(w, "  %s\n", h)
			}
			return nil
		},
	}

	tx := &cobra.Command{
		Use:   "tx HASH",
		Short: "Show a transaction and its receipt",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var h types.Hash
			if err := h.UnmarshalText([]byte(args[0])); err != nil {
				return fmt.Errorf("tx: want a 0x… hash of 32 bytes: %w", err)
			}
			var t *rpc.TxJSON
			var r *rpc.ReceiptJSON
			err := withClient(cmd, url, func(ctx context.Context, c *client.Client) (err error) {
				if t, err = c.Tx(ctx, h); err != nil || t == nil {
					return err
				}
				r, err = c.Receipt(ctx, h)
				return err
			})
			if err != nil {
				return err
			}
			if t == nil {
				return fmt.Errorf("transaction %s not found", args[0])
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"transaction": t, "receipt": r})
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "hash    %s\nfrom    %s\nnonce   %d\ncall    %s\n", t.Hash, t.From.Hex(), t.Nonce, t.Call)
			if t.To != nil {
				amt, _ := strconv.ParseUint(t.Amount, 10, 64)
				fmt.Fprintf(w, "to      %s\namount  %s TAO\n", t.To.Hex(), types.FormatTAO(amt))
			}
			if r == nil {
				fmt.Fprintln(w, "status  pending")
				return nil
			}
			fmt.Fprintf(w, "block   %d\nstatus  %s\nfee     %s rao\n", r.BlockNumber, r.Status, r.FeePaid)
			if r.Error != "" {
				fmt.Fprintf(w, "error   %s\n", r.Error)
			}
			return nil
		},
	}

	issuance := &cobra.Command{
		Use:   "issuance",
		Short: "Show total issuance and the emission schedule",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var s *rpc.EmissionSchedule
			err := withClient(cmd, url, func(ctx context.Context, c *client.Client) (err error) {
				s, err = c.EmissionSchedule(ctx)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			tao := func(s string) string {
				v, _ := strconv.ParseUint(s, 10, 64)
				return types.FormatTAO(v) + " TAO"
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "total issuance     %s\nmax supply         %s\nblock reward       %s (era %d)\nundistributed pool %s\n",
				tao(s.Issuance), tao(s.MaxSupply), tao(s.BlockReward), s.Era, tao(s.UndistributedPool))
			if s.NextHalvingIssuance != nil && s.EstimatedHalvingAt != nil {
				eta := time.Duration(*s.BlocksToNextHalving) * time.Duration(s.BlockTimeMs) * time.Millisecond
				fmt.Fprintf(w, "next halving at    %s issued, ~block %d (%d blocks, ~%s)\n", tao(*s.NextHalvingIssuance), *s.EstimatedHalvingAt, *s.BlocksToNextHalving, eta.Round(time.Hour))
			}
			return nil
		},
	}
	cmd.AddCommand(balance, block, tx, issuance)
	return cmd
}
