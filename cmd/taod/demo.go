package main

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/taonet/taod/examples/predict/demo"
)

// addDemo gives the devnet command its --demo mode (the example prediction
// subnet, examples/predict, running on a fresh devnet) and the hidden
// `devnet demo-neuron` that the demo re-executes this binary with for each
// neuron process.
func addDemo(devnet *cobra.Command, home *string) {
	var (
		on     bool
		epochs int
		preset string
	)
	devnet.Flags().BoolVar(&on, "demo", false, "run the example subnet market on a fresh devnet: validators and miners as processes, a live metagraph view, a summary on Ctrl-C")
	devnet.Flags().IntVar(&epochs, "demo.epochs", 0, "with --demo: stop after this many epochs (0: run until Ctrl-C)")
	devnet.Flags().StringVar(&preset, "demo.preset", "test", "with --demo: genesis preset (test: 200 ms blocks, tempo 10; devnet: 1 s blocks, tempo 20)")
	plain := devnet.RunE
	devnet.RunE = func(cmd *cobra.Command, args []string) error {
		if !on {
			return plain(cmd, args)
		}
		dir := ".devnet-demo"
		if cmd.Flags().Changed("home") {
			dir = *home
		}
		rpcAddr := "127.0.0.1:9944"
		if f := cmd.Flags().Lookup("rpc.addr"); f != nil && f.Changed {
			rpcAddr = f.Value.String()
		}
		// The explorer is on as in a plain devnet (--explorer.addr "" turns it
		// off); metrics only when asked. The demo's chain has one validator
		// and no peers, so a p2p address would be silently unused: refuse it.
		explorerAddr, metricsAddr := devnetExplorer, ""
		if f := cmd.Flags().Lookup("explorer.addr"); f != nil && f.Changed {
			explorerAddr = f.Value.String()
		}
		if f := cmd.Flags().Lookup("metrics.addr"); f != nil && f.Changed {
			metricsAddr = f.Value.String()
		}
		if f := cmd.Flags().Lookup("p2p.listen"); f != nil && f.Changed {
			return fmt.Errorf("--p2p.listen has no use with --demo: the demo's devnet has one validator and no peers")
		}
		self, err := os.Executable()
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "demo: a fresh chain in %s (removed if it exists)\n", dir)
		res, err := demo.Run(cmd.Context(), demo.Config{
			Home: dir, Preset: preset, RPCAddr: rpcAddr, ExplorerAddr: explorerAddr, MetricsAddr: metricsAddr, Epochs: epochs, Out: out,
			Clear: term.IsTerminal(int(os.Stdout.Fd())),
			Neuron: func(a []string) *exec.Cmd {
				return exec.Command(self, append([]string{"devnet", "demo-neuron"}, a...)...)
			},
		})
		if err != nil || epochs == 0 {
			return err
		}
		// A bounded run is a check: its status says whether the market
		// came out as designed.
		for _, v := range res.Verdicts {
			if !v.OK {
				return exitError(2)
			}
		}
		if res.EmissionErr != nil {
			return exitError(2)
		}
		return nil
	}
	devnet.AddCommand(&cobra.Command{
		Use:                "demo-neuron",
		Short:              "Run one neuron of the demo subnet (started by devnet --demo)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return demo.NeuronMain(cmd.Context(), args, cmd.ErrOrStderr())
		},
	})
}
