package node

import (
	"path/filepath"
	"testing"
	"time"
)

// The event index is on in a devnet home (the explorer's account history
// and per-epoch charts read it) and off in a mainnet one (a validator needs
// none), as written to config.toml and read back.
func TestInitIndexOnInDevnetOnly(t *testing.T) {
	for preset, want := range map[string]bool{"devnet": true, "mainnet": false} {
		home := filepath.Join(t.TempDir(), preset)
		if _, _, err := InitHome(home, InitOptions{Preset: preset, Now: time.Unix(1_700_000_000, 0)}); err != nil {
			t.Fatalf("%s: %v", preset, err)
		}
		cfg, err := LoadConfig(home)
		if err != nil {
			t.Fatalf("%s: %v", preset, err)
		}
		if cfg.Index.Enabled != want {
			t.Errorf("%s home: [index] enabled = %v, want %v", preset, cfg.Index.Enabled, want)
		}
	}
}
