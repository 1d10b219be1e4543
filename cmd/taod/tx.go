package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/spf13/cobra"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/keyring"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// addSendFlags registers the flags of every command that signs and sends a tx.
func addSendFlags(cmd *cobra.Command, o *sendOpts) {
	addRPCFlag(cmd, &o.url)
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.dir, "keyring", defaultKeyringDir(), "keyring directory (env TAOD_KEYRING)")
	pf.StringVar(&o.from, "from", "", "signing coldkey: a name or a keystore file")
	pf.StringVar(&o.pwFile, "password-file", "", "file with the key's password (dev keys: none needed)")
	pf.Uint64Var(&o.fee, "fee", 0, "fee in rao (default: the minimum, base fee × (the call's weight + the tx's length × byte weight))")
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
			return sendCall(cmd, o, &types.Transfer{To: dst, Amount: v})
		},
	}
	transfer.Flags().StringVar(&to, "to", "", "recipient address (0x…)")
	amount.register(transfer)
	cmd.AddCommand(transfer)
	return cmd
}

type sendOpts struct {
	free                   bool // the call may be fee-free: send fee 0 unless --fee is given
	url, dir, from, pwFile string
	fee, tip               uint64
	noWait                 bool
	timeout                time.Duration
	asJSON                 bool
}

// sendCall signs call with the --from key, sends it and waits for its receipt.
func sendCall(cmd *cobra.Command, o sendOpts, c types.Call) error {
	ctx := cmd.Context()
	if o.from == "" {
		return errors.New("--from is required")
	}
	entry, err := resolveKey(o.dir, o.from)
	if err != nil {
		return err
	}
	key, err := keyring.Unlock(entry.Path, "")
	if err != nil {
		pw, perr := readPassword(cmd, o.pwFile, fmt.Sprintf("Password for %s: ", entry.Name), false)
		if perr != nil {
			return perr
		}
		if key, err = keyring.Unlock(entry.Path, pw); err != nil {
			return err
		}
	}
	client, err := dial(ctx, o.url)
	if err != nil {
		return err
	}
	defer client.Close()
	var chainID, nonce uint64
	if err := call(ctx, client, o.url, &chainID, "tao_chainId"); err != nil {
		return err
	}
	if err := call(ctx, client, o.url, &nonce, "tao_getNonce", entry.Address, "latest"); err != nil {
		return err
	}
	data := types.TxData{ChainID: chainID, Nonce: nonce, Fee: o.fee, Tip: o.tip, Call: c}
	var tx *types.Tx
	if o.fee == 0 && !o.free {
		// The minimum under the parameters in force, the length fee
		// included: base fee × (weight + signed length × byte weight).
		var p rpc.ParamsJSON
		if err := call(ctx, client, o.url, &p, "gov_params"); err != nil {
			return err
		}
		tx, err = chain.SignPayingMinFee(p.Params, data, key)
	} else {
		tx, err = types.SignTx(data, key)
	}
	if err != nil {
		return err
	}
	var hash types.Hash
	if err := call(ctx, client, o.url, &hash, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes())); err != nil {
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
	r, err := waitReceipt(ctx, client, o.url, hash, o.timeout)
	if err != nil {
		return err
	}
	if o.asJSON {
		return printJSON(w, r)
	}
	fee2, _ := strconv.ParseUint(r.FeePaid, 10, 64)
	fmt.Fprintf(w, "hash   %s\nblock  %d\nstatus %s\nfee    %d rao\n", hash, r.BlockNumber, r.Status, fee2)
	if r.Error != "" {
		fmt.Fprintf(w, "error  %s\n", r.Error)
	}
	if r.Status != "success" {
		return exitError(2)
	}
	return nil
}

func waitReceipt(ctx context.Context, c *gethrpc.Client, url string, hash types.Hash, timeout time.Duration) (*rpc.ReceiptJSON, error) {
	deadline := time.Now().Add(timeout)
	for {
		var r *rpc.ReceiptJSON
		if err := call(ctx, c, url, &r, "tao_getTransactionReceipt", hash); err != nil {
			return nil, err
		}
		if r != nil {
			return r, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("transaction %s not included after %s (still pending; check with `taod query tx %s`)", hash, timeout, hash)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
