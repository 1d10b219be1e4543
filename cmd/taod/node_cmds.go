package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

func defaultHome() string {
	if h := os.Getenv("TAOD_HOME"); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".taod"
	}
	return filepath.Join(dir, ".taod", "node")
}

func newInitCmd() *cobra.Command {
	var (
		home, preset string
		chainID      uint64
		devKeys      int
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: genesis, validator and node keys, config",
		Long: `init creates a node home directory with:
  config/config.toml     node configuration (RPC, metrics, txpool, logs)
  config/genesis.json    the chain's genesis from a preset
  config/validator_key   this node's consensus key (secp256k1, hex, mode 0600)
  config/node_key        this node's p2p identity (Ed25519 seed, hex, mode 0600)
  keys/devN.json         funded dev keystores (devnet and test presets; empty password)

Presets: mainnet (fair launch: no allocations, every rao is minted),
devnet (1 s blocks, funded dev keys), test (200 ms blocks, for integration tests).
This node's validator key is the genesis bootstrap validator.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, g, err := node.InitHome(home, node.InitOptions{Preset: preset, ChainID: chainID, DevKeys: devKeys, DevBalance: 1_000_000 * types.RaoPerTAO})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "initialised %s (preset %s, chain ID %d, validator %s)\n", home, preset, g.ChainID, g.Validators[0].Address)
			return nil
		},
	}
	cmd.Flags().StringVar(&home, "home", defaultHome(), "node home directory (env TAOD_HOME)")
	cmd.Flags().StringVar(&preset, "preset", "devnet", "genesis preset: "+strings.Join(chain.Presets, ", "))
	cmd.Flags().Uint64Var(&chainID, "chain-id", 0, "override the preset's chain ID")
	cmd.Flags().IntVar(&devKeys, "dev-keys", 4, "funded dev accounts (not on mainnet)")
	return cmd
}

// nodeFlags are the flags start and devnet share; set ones override config.toml.
type nodeFlags struct {
	rpcAddr, metricsAddr, logLevel, logFormat string
	explorerAddr                              string
	cors, vhosts, upgrades, p2pListen, boot   []string
	pprof                                     bool
}

func (f *nodeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.rpcAddr, "rpc.addr", "", "JSON-RPC listen address, HTTP and WebSocket (default from config: 127.0.0.1:9944; empty string in config disables)")
	cmd.Flags().StringSliceVar(&f.cors, "rpc.corsdomain", nil, "browser origins allowed to call the RPC over HTTP and WebSocket (comma-separated, * for any; default none: no browser page can)")
	cmd.Flags().StringSliceVar(&f.vhosts, "rpc.vhosts", nil, "Host header names accepted by the RPC, HTTP and WebSocket (comma-separated, * for any; default localhost)")
	cmd.Flags().StringVar(&f.explorerAddr, "explorer.addr", "", "block explorer web page listen address; it also serves the JSON-RPC at /rpc, with the RPC's limits and Host checks (default off; taod devnet: 127.0.0.1:8080; empty string disables)")
	cmd.Flags().StringVar(&f.metricsAddr, "metrics.addr", "", "Prometheus metrics listen address (default from config: 127.0.0.1:9615)")
	cmd.Flags().BoolVar(&f.pprof, "pprof", false, "also serve Go profiles at /debug/pprof/ on the metrics address (config: [metrics] pprof = true); off by default: anyone reaching the port could read the heap or stall the node with a profile")
	cmd.Flags().StringVar(&f.logLevel, "log.level", "", "log level: debug, info, warn, error")
	cmd.Flags().StringVar(&f.logFormat, "log.format", "", "log format: json or console")
	cmd.Flags().StringSliceVar(&f.p2pListen, "p2p.listen", nil, "libp2p listen multiaddrs (comma-separated; default from config: TCP and QUIC on :30333; empty disables p2p)")
	cmd.Flags().StringSliceVar(&f.boot, "p2p.bootstrap", nil, "bootstrap peers, multiaddrs ending in /p2p/<peer id> (comma-separated)")
	cmd.Flags().StringSliceVar(&f.upgrades, "upgrade", nil, "governance-scheduled upgrades this binary implements (the node stops at a scheduled upgrade it does not list)")
}

func (f *nodeFlags) apply(cmd *cobra.Command, cfg *node.Config) {
	if cmd.Flags().Changed("rpc.addr") {
		cfg.RPC.Addr = f.rpcAddr
	}
	if cmd.Flags().Changed("rpc.corsdomain") {
		cfg.RPC.CORSOrigins = f.cors
	}
	if cmd.Flags().Changed("rpc.vhosts") {
		cfg.RPC.VHosts = f.vhosts
	}
	if cmd.Flags().Changed("metrics.addr") {
		cfg.Metrics.Addr = f.metricsAddr
	}
	if cmd.Flags().Changed("explorer.addr") {
		cfg.Explorer.Addr = f.explorerAddr
	}
	if cmd.Flags().Changed("pprof") {
		cfg.Metrics.PProf = f.pprof
	}
	if f.logLevel != "" {
		cfg.Log.Level = f.logLevel
	}
	if f.logFormat != "" {
		cfg.Log.Format = f.logFormat
	}
	cfg.Upgrades = append(cfg.Upgrades, f.upgrades...)
	if cmd.Flags().Changed("p2p.listen") {
		cfg.P2P.Listen = f.p2pListen
	}
	if cmd.Flags().Changed("p2p.bootstrap") {
		cfg.P2P.Bootstrap = f.boot
	}
}

func newLogger(c node.LogConfig) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(c.Level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", c.Level, err)
	}
	zc := zap.NewProductionConfig()
	if c.Format == "console" {
		zc = zap.NewDevelopmentConfig()
		zc.DisableStacktrace = true
		zc.EncoderConfig.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	}
	zc.Level = zap.NewAtomicLevelAt(lvl)
	zc.Sampling = nil
	return zc.Build()
}

// runNode starts a node from its home and runs it until ctx ends.
func runNode(cmd *cobra.Command, cfg node.Config) error {
	log, err := newLogger(cfg.Log)
	if err != nil {
		return err
	}
	defer log.Sync()
	if mb := cfg.Storage.GoMemoryLimitMB; mb > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// Process-wide, so set here and not by node.New: several nodes in
		// one process (tests) must not overwrite each other's limit.
		debug.SetMemoryLimit(int64(mb) << 20)
	}
	n, err := node.New(cfg, log)
	if err != nil {
		return err
	}
	runErr := n.Run(cmd.Context())
	if err := n.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

func newStartCmd() *cobra.Command {
	var (
		home string
		f    nodeFlags
	)
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run a node from an initialised home",
		Long: `start runs the node in the foreground until SIGINT/SIGTERM: the store, the txpool,
block production (when its validator key is in the validator set), JSON-RPC and metrics.
Flags override config/config.toml for this run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := node.LoadConfig(home)
			if err != nil {
				return err
			}
			f.apply(cmd, &cfg)
			if err := cfg.Validate(); err != nil {
				return err
			}
			return runNode(cmd, cfg)
		},
	}
	cmd.Flags().StringVar(&home, "home", defaultHome(), "node home directory (env TAOD_HOME)")
	f.register(cmd)
	return cmd
}

