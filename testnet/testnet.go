package testnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	lcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

// Options say what network to generate.
type Options struct {
	Dir        string
	Validators int
	FullNodes  int
	Preset     string // "test" (200 ms blocks) or "devnet" (1 s)
	DevKeys    int    // funded dev accounts
	DevBalance uint64 // rao each; default 1,000,000 TAO
	// Addr gives node i's IP (process testnet: 127.0.0.(i+1)); DNS gives its
	// host name instead (docker: node0, node1, …). One of the two.
	Addr func(i int) string
	DNS  func(i int) string
	// Ports of node i: p2p and RPC (metrics is RPC+1000 in process mode).
	P2PPort, RPCPort func(i int) int
	// ListenAll makes nodes listen on 0.0.0.0 (containers).
	ListenAll bool
	// Genesis, when set, adjusts the genesis before it is written.
	Genesis func(*chain.Genesis)
	Now     time.Time
}

// NodeInfo describes one generated node.
type NodeInfo struct {
	Name      string        `json:"name"`
	Home      string        `json:"home"`
	Validator bool          `json:"validator"`
	Consensus types.Address `json:"consensus_key,omitempty"`
	PeerID    string        `json:"peer_id"`
	P2P       string        `json:"p2p"` // multiaddr peers dial, with /p2p/<id>
	RPC       string        `json:"rpc"` // host:port clients call (host side)
}

// Layout is a generated network, saved as <dir>/testnet.json.
type Layout struct {
	Dir     string     `json:"dir"`
	ChainID uint64     `json:"chain_id"`
	Preset  string     `json:"preset"`
	Nodes   []NodeInfo `json:"nodes"`
}

// ErrExists reports a directory that already holds a testnet.
var ErrExists = errors.New("testnet: directory already holds a testnet (remove it first)")

// LayoutFile is where Generate saves the layout.
func LayoutFile(dir string) string { return filepath.Join(dir, "testnet.json") }

// ProcessAddrs returns the options of a process testnet on 127.0.0.(i+1)
// with the standard ports.
func ProcessAddrs(o Options) Options {
	o.Addr = func(i int) string { return fmt.Sprintf("127.0.0.%d", i+1) }
	o.P2PPort = func(int) int { return 30333 }
	o.RPCPort = func(int) int { return 9944 }
	return o
}

// Generate writes the homes, the shared genesis and the layout.
func Generate(o Options) (*Layout, error) {
	if o.Validators < 1 {
		return nil, errors.New("testnet: at least one validator")
	}
	if o.Preset == "" {
		o.Preset = "test"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.DevBalance == 0 {
		o.DevBalance = 1_000_000 * types.RaoPerTAO
	}
	if _, err := os.Stat(LayoutFile(o.Dir)); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, o.Dir)
	}
	n := o.Validators + o.FullNodes
	lay := &Layout{Dir: o.Dir, Preset: o.Preset}
	cfgs := make([]node.Config, n)
	var vals []types.Address
	for i := 0; i < n; i++ {
		ni := NodeInfo{Name: fmt.Sprintf("node%d", i), Validator: i < o.Validators}
		ni.Home = filepath.Join(o.Dir, ni.Name)
		cfg := node.DefaultConfig(ni.Home)
		if err := os.MkdirAll(filepath.Join(ni.Home, "config"), 0o700); err != nil {
			return nil, err
		}
		if ni.Validator {
			k, err := node.LoadOrCreateValidatorKey(cfg.Path(cfg.ValidatorKey))
			if err != nil {
				return nil, err
			}
			ni.Consensus = crypto.PubkeyToAddress(k.PublicKey)
			vals = append(vals, ni.Consensus)
		} else {
			cfg.ValidatorKey = ""
		}
		nk, err := node.LoadOrCreateNodeKey(cfg.Path(cfg.NodeKey))
		if err != nil {
			return nil, err
		}
		lk, err := lcrypto.UnmarshalEd25519PrivateKey(nk)
		if err != nil {
			return nil, err
		}
		id, err := peer.IDFromPrivateKey(lk)
		if err != nil {
			return nil, err
		}
		ni.PeerID = id.String()
		host := ""
		if o.DNS != nil {
			host = o.DNS(i)
			ni.P2P = fmt.Sprintf("/dns4/%s/tcp/%d/p2p/%s", host, o.P2PPort(i), id)
		} else {
			host = o.Addr(i)
			ni.P2P = fmt.Sprintf("/ip4/%s/tcp/%d/p2p/%s", host, o.P2PPort(i), id)
		}
		listenIP, rpcHost := host, host
		if o.ListenAll {
			listenIP, rpcHost = "0.0.0.0", "0.0.0.0"
			cfg.RPC.VHosts = []string{"*"}
		}
		cfg.P2P.Listen = []string{fmt.Sprintf("/ip4/%s/tcp/%d", listenIP, o.P2PPort(i))}
		cfg.RPC.Addr = fmt.Sprintf("%s:%d", rpcHost, o.RPCPort(i))
		cfg.Metrics.Addr = fmt.Sprintf("%s:%d", rpcHost, o.RPCPort(i)+1000)
		ni.RPC = cfg.RPC.Addr
		cfgs[i] = cfg
		lay.Nodes = append(lay.Nodes, ni)
	}
	g, err := chain.Preset(o.Preset, uint64(o.Now.UnixMilli()), vals, devkeys.Addresses(o.DevKeys), o.DevBalance)
	if err != nil {
		return nil, err
	}
	if o.Genesis != nil {
		o.Genesis(g)
		if err := g.Validate(); err != nil {
			return nil, err
		}
	}
	lay.ChainID = g.ChainID
	for i := range cfgs {
		for j, other := range lay.Nodes {
			if j != i {
				cfgs[i].P2P.Bootstrap = append(cfgs[i].P2P.Bootstrap, other.P2P)
			}
		}
		if err := g.Save(cfgs[i].Path(cfgs[i].Genesis)); err != nil {
			return nil, err
		}
		if err := cfgs[i].Save(); err != nil {
			return nil, err
		}
	}
	kr := node.DevKeyring(o.Dir)
	for i := 0; i < o.DevKeys; i++ {
		if _, err := kr.Import(fmt.Sprintf("dev%d", i), devkeys.Key(i), ""); err != nil {
			return nil, err
		}
	}
	b, _ := json.MarshalIndent(lay, "", "  ")
	return lay, os.WriteFile(LayoutFile(o.Dir), append(b, '\n'), 0o644)
}

// Load reads a generated layout.
func Load(dir string) (*Layout, error) {
	b, err := os.ReadFile(LayoutFile(dir))
	if err != nil {
		return nil, fmt.Errorf("testnet: no testnet in %s (run `taod testnet init` first): %w", dir, err)
	}
	lay := new(Layout)
	if err := json.Unmarshal(b, lay); err != nil {
		return nil, fmt.Errorf("testnet: %s: %w", LayoutFile(dir), err)
	}
	return lay, nil
}
