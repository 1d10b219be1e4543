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
'docker' writes the same network as a docker-compose testnet of FROM scratch containers;
'status' shows each node's height, peers and last block (of either kind).`,
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
	var (
		image, project string
		hostPort       int
	)
	dockerCmd := &cobra.Command{
		Use:   "docker [--validators 4] [--full-nodes 1] [--dir ./testnet-out]",
		Short: "Write a docker-compose testnet: homes, genesis, configs and docker-compose.yml",
		Long: `docker writes a testnet for docker-compose: every node's home (keys, one shared genesis,
a config whose bootstrap list names the other nodes by DNS name node0, node1, ...), and a
docker-compose.yml with one container per node on one private network, each home bind-mounted
at /data, and node i's JSON-RPC published on 127.0.0.1:<rpc-port + i>.

The image is a FROM scratch image around a static taod: 'make image' builds taod:latest,
'make image-chaos' builds taod:chaos (with the [chaos] fault switches). Nothing is pulled.

  taod testnet docker --dir ./testnet-out
  (cd ./testnet-out && docker-compose up -d)     # or: make testnet-up
  taod testnet status --dir ./testnet-out
  (cd ./testnet-out && docker-compose down -v)   # or: make testnet-down`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lay, info, err := testnet.GenerateDocker(testnet.DockerOptions{
				Dir: dir, Validators: vals, FullNodes: full, Preset: preset, DevKeys: 4,
				Image: image, Project: project, HostRPCPort: hostPort,
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "docker testnet of %d validators and %d full nodes in %s (chain ID %d, image %s)\n", vals, full, dir, lay.ChainID, info.Image)
			for i, n := range lay.Nodes {
				fmt.Fprintf(out, "  %s  container %s  rpc http://%s\n", n.Name, info.Containers[i], n.RPC)
			}
			fmt.Fprintf(out, "compose:  %s (network %s)\ndev keys: %s/keys (empty password)\nrun it:   (cd %s && docker-compose up -d); taod testnet status --dir %s\n",
				info.ComposeFile, info.Network, dir, dir, dir)
			return nil
		},
	}
	dockerCmd.Flags().IntVar(&vals, "validators", 4, "validators")
	dockerCmd.Flags().IntVar(&full, "full-nodes", 1, "full nodes (no validator key)")
	dockerCmd.Flags().StringVar(&preset, "preset", "test", "genesis preset: test (200 ms blocks) or devnet (1 s)")
	dockerCmd.Flags().StringVar(&image, "image", "taod:latest", "image of every node (make image / make image-chaos)")
	dockerCmd.Flags().StringVar(&project, "project", "taod-testnet", "compose project: prefixes the container and network names")
	dockerCmd.Flags().IntVar(&hostPort, "rpc-port", 19944, "node i's RPC is published on 127.0.0.1:<rpc-port + i>")
	cmd.PersistentFlags().StringVar(&dir, "dir", "./testnet-out", "testnet directory")
	cmd.AddCommand(initCmd, start, status, dockerCmd)
	return cmd
}
