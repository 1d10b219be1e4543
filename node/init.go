package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/keyring"
	"github.com/taonet/taod/types"
)

// InitOptions says what `taod init` creates.
type InitOptions struct {
	Preset     string    // mainnet, devnet or test
	ChainID    uint64    // overrides the preset's chain ID when non-zero
	DevKeys    int       // funded dev accounts (devnet/test); their keystores go to <home>/keys
	DevBalance uint64    // rao per dev account
	Now        time.Time // genesis time
}

// ErrHomeExists reports an initialised home that init would overwrite.
var ErrHomeExists = errors.New("node: home is already initialised")

// DevKeyring is the keyring holding a devnet home's dev keys (empty password).
func DevKeyring(home string) *keyring.Keyring {
	return &keyring.Keyring{Dir: filepath.Join(home, "keys"), ScryptN: keystore.LightScryptN, ScryptP: keystore.LightScryptP}
}

// InitHome creates a node home: validator and node keys, a genesis naming
// this node's validator key as the bootstrap validator, dev keystores, and
// the default config.
func InitHome(home string, o InitOptions) (Config, *chain.Genesis, error) {
	cfg := DefaultConfig(home)
	if _, err := os.Stat(ConfigFile(home)); err == nil {
		return cfg, nil, fmt.Errorf("%w: %s", ErrHomeExists, ConfigFile(home))
	}
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		return cfg, nil, err
	}
	vk, err := LoadOrCreateValidatorKey(cfg.Path(cfg.ValidatorKey))
	if err != nil {
		return cfg, nil, err
	}
	if _, err := LoadOrCreateNodeKey(cfg.Path(cfg.NodeKey)); err != nil {
		return cfg, nil, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var funded []types.Address
	if o.Preset != "mainnet" {
		funded = devkeys.Addresses(o.DevKeys)
	}
	g, err := chain.Preset(o.Preset, uint64(o.Now.UnixMilli()), []types.Address{crypto.PubkeyToAddress(vk.PublicKey)}, funded, o.DevBalance)
	if err != nil {
		return cfg, nil, err
	}
	if o.ChainID != 0 {
		g.ChainID = o.ChainID
	}
	if err := g.Save(cfg.Path(cfg.Genesis)); err != nil {
		return cfg, nil, err
	}
	kr := DevKeyring(home)
	for i := range funded {
		if _, err := kr.Import(fmt.Sprintf("dev%d", i), devkeys.Key(i), ""); err != nil && !errors.Is(err, keyring.ErrExists) {
			return cfg, nil, err
		}
	}
	if o.Preset == "devnet" {
		cfg.Log.Format = "console"
		cfg.Index.Enabled = true                              // the explorer and account history read it
		cfg.P2P.Listen = []string{"/ip4/127.0.0.1/tcp/30333"} // a one-node chain needs no peers
	}
	return cfg, g, cfg.Save()
}
