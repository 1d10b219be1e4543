package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/taonet/taod/types"
)

// mineNodes returns, for each wanted prefix, a blob whose keccak256 (so its
// key as a format-0 trie node) begins with it: what a long-lived format-0
// store holds for every short prefix. Two-byte prefixes take ~65k hashes.
func mineNodes(t testing.TB, want [][]byte) map[string][]byte {
	t.Helper()
	found := make(map[string][]byte, len(want))
	for i := uint64(0); len(found) < len(want); i++ {
		if i > 1<<24 {
			t.Fatalf("mined %d of %d prefixes", len(found), len(want))
		}
		blob := binary.BigEndian.AppendUint64([]byte("node"), i)
		h := types.Keccak256(blob)
		for _, w := range want {
			if _, ok := found[string(w)]; !ok && bytes.HasPrefix(h[:], w) {
				found[string(w)] = blob
			}
		}
	}
	return found
}

// iteratedPrefixes are prefixes of the shapes the chain scans: one byte
// (every hotkey, every subnet), a byte and a 20-byte address, a byte and
// big-endian numbers; and the edges: the empty prefix, 0x00, 0xff.
var iteratedPrefixes = [][]byte{
	{}, {0x00}, {0xff}, []byte("k"), []byte("N"), []byte("h"), []byte("Gp"),
	append([]byte("k"), bytes.Repeat([]byte{0xab}, 20)...),
	append([]byte("Gv"), 0, 0, 0, 0, 0, 0, 0, 1),
	append([]byte("n"), 0, 1),
}

