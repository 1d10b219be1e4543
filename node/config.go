package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pelletier/go-toml/v2"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/txpool"
)

// Config is a node's configuration, read from <home>/config/config.toml.
type Config struct {
	// Home is the node's directory; relative paths below are inside it.
	Home string `toml:"-"`

	Genesis      string `toml:"genesis"`       // genesis JSON
	DataDir      string `toml:"data_dir"`      // Pebble database
	ValidatorKey string `toml:"validator_key"` // consensus key; empty: not a validator
	NodeKey      string `toml:"node_key"`      // p2p identity
	// Upgrades names the governance-scheduled upgrades this binary
	// implements; at a scheduled upgrade not listed, the node stops.
	Upgrades []string `toml:"upgrades"`

	RPC     RPCConfig     `toml:"rpc"`
	Metrics MetricsConfig `toml:"metrics"`
	Log     LogConfig     `toml:"log"`
	TxPool  txpool.Config `toml:"txpool"`
	P2P     P2PConfig     `toml:"p2p"`
	Storage StorageConfig `toml:"storage"`
	Index   IndexConfig   `toml:"index"`
	// Chaos holds fault switches for the chaos suite; they take effect
	// only in a binary built with -tags chaos (others refuse to start).
	Chaos ChaosConfig `toml:"chaos"`

	// Explorer serves the built-in block explorer (package explorer).
	Explorer ExplorerConfig `toml:"explorer"`
}

// ChaosConfig are test-only faults.
type ChaosConfig struct {
	Equivocate  bool  `toml:"equivocate"`    // sign a conflicting vote for every vote
	ClockSkewMs int64 `toml:"clock_skew_ms"` // run the clock this far ahead
	// Spam floods the peers with invalid and oversized gossip, gapped and
	// unfunded txs and forged block announcements (node/chaos_spam.go).
	Spam     bool `toml:"spam"`
	SpamRate int  `toml:"spam_rate"` // messages per second; 0: 200
}

// Bounds of [chaos] spam_rate. The default is enough for the peers to
// refuse (and ban) the spammer within a second, and low enough that a
// 2-core test machine is not the bottleneck; the bound keeps the fault a
// test of defences, not of the box.
const (
	spamDefaultRate = 200
	spamMaxRate     = 5000
)

// RPCConfig configures the JSON-RPC server (HTTP and WebSocket on one port).
type RPCConfig struct {
	Addr          string   `toml:"addr"`            // host:port; empty disables RPC
	CORSOrigins   []string `toml:"cors_origins"`    // browser origins allowed, HTTP and WebSocket; "*" for any
	VHosts        []string `toml:"vhosts"`          // Host names accepted, HTTP and WebSocket; "*" for any
	BatchItems    int      `toml:"batch_items"`     // max requests in a batch
	BatchBytes    int      `toml:"batch_bytes"`     // max bytes of a batch response
	BodyBytes     int      `toml:"body_bytes"`      // max bytes of a request
	SubsPerConn   int      `toml:"subs_per_conn"`   // max live subscriptions per connection
	MaxPendingTxs int      `toml:"max_pending_txs"` // reserved
}

// ExplorerConfig configures the built-in block explorer: a web page and,
// at /rpc on the same address, the node's JSON-RPC with all its limits and
// Host checks (so the address exposes what the RPC does, no more).
type ExplorerConfig struct {
	Addr string `toml:"addr"` // host:port; empty disables it (taod devnet: 127.0.0.1:8080)
}

// MetricsConfig configures the Prometheus endpoint.
type MetricsConfig struct {
	Addr string `toml:"addr"` // empty disables metrics
	// PProf also serves Go's profiles at /debug/pprof/ on Addr (off by
	// default: they expose the heap and can stall the node).
	PProf bool `toml:"pprof"`
}

// LogConfig configures zap.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // json or console
}

