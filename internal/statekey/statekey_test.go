package statekey

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
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

type rec struct {
	A uint64
	B []byte
}

func TestRecord(t *testing.T) {
	m := mapStore{}
	if _, ok := Record[rec](m, []byte("k"), "test"); ok {
		t.Fatal("absent key read as present")
	}
	want := rec{A: 7, B: []byte("x")}
	b, _ := rlp.EncodeToBytes(&want)
	m.Set([]byte("k"), b)
	got, ok := Record[rec](m, []byte("k"), "test")
	if !ok || got.A != want.A || !bytes.Equal(got.B, want.B) {
		t.Fatalf("got %+v, %v; want %+v", got, ok, want)
	}
	m.Set([]byte("bad"), []byte{0xc1}) // a list header with no content
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "corrupt test record") || !strings.Contains(msg, "626164") {
			t.Fatalf("corrupt record: panic %q, want one naming the record and its key", msg)
		}
	}()
	Record[rec](m, []byte("bad"), "test")
	t.Fatal("a corrupt record decoded without a panic")
}
