package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/gov"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		if errors.Is(err, gov.ErrUpgradeRequired) {
			fmt.Fprintln(os.Stderr, "stopped:", err)
			os.Exit(3)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// exitError ends the process with a status code and no further message.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "taod",
		Short: "taod: a proof-of-stake chain for a decentralised market of machine intelligence",
		Long: `taod is one binary for the whole chain: the full node and validator (init, start),
a one-command local chain (devnet), the wallet (keys, tx) and chain queries (query).

Quick start:
  taod devnet                                   # one-validator chain, RPC on 127.0.0.1:9944
  taod query balance 0x...                      # in another terminal
  taod tx transfer --from dev0 --to 0x... --amount 1.5`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newInitCmd(), newStartCmd(), newDevnetCmd(), newKeysCmd(), newTxCmd(), newStakeCmd(), newValidatorCmd(), newSubnetCmd(), newRootNetCmd(), newGovCmd(), newTestnetCmd(), newQueryCmd(), newYumaCmd(), newVersionCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the taod version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "taod", version)
		},
	}
}
