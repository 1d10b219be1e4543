package keyring

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
)

func lightKeyring(t *testing.T) *Keyring {
	return &Keyring{Dir: t.TempDir(), ScryptN: keystore.LightScryptN, ScryptP: keystore.LightScryptP}
}

// Export gives the stored keystore; importing it into another keyring under
// the same password gives the same key.
func TestExportImportRoundTrip(t *testing.T) {
	a, b := lightKeyring(t), lightKeyring(t)
	e, err := a.Create("alice", "pw")
	if err != nil {
		t.Fatal(err)
	}
	blob, err := a.Export("alice")
	if err != nil {
		t.Fatal(err)
	}
	if onDisk, _ := a.Get("alice"); onDisk.Address != e.Address {
		t.Fatal("get after export")
	}
	e2, err := b.ImportKeystore("alice2", blob, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if e2.Address != e.Address {
		t.Fatalf("round trip address %s, want %s", e2.Address.Hex(), e.Address.Hex())
	}
	k1, _ := Unlock(e.Path, "pw")
	k2, err := Unlock(e2.Path, "pw")
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("round trip key differs: %v", err)
	}
	if _, err := a.Export("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("export missing: %v", err)
	}
	if _, err := a.Export("../alice"); !errors.Is(err, ErrBadName) {
		t.Fatalf("export bad name: %v", err)
	}
}

// A keystore from outside is refused, before any decryption, when it is
// not a keystore or asks the KDF for too much work; and after, on a wrong
// password. Nothing is written on a refusal.
func TestImportKeystoreRefusals(t *testing.T) {
	k := lightKeyring(t)
	key, _ := crypto.GenerateKey()
	good, err := keystore.EncryptKey(&keystore.Key{Address: crypto.PubkeyToAddress(key.PublicKey), PrivateKey: key}, "pw", keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(c map[string]any)) []byte {
		var v map[string]any
		if err := json.Unmarshal(good, &v); err != nil {
			t.Fatal(err)
		}
		f(v["crypto"].(map[string]any))
		b, _ := json.Marshal(v)
		return b
	}
	param := func(name string, val any) []byte {
		return edit(func(c map[string]any) { c["kdfparams"].(map[string]any)[name] = val })
	}
	if _, err := k.Import("taken", key, "pw"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, as, pw string
		blob         []byte
		want         error
		msg          string
	}{
		{"not JSON", "x", "pw", []byte("hello"), ErrNotKeystore, ""},
		{"too big", "x", "pw", bytes.Repeat([]byte(" "), MaxKeystoreBytes+1), ErrNotKeystore, "at most"},
		{"no crypto", "x", "pw", []byte(`{"address":"00"}`), ErrNotKeystore, "no crypto"},
		{"huge scrypt n", "x", "pw", param("n", 1<<30), ErrNotKeystore, "scrypt parameters"},
		{"huge scrypt p", "x", "pw", param("p", 1000), ErrNotKeystore, "scrypt parameters"},
		{"unknown kdf", "x", "pw", edit(func(c map[string]any) { c["kdf"] = "argon9" }), ErrNotKeystore, "unknown kdf"},
		{"huge pbkdf2", "x", "pw", edit(func(c map[string]any) {
			c["kdf"] = "pbkdf2"
			c["kdfparams"].(map[string]any)["c"] = 1 << 40
		}), ErrNotKeystore, "pbkdf2"},
		{"bad name", "../x", "pw", good, ErrBadName, ""},
		{"taken name", "taken", "pw", good, ErrExists, ""},
		{"wrong password", "x", "nope", good, keystore.ErrDecrypt, ""},
	} {
		_, err := k.ImportKeystore(tc.as, tc.blob, tc.pw)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %v (%q)", tc.name, err, tc.want, tc.msg)
		}
	}
	if list, _ := k.List(); len(list) != 1 {
		t.Fatalf("a refused import wrote a file: %+v", list)
	}
	if e, err := k.ImportKeystore("x", good, "pw"); err != nil || e.Address != crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatalf("good keystore: %+v %v", e, err)
	}
}
