package node

import (
	"os"
	"path/filepath"
	"strings"
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

// taod init writes [index] keep_blocks = 0 (keep every block) with the
// comment that explains it, and a value set there is read back.
func TestInitWritesIndexKeepBlocks(t *testing.T) {
	home := filepath.Join(t.TempDir(), "devnet")
	if _, _, err := InitHome(home, InitOptions{Preset: "devnet", Now: time.Unix(1_700_000_000, 0)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ConfigFile(home))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "keep_blocks = 0")
	if i < 0 || !strings.Contains(text[:i], "# with enabled: keep the index entries of the last keep_blocks blocks only") {
		t.Fatalf("config.toml has no commented keep_blocks = 0:\n%s", text)
	}
	if err := os.WriteFile(ConfigFile(home), []byte(strings.Replace(text, "keep_blocks = 0", "keep_blocks = 5000", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(home)
	if err != nil || cfg.Index.KeepBlocks != 5000 || !cfg.Index.Enabled {
		t.Fatalf("read back: %+v, %v", cfg.Index, err)
	}
}