// devnetExplorer is where taod devnet serves the explorer unless told otherwise.
const devnetExplorer = "127.0.0.1:8080"

func newDevnetCmd() *cobra.Command {
	var (
		home  string
		reset bool
		f     nodeFlags
	)
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a one-validator local chain with funded dev keys (no setup needed)",
		Long: `devnet starts a one-validator chain in the foreground: 1 s blocks, JSON-RPC
(HTTP and WebSocket) on 127.0.0.1:9944, the block explorer on http://127.0.0.1:8080/,
metrics on 127.0.0.1:9615, four dev accounts
with 1,000,000 TAO each (keystores with an empty password in <home>/keys).

The first run creates the home (default ./.devnet); later runs resume the same
chain. --reset deletes the home and starts a new chain. Ctrl-C stops it cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			abs, _ := filepath.Abs(home)
			if reset {
				if err := os.RemoveAll(home); err != nil {
					return err
				}
				fmt.Fprintf(out, "reset: removed %s\n", abs)
			}
			cfg, err := node.LoadConfig(home)
			if err != nil {
				if _, statErr := os.Stat(node.ConfigFile(home)); !errors.Is(statErr, os.ErrNotExist) {
					return err
				}
				if _, _, err := node.InitHome(home, node.InitOptions{Preset: "devnet", DevKeys: 4, DevBalance: 1_000_000 * types.RaoPerTAO, Now: time.Now()}); err != nil {
					return err
				}
				fmt.Fprintf(out, "created a new devnet in %s\n", abs)
				if cfg, err = node.LoadConfig(home); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "resuming the devnet in %s (--reset starts over)\n", abs)
			}
			f.apply(cmd, &cfg)
			if cfg.Explorer.Addr == "" && cfg.RPC.Addr != "" && !cmd.Flags().Changed("explorer.addr") {
				cfg.Explorer.Addr = devnetExplorer // on by default in a devnet; --explorer.addr "" turns it off
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			fmt.Fprintf(out, "\nDev accounts (1,000,000 TAO each at genesis; keystores, empty password):\n")
			kr := node.DevKeyring(home)
			for i := 0; i < 4; i++ {
				e, err := kr.Get(fmt.Sprintf("dev%d", i))
				if err != nil {
					continue
				}
				fmt.Fprintf(out, "  dev%d  %s  %s\n", i, devkeys.Address(i).Hex(), e.Path)
			}
			fmt.Fprintf(out, "\nRPC      http://%s  (WebSocket ws://%s)\n", cfg.RPC.Addr, cfg.RPC.Addr)
			if cfg.Explorer.Addr != "" {
				fmt.Fprintf(out, "Explorer http://%s/\n", cfg.Explorer.Addr)
			}
			if cfg.Metrics.Addr != "" {
				fmt.Fprintf(out, "Metrics  http://%s/metrics\n", cfg.Metrics.Addr)
			}
			fmt.Fprintf(out, "Try      taod tx transfer --from dev0 --to %s --amount 1.5\n\n", devkeys.Address(1).Hex())
			return runNode(cmd, cfg)
		},
	}
	cmd.Flags().StringVar(&home, "home", ".devnet", "devnet home directory")
	cmd.Flags().BoolVar(&reset, "reset", false, "delete the devnet's home and start a new chain")
	f.register(cmd)
	addDemo(cmd, &home) // --demo: the example subnet market (demo.go)
	return cmd
}