// Keys of every other keyspace, planted right next to and inside each
// prefix a State scans, and format-0 trie nodes whose bare hash starts with
// 's' ‖ the prefix's first byte (for one-byte prefixes: inside the scan),
// must never come out of Iterate: it returns exactly the state's keys. On
// the code before trie nodes had a keyspace, the bare nodes were returned
// as state entries (the devnet's gov panic, issue 11 weakness 9).
func TestIterateReturnsOnlyStateKeys(t *testing.T) {
	dir := t.TempDir()

	// A format-0 store as a long-lived node left it: bare-hash trie nodes
	// all over the keyspace, and foreign keys beside every scanned prefix.
	kv, err := openKV(dir, Options{CacheMB: 8, Handles: 64, MemTableMB: 4})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for _, p := range iteratedPrefixes {
		if len(p) > 0 && !slices.ContainsFunc(want, func(w []byte) bool { return w[1] == p[0] }) {
			want = append(want, []byte{'s', p[0]})
		}
	}
	want = append(want, []byte{'s'})
	nodes := mineNodes(t, want)
	for _, blob := range nodes {
		h := types.Keccak256(blob)
		if err := kv.Put(h[:], blob); err != nil {
			t.Fatal(err)
		}
	}
	// Every keyspace byte of keys.go but 's', written out so the test
	// also compiles against the old layout.
	for _, ks := range []byte("nBRHCTXM") {
		for _, p := range iteratedPrefixes {
			for _, k := range [][]byte{
				append([]byte{ks}, p...),
				append(append([]byte{ks}, p...), 0x00),
				append(append([]byte{ks}, p...), 0xff, 0xff),
				append(append([]byte{ks, 's'}, p...), 1),
			} {
				if err := kv.Put(k, []byte("foreign")); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := kv.Close(); err != nil {
		t.Fatal(err)
	}

	s := openTest(t, dir)
	defer s.Close()
	// The state's own keys: committed under and beside every prefix, then
	// overwritten, deleted and added in the next block's State.
	model := map[string]string{}
	st := s.NewState()
	for i, p := range iteratedPrefixes {
		for j, suffix := range [][]byte{{}, {0x00}, {0x73}, {0xff, 0xff}} {
			k := string(append(bytes.Clone(p), suffix...))
			v := fmt.Sprintf("c%d.%d", i, j)
			st.Set([]byte(k), []byte(v))
			model[k] = v
		}
	}
	commit(t, s, st, 0)
	st = s.NewState()
	for i, p := range iteratedPrefixes {
		k := string(append(bytes.Clone(p), 0x00))
		st.Set([]byte(k), nil)
		delete(model, k)
		k = string(append(bytes.Clone(p), 0x73))
		st.Set([]byte(k), []byte(fmt.Sprintf("w%d", i)))
		model[k] = fmt.Sprintf("w%d", i)
		k = string(append(bytes.Clone(p), 0x10, 0x20))
		st.Set([]byte(k), []byte(fmt.Sprintf("n%d", i)))
		model[k] = fmt.Sprintf("n%d", i)
	}

	for _, p := range iteratedPrefixes {
		var own []string
		for k := range model {
			if bytes.HasPrefix([]byte(k), p) {
				own = append(own, k)
			}
		}
		slices.Sort(own)
		var exp []string
		for _, k := range own {
			exp = append(exp, fmt.Sprintf("%x=%s", k, model[k]))
		}
		var got []string
		st.Iterate(p, func(k, v []byte) bool {
			got = append(got, fmt.Sprintf("%x=%s", k, v))
			return true
		})
		if !slices.Equal(got, exp) {
			t.Errorf("Iterate(%x):\n got  %v\n want %v", p, got, exp)
		}
	}
}

// format0 rewrites a closed store in the layout before format 1: trie
// nodes under their bare hash and no format record. With keep, only the
// nodes keep selects are moved back, leaving the store as a migration
// interrupted midway would.
func format0(t *testing.T, dir string, keep func(i int) bool) (nodes int) {
	t.Helper()
	kv, err := openKV(dir, Options{CacheMB: 8, Handles: 64, MemTableMB: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	it := kv.NewIterator([]byte{kNode}, nil)
	b := kv.newBatch(1 << 20)
	for i := 0; it.Next(); i++ {
		if keep != nil && !keep(i) {
			continue
		}
		b.Put(it.Key()[1:], it.Value())
		b.Delete(it.Key())
		nodes++
	}
	it.Release()
	b.Delete(formatKey)
	if err := b.Write(true); err != nil {
		t.Fatal(err)
	}
	return nodes
}

// storeKeys counts the store's keys by keyspace, and the bare 32-byte keys
// whose value hashes to them (format-0 trie nodes).
func storeKeys(t *testing.T, s *Store) (byKeyspace map[byte]int, bare int) {
	t.Helper()
	byKeyspace = map[byte]int{}
	it := s.kv.NewIterator(nil, nil)
	defer it.Release()
	for it.Next() {
		k := it.Key()
		if h := types.Keccak256(it.Value()); len(k) == 32 && bytes.Equal(h[:], k) {
			bare++
			continue
		}
		byKeyspace[k[0]]++
	}
	return byKeyspace, bare
}

// A store written in format 0 opens, its trie nodes move under 'n', and it
// serves the same head, the same state at every height and the same proofs;
// a migration interrupted midway resumes; reopening changes nothing.
func TestMigrateFormat0Store(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var (
		blocks []*types.Block
		keys   [][]byte
	)
	for h := uint64(0); h < 6; h++ {
		st := s.NewState()
		for i := range 200 {
			k := fmt.Appendf(nil, "key/%d/%d", i, h%3)
			st.Set(k, fmt.Appendf(nil, "v%d.%d", i, h))
			if h < 3 {
				keys = append(keys, k)
			}
		}
		st.SetAccount(types.Address{byte(h)}, Account{Nonce: h, Balance: 100 + h})
		keys = append(keys, AccountKey(types.Address{byte(h)}))
		blocks = append(blocks, commit(t, s, st, h))
	}
	type answer struct {
		value []byte
		proof [][]byte
	}
	answers := func(s *Store) map[string]answer {
		out := map[string]answer{}
		for _, b := range blocks {
			r, err := s.ReaderAt(b.Header.StateRoot)
			if err != nil {
				t.Fatalf("block %d: %v", b.Height(), err)
			}
			for _, k := range keys {
				v, err := r.Get(k)
				if err != nil {
					t.Fatal(err)
				}
				p, err := r.Prove(k)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := VerifyProof(b.Header.StateRoot, k, p); err != nil || !bytes.Equal(got, v) {
					t.Fatalf("proof of %s at %d: %x, %v", k, b.Height(), got, err)
				}
				out[fmt.Sprintf("%d/%s", b.Height(), k)] = answer{v, p}
			}
		}
		return out
	}
	before := answers(s)
	head, _ := s.Head()
	spaces, bare := storeKeys(t, s)
	if bare != 0 || spaces[kNode] == 0 {
		t.Fatalf("format 1 store: %d bare nodes, %d under 'n'", bare, spaces[kNode])
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	check := func(s *Store) {
		t.Helper()
		if h, _ := s.Head(); h != head {
			t.Fatalf("head %+v, want %+v", h, head)
		}
		after := answers(s)
		if len(after) != len(before) {
			t.Fatalf("%d answers, want %d", len(after), len(before))
		}
		for k, a := range before {
			b := after[k]
			if !bytes.Equal(a.value, b.value) || !slices.EqualFunc(a.proof, b.proof, bytes.Equal) {
				t.Fatalf("%s differs after migration", k)
			}
		}
		sp, bare := storeKeys(t, s)
		if bare != 0 || sp[kNode] != spaces[kNode] {
			t.Fatalf("after migration: %d bare nodes, %d under 'n', want 0 and %d", bare, sp[kNode], spaces[kNode])
		}
		if v, err := s.kv.Get(formatKey); err != nil || !bytes.Equal(v, []byte{storeFormat}) {
			t.Fatalf("format record %x, %v", v, err)
		}
		// The next block commits on the migrated store.
		st := s.NewState()
		st.SetIssuance(head.Height + 1)
		h := head.Height + 1
		commit(t, s, st, h)
		if got := s.NewState().Issuance(); got != h {
			t.Fatalf("issuance after the next block: %d", got)
		}
	}

	moved := format0(t, dir, nil)
	if moved != spaces[kNode] {
		t.Fatalf("moved %d of %d nodes", moved, spaces[kNode])
	}
	if _, err := Open(dir, Options{ReadOnly: true}); !errors.Is(err, ErrFormat) {
		t.Fatalf("read-only open of a format-0 store: %v", err)
	}
	rec := &infoRec{}
	s, err := Open(dir, Options{CacheMB: 8, TrieCache: 4, Logger: rec})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.info) == 0 {
		t.Fatal("the migration logged no progress")
	}
	check(s)
	// Roll the extra block back out of the comparison: reopen the same
	// migrated store, then interrupt a second migration midway.
	head, _ = s.Head()
	blocks = append(blocks, mustBlock(t, s, head.Height))
	before = answers(s)
	spaces, _ = storeKeys(t, s)
	s.Close()

	format0(t, dir, func(i int) bool { return i%2 == 0 })
	s = openTest(t, dir)
	check(s)
	head, _ = s.Head()
	blocks = append(blocks, mustBlock(t, s, head.Height))
	before = answers(s)
	spaces, _ = storeKeys(t, s)
	s.Close()

	// Reopening a format-1 store moves nothing.
	rec = &infoRec{}
	s, err = Open(dir, Options{CacheMB: 8, TrieCache: 4, Logger: rec})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.info) != 0 {
		t.Fatalf("a format-1 store was migrated again: %q", rec.info)
	}
	check(s)
	s.Close()

	// A store from a newer taod is refused, not misread.
	kv, err := openKV(dir, Options{CacheMB: 8, Handles: 64, MemTableMB: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Put(formatKey, []byte{storeFormat + 1}); err != nil {
		t.Fatal(err)
	}
	kv.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrFormat) {
		t.Fatalf("open of a newer format: %v", err)
	}
}

func mustBlock(t *testing.T, s *Store, h uint64) *types.Block {
	t.Helper()
	b, err := s.BlockByHeight(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type infoRec struct {
	recLogger
	info []string
}

func (r *infoRec) Infof(f string, a ...any) { r.info = append(r.info, fmt.Sprintf(f, a...)) }