// StorageConfig sizes the store's memory (state.Options); zero takes the
// default. Together they bound most of a node's resident memory beyond the
// Go heap: block cache + up to 4 memtables + trie-node and flat caches.
// `taod init` writes the defaults out (state.Default*), chosen by
// measurement: docs/notes/memory.md.
type StorageConfig struct {
	CacheMB     int `toml:"cache_mb" comment:"Pebble block cache, MB (C memory with cgo: outside the Go heap and GOMEMLIMIT)"`
	MemTableMB  int `toml:"memtable_mb" comment:"one Pebble memtable, MB; Pebble holds up to 4 while flushing"`
	TrieCacheMB int `toml:"trie_cache_mb" comment:"trie nodes' share of the state cache, MB (one cache with flat_cache_mb, off the Go heap; at least 32 once full)"`
	FlatCacheMB int `toml:"flat_cache_mb" comment:"recently read account and storage values' share of the state cache, MB (summed with trie_cache_mb)"`
	OpenFiles   int `toml:"open_files" comment:"file handles for Pebble"`
	// GoMemoryLimitMB is `taod start`'s soft limit for the Go runtime
	// (runtime/debug.SetMemoryLimit); GOMEMLIMIT in the environment wins.
	// Without it Go lets its heap grow to twice what is live before
	// collecting, which under a block of 10,000 transfers was ~200 MB of a
	// 330 MB RSS. It is soft: past it Go collects more often (at most half
	// the CPU), it never fails an allocation. 0: no limit.
	GoMemoryLimitMB int `toml:"go_memory_limit_mb" comment:"soft limit of the Go runtime's memory, MB (GOMEMLIMIT wins; 0: none); the caches above are outside it"`
}

// DefaultGoMemoryLimitMB is the Go runtime's soft memory limit `taod init`
// writes. A busy node keeps ~50 MB live besides its txpool (at most
// max_bytes, 64 MiB of Tx.MemSize by default), so a full pool still fits;
// without a limit the Go side of one node under 100,000 transfers took
// ~200 MB, with 128 MiB ~127 MB at the same speed (docs/notes/memory.md).
const DefaultGoMemoryLimitMB = 128

// defaultStorage is what `taod init` writes: state's defaults, spelled out.
func defaultStorage() StorageConfig {
	return StorageConfig{CacheMB: state.DefaultCacheMB, MemTableMB: state.DefaultMemTableMB,
		TrieCacheMB: state.DefaultTrieCacheMB, FlatCacheMB: state.DefaultFlatCacheMB, OpenFiles: state.DefaultHandles,
		GoMemoryLimitMB: DefaultGoMemoryLimitMB}
}

// IndexConfig switches the node-local event indexes (state/index.go):
// account history and per-UID epoch results, written with each block.
// Off by default (validators need none); `taod init --preset devnet` turns
// it on. Switched on later, it indexes from the next block.
//
// KeepBlocks bounds it: 0 keeps every block's entries (the index grows with
// the chain, ~111 B per transfer); N keeps the last N blocks', each commit
// deleting those that fell out of the window (a bounded amount per block:
// lowered, or set on an old index, the floor catches up over the following
// blocks). Reads say where the index starts (tao_getAccountHistory's
// indexedFrom); the floor survives restarts, and raising N again does not
// bring pruned entries back.
type IndexConfig struct {
	Enabled    bool   `toml:"enabled"`
	KeepBlocks uint64 `toml:"keep_blocks" comment:"with enabled: keep the index entries of the last keep_blocks blocks only, pruning older ones as blocks commit (0: keep all; the index grows ~111 B per transfer)"`
}

// P2PConfig configures the libp2p host: listen addresses and bootstrap peers.
type P2PConfig struct {
	Listen    []string `toml:"listen"`
	Bootstrap []string `toml:"bootstrap"`
	// SharedIPs are CIDR prefixes where many nodes share one address (a
	// NAT, one host running a process testnet): bans never cover them and
	// the per-IP connection limit does not apply. Unset: loopback.
	SharedIPs []string `toml:"shared_ips,omitempty"`
	// MaxConnsPerIP bounds connections from one IPv4 address or IPv6 /56
	// outside SharedIPs; 0 takes p2p's default (8).
	MaxConnsPerIP int `toml:"max_conns_per_ip,omitempty"`
	// FullProposals sends proposals with their whole block instead of the
	// compact form (tx hashes, the txs completed from the receiver's pool
	// and fetched from the relayer): for comparison and diagnosis. Both
	// forms are always received.
	FullProposals bool `toml:"full_proposals,omitempty"`
}

