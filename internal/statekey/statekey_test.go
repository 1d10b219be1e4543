package statekey

import (
	"bytes"
	"testing"
)

type mapStore map[string][]byte

func (m mapStore) Get(k []byte) []byte { return m[string(k)] }
func (m mapStore) Set(k, v []byte) {
	if v == nil {
		delete(m, string(k))
		return
	}
	m[string(k)] = v
}

func TestKeyAndU64(t *testing.T) {
	if got := Key('k', []byte{1, 2}, U16(0x0304), U64(5)); !bytes.Equal(got, []byte{'k', 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 5}) {
		t.Fatalf("Key = %x", got)
	}
	st := mapStore{}
	SetU64(st, []byte("a"), 7)
	if GetU64(st, []byte("a")) != 7 || !bytes.Equal(st["a"], U64(7)) {
		t.Fatalf("stored %x", st["a"])
	}
	SetU64(st, []byte("a"), 0)
	if _, ok := st["a"]; ok {
		t.Fatal("a zero was stored instead of deleting the key")
	}
	st["b"] = []byte{1, 2}
	if GetU64(st, []byte("b")) != 0 {
		t.Fatal("a value of another length read as a u64")
	}
}
