package node

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/taonet/taod/state"
)

func TestConfigValidate(t *testing.T) {
	cfg := DefaultConfig(t.TempDir())
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.Log.Format = "xml"
	if bad.Validate() == nil {
		t.Fatal("bad log format accepted")
	}
	bad = cfg
	bad.RPC.BatchItems = 0
	if bad.Validate() == nil {
		t.Fatal("zero batch limit accepted")
	}
	bad = cfg
	bad.Storage.TrieCacheMB = -1
	if bad.Validate() == nil {
		t.Fatal("negative trie cache accepted")
	}
	cfg.Storage.CacheMB = 16
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	back, err := LoadConfig(cfg.Home)
	if err != nil || back.RPC.Addr != cfg.RPC.Addr || back.TxPool != cfg.TxPool || back.Storage != cfg.Storage {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}

// `taod init`'s config spells out the storage sizes and says what each is.
func TestDefaultConfigDocumentsStorage(t *testing.T) {
	cfg := DefaultConfig(t.TempDir())
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ConfigFile(cfg.Home))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{
		"[storage]",
		fmt.Sprintf("cache_mb = %d", state.DefaultCacheMB),
		fmt.Sprintf("memtable_mb = %d", state.DefaultMemTableMB),
		fmt.Sprintf("trie_cache_mb = %d", state.DefaultTrieCacheMB),
		fmt.Sprintf("flat_cache_mb = %d", state.DefaultFlatCacheMB),
		fmt.Sprintf("go_memory_limit_mb = %d", DefaultGoMemoryLimitMB),
		"# Pebble block cache, MB",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("config.toml lacks %q:\n%s", want, text)
		}
	}
}
