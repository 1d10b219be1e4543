package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/internal/keyring"
	"github.com/taonet/taod/types"
)

// addSendFlags registers the flags of every command that signs and sends a tx.
func addSendFlags(cmd *cobra.Command, o *sendOpts) {
	addRPCFlag(cmd, &o.url)
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.dir, "keyring", defaultKeyringDir(), "keyring directory (env TAOD_KEYRING)")
	pf.StringVar(&o.from, "from", "", "signing coldkey: a name or a keystore file")
	pf.StringVar(&o.pwFile, "password-file", "", "file with the key's password (dev keys: none needed)")
	pf.Uint64Var(&o.fee, "fee", 0, "fee in rao (default: none for a call fee-free for the sender, else the minimum, base fee × (the call's weight + the tx's length × byte weight))")
	pf.Uint64Var(&o.tip, "tip", 0, "tip in rao on top of the fee (orders the txpool)")
	pf.BoolVar(&o.noWait, "no-wait", false, "return after the node accepts the tx")
	pf.DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for inclusion")
	pf.BoolVar(&o.asJSON, "json", false, "print JSON for machines")
}

// amountFlags reads --amount (TAO) or --amount-rao.
type amountFlags struct {
	tao string
	rao uint64
}

func (a *amountFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.tao, "amount", "", "amount in TAO, e.g. 1.5")
	cmd.Flags().Uint64Var(&a.rao, "amount-rao", 0, "amount in rao (1 TAO = 10^9 rao)")
}

func (a *amountFlags) value(cmd *cobra.Command) (uint64, error) {
	var (
		v   uint64
		err error
	)
	switch {
	case a.tao != "" && cmd.Flags().Changed("amount-rao"):
		return 0, errors.New("give --amount or --amount-rao, not both")
	case a.tao != "":
		if v, err = types.ParseTAO(a.tao); err != nil {
			return 0, fmt.Errorf("--amount: %w", err)
		}
	case cmd.Flags().Changed("amount-rao"):
		v = a.rao
	default:
		return 0, errors.New("--amount (TAO) or --amount-rao is required")
	}
	if v == 0 {
		return 0, errors.New("amount must be positive")
	}
	return v, nil
}

func newTxCmd() *cobra.Command {
	var o sendOpts
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Sign and send transactions",
		Long: `tx signs transactions locally with a coldkey from the keyring and sends them to a
node over RPC, then waits until a block includes them (--no-wait to return at once).
--from takes a key name (the keyring, then ./.devnet/keys for dev0..dev3) or a keystore path.`,
	}
	addSendFlags(cmd, &o)
	var (
		to     string
		amount amountFlags
	)
	transfer := &cobra.Command{
		Use:   "transfer --from KEY --to ADDRESS (--amount TAO | --amount-rao RAO)",
		Short: "Send TAO to an address",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dst, err := parseAddressArg(to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			v, err := amount.value(cmd)
			if err != nil {
				return err
			}
			return sendCall(cmd, o, client.Transfer(dst, v))
		},
	}
	transfer.Flags().StringVar(&to, "to", "", "recipient address (0x…)")
	amount.register(transfer)
	cmd.AddCommand(transfer)
	return cmd
}

type sendOpts struct {
	url, dir, from, pwFile string
	fee, tip               uint64
	noWait                 bool
	timeout                time.Duration
	asJSON                 bool
}

// unlockSigner decrypts the key named by name (a keyring name, a dev key or
// a keystore file): with no password first (dev keys), then with the
// password file or a prompt.
func unlockSigner(cmd *cobra.Command, dir, name, pwFile string) (*client.Signer, keyring.Entry, error) {
	entry, err := resolveKey(dir, name)
	if err != nil {
		return nil, entry, err
	}
	s, err := client.SignerFromKeystore(entry.Path, "")
	if err == nil {
		return s, entry, nil
	}
	pw, perr := readPassword(cmd, pwFile, fmt.Sprintf("Password for %s: ", entry.Name), false)
	if perr != nil {
		return nil, entry, perr
	}
	s, err = client.SignerFromKeystore(entry.Path, pw)
	return s, entry, err
}

// sendCall signs call with the --from key, sends it through client.Send
// (the chain's fee, or none for a call fee-free for the sender) and waits
// for its receipt.
func sendCall(cmd *cobra.Command, o sendOpts, call types.Call) error {
	if o.from == "" {
		return errors.New("--from is required")
	}
	s, _, err := unlockSigner(cmd, o.dir, o.from, o.pwFile)
	if err != nil {
		return err
	}
	var opts []client.SendOption
	if o.fee > 0 {
		opts = append(opts, client.WithFee(o.fee))
	}
	if o.tip > 0 {
		opts = append(opts, client.WithTip(o.tip))
	}
	return withClient(cmd, o.url, func(ctx context.Context, c *client.Client) error {
		hash, err := c.Send(ctx, s, call, opts...)
		if err != nil {
			return err
		}
		w := cmd.OutOrStdout()
		if o.noWait {
			if o.asJSON {
				return printJSON(w, map[string]any{"hash": hash, "status": "pending"})
			}
			fmt.Fprintf(w, "hash   %s\nstatus pending\n", hash)
			return nil
		}
		wctx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		r, err := c.WaitReceipt(wctx, hash)
		if r == nil {
			if errors.Is(err, client.ErrTimeout) && ctx.Err() == nil {
				return fmt.Errorf("transaction %s not included after %s (still pending; check with `taod query tx %s`)", hash, o.timeout, hash)
			}
			return err
		}
		if o.asJSON {
			return printJSON(w, r)
		}
		fee, _ := strconv.ParseUint(r.FeePaid, 10, 64)
		fmt.Fprintf(w, "hash   %s\nblock  %d\nstatus %s\nfee    %d rao\n", hash, r.BlockNumber, r.Status, fee)
		if r.Error != "" {
			fmt.Fprintf(w, "error  %s\n", r.Error)
		}
		if r.Status != "success" {
			return exitError(2)
		}
		return nil
	})
}