// DefaultConfig returns the configuration `taod init` writes.
func DefaultConfig(home string) Config {
	return Config{
		Home:         home,
		Genesis:      "config/genesis.json",
		DataDir:      "data",
		ValidatorKey: "config/validator_key",
		NodeKey:      "config/node_key",
		RPC: RPCConfig{
			Addr:        "127.0.0.1:9944",
			VHosts:      []string{"localhost"},
			BatchItems:  100,
			BatchBytes:  10 << 20,
			BodyBytes:   5 << 20,
			SubsPerConn: 16,
		},
		Metrics: MetricsConfig{Addr: "127.0.0.1:9615"},
		Log:     LogConfig{Level: "info", Format: "json"},
		TxPool:  txpool.DefaultConfig(),
		Storage: defaultStorage(),
		P2P:     P2PConfig{Listen: []string{"/ip4/0.0.0.0/tcp/30333", "/ip4/0.0.0.0/udp/30333/quic-v1"}},
	}
}

// Path resolves p against Home.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Home, p)
}

// Validate reports configuration mistakes before anything starts.
func (c *Config) Validate() error {
	switch {
	case c.Home == "":
		return errors.New("node: home directory not set")
	case c.Genesis == "" || c.DataDir == "":
		return errors.New("node: genesis and data_dir must be set")
	case c.Storage.CacheMB < 0 || c.Storage.MemTableMB < 0 || c.Storage.TrieCacheMB < 0 || c.Storage.FlatCacheMB < 0 || c.Storage.OpenFiles < 0 || c.Storage.GoMemoryLimitMB < 0:
		return errors.New("node: storage sizes must not be negative (0 takes the default)")
	case c.Metrics.PProf && c.Metrics.Addr == "":
		return errors.New("node: [metrics] pprof needs a metrics address (--metrics.addr) to serve on")
	case c.Explorer.Addr != "" && c.RPC.Addr == "":
		return errors.New("node: the explorer serves the RPC's API: it needs an RPC address (--rpc.addr)")
	case c.RPC.Addr != "" && (c.RPC.BatchItems <= 0 || c.RPC.BatchBytes <= 0 || c.RPC.BodyBytes <= 0 || c.RPC.SubsPerConn <= 0):
		return errors.New("node: rpc limits must be positive")
	}
	switch c.Log.Format {
	case "json", "console":
	default:
		return fmt.Errorf("node: log format %q: want json or console", c.Log.Format)
	}
	if c.Chaos != (ChaosConfig{}) && !chaosBuilt {
		return errNoChaos
	}
	if c.Chaos.SpamRate < 0 || c.Chaos.SpamRate > spamMaxRate {
		return fmt.Errorf("node: [chaos] spam_rate %d: want 0 (default %d) to %d messages/s", c.Chaos.SpamRate, spamDefaultRate, spamMaxRate)
	}
	return c.TxPool.Validate()
}

// ConfigFile is where a home keeps its config.
func ConfigFile(home string) string { return filepath.Join(home, "config", "config.toml") }

// LoadConfig reads <home>/config/config.toml over the defaults.
func LoadConfig(home string) (Config, error) {
	cfg := DefaultConfig(home)
	b, err := os.ReadFile(ConfigFile(home))
	if err != nil {
		return cfg, fmt.Errorf("node: read config (run `taod init` first?): %w", err)
	}
	if err := toml.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("node: parse %s: %w", ConfigFile(home), err)
	}
	cfg.Home = home
	return cfg, cfg.Validate()
}

// Save writes the config to <home>/config/config.toml.
func (c *Config) Save() error {
	b, err := toml.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(ConfigFile(c.Home)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(ConfigFile(c.Home), b, 0o644)
}
