package state

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/ethereum/go-ethereum/common"
)

// failingKV answers every read with err.
type failingKV struct{ err error }

func (f failingKV) Get([]byte) ([]byte, error) { return nil, f.err }

// A read that fails for any reason but "absent" or "closing" must not pass
// for an unset key: executing on would commit a wrong state.
func TestReadErrorsAreNotAbsence(t *testing.T) {
	damaged := fmt.Errorf("pebble: checksum mismatch in 000042.sst: %w", errors.New("corrupt block"))
	for name, read := range map[string]func(kvReader){
		"flat": func(kv kvReader) { newFlatCache(kv, newStateCache(1<<20)).get([]byte("akey")) },
		"trie": func(kv kvReader) {
			if _, err := newNodeDB(kv, newStateCache(1<<20)).Node(common.Hash{}, nil, common.Hash{1}); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), "checksum mismatch") || !strings.Contains(fmt.Sprint(r), "damaged") {
					t.Fatalf("a damaged read did not stop with its cause: %v", r)
				}
			}()
			read(failingKV{damaged})
		})
	}
}

func TestReadAbsentAndClosing(t *testing.T) {
	f := newFlatCache(failingKV{pebble.ErrNotFound}, newStateCache(1<<20))
	if v := f.get([]byte("akey")); v != nil {
		t.Fatalf("absent key read as %x", v)
	}
	if v, ok := f.c.HasGet(nil, flatCacheKey(nil, []byte("akey"))); !ok || len(v) != 0 {
		t.Fatal("an absent key is not remembered as unset")
	}
	c := newFlatCache(failingKV{pebble.ErrClosed}, newStateCache(1<<20))
	if v := c.get([]byte("akey")); v != nil {
		t.Fatalf("read on a closing store: %x", v)
	}
	if _, ok := c.c.HasGet(nil, flatCacheKey(nil, []byte("akey"))); ok {
		t.Fatal("a read on a closing store was cached as unset")
	}
	if blob, err := newNodeDB(failingKV{pebble.ErrNotFound}, newStateCache(1<<20)).Node(common.Hash{}, nil, common.Hash{1}); blob != nil || err != nil {
		t.Fatalf("absent trie node: %x %v", blob, err)
	}
}

// The trie nodes and flat values share one cache: a flat key whose bytes are
// a node's hash must not read that node, nor a node read a flat value.
func TestSharedCacheKeepsSidesApart(t *testing.T) {
	cache := newStateCache(1 << 20)
	hash := common.Hash{7, 7, 7}
	nodes := newNodeDB(failingKV{pebble.ErrNotFound}, cache)
	nodes.written([]trieNode{{hash: hash, blob: []byte("node blob")}})
	flat := newFlatCache(failingKV{pebble.ErrNotFound}, cache)
	if v := flat.get(hash[:]); v != nil {
		t.Fatalf("a flat key equal to a node hash read the node: %q", v)
	}
	flat.written([]string{string(common.Hash{9}.Bytes())}, map[string][]byte{string(common.Hash{9}.Bytes()): []byte("value")})
	if blob := nodes.node(common.Hash{9}); blob != nil {
		t.Fatalf("a node hash equal to a flat key read the value: %q", blob)
	}
	if blob := nodes.node(hash); string(blob) != "node blob" {
		t.Fatalf("node read back as %q", blob)
	}
	if v := flat.get(common.Hash{9}.Bytes()); string(v) != "value" {
		t.Fatalf("flat value read back as %q", v)
	}
}
