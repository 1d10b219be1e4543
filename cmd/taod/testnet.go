package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/testnet"
)

func newTestnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Generate, run and inspect a local multi-node testnet",
		Long: `testnet builds a local network of taod nodes: 'init' writes every node's home
(keys, one shared genesis, configs whose bootstrap lists name the other nodes); 'start' runs
them as processes, each on its own loopback address 127.0.0.<i+1> (RPC :9944, p2p :30333);
'status' shows each node's height, peers and last block.`,
	}
	var (
		dir, preset string
		vals, full  int
	)
	initCmd := &cobra.Command{
		Use:   "init [--validators 4] [--full-nodes 1] [--dir ./testnet-out]",
		Short: "Write a process testnet's homes, genesis and configs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lay, err := testnet.Generate(testnet.ProcessAddrs(testnet.Options{Dir: dir, Validators: vals, FullNodes: full, Preset: preset, DevKeys: 4}))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "testnet of %d validators and %d full nodes in %s (chain ID %d)\n", vals, full, dir, lay.ChainID)
			for _, n := range lay.Nodes {
				fmt.Fprintf(cmd.OutOrStdout(), "  %s  rpc http://%s  %s\n", n.Name, n.RPC, n.P2P)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "dev keys: %s/keys (empty password)\nrun it:   taod testnet start --dir %s\n", dir, dir)
			return nil
		},
	}
	initCmd.Flags().IntVar(&vals, "validators", 4, "validators")
	initCmd.Flags().IntVar(&full, "full-nodes", 1, "full nodes (no validator key)")
	initCmd.Flags().StringVar(&preset, "preset", "test", "genesis preset: test (200 ms blocks) or devnet (1 s)")
	start := &cobra.Command{
		Use:   "start [--dir ./testnet-out]",
		Short: "Run every node of a generated testnet as a process until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lay, err := testnet.Load(dir)
			if err != nil {
				return err
			}
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			return testnet.Start(cmd.Context(), lay, bin, cmd.OutOrStdout())
		},
	}
	status := &cobra.Command{
		Use:   "status [--dir ./testnet-out]",
		Short: "Show height, peers and last block time of every node",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lay, err := testnet.Load(dir)
			if err != nil {
				return err
			}
			return testnet.PrintStatus(cmd.OutOrStdout(), testnet.Status(cmd.Context(), lay))
		},
	}
	cmd.PersistentFlags().StringVar(&dir, "dir", "./testnet-out", "testnet directory")
	cmd.AddCommand(initCmd, start, status)
	return cmd
}
