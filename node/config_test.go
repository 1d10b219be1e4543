package node

import "testing"

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
