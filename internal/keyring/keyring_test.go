package keyring

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestKeyring(t *testing.T) {
	k := &Keyring{Dir: t.TempDir(), ScryptN: keystore.LightScryptN, ScryptP: keystore.LightScryptP}
	e, err := k.Create("alice", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Create("alice", "pw"); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := k.Create("../evil", "pw"); !errors.Is(err, ErrBadName) {
		t.Fatalf("bad name: %v", err)
	}
	got, err := k.Get("alice")
	if err != nil || got.Address != e.Address {
		t.Fatalf("get: %+v %v", got, err)
	}
	key, err := Unlock(e.Path, "pw")
	if err != nil || crypto.PubkeyToAddress(key.PublicKey) != e.Address {
		t.Fatalf("unlock: %v", err)
	}
	if _, err := Unlock(e.Path, "wrong"); err == nil {
		t.Fatal("wrong password unlocked the key")
	}
	k.Create("bob", "")
	list, _ := k.List()
	if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" {
		t.Fatalf("list: %+v", list)
	}
	if _, err := k.Get("carol"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}
