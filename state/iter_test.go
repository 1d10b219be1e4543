package state

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestIterateMergesWritesOverStore(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	st := s.NewState()
	for _, k := range []string{"x/a", "x/c", "x/e", "y/z"} {
		st.Set([]byte(k), []byte("old"+k))
	}
	commit(t, s, st, 0)

	st = s.NewState()
	st.Set([]byte("x/b"), []byte("new"))  // only in writes
	st.Set([]byte("x/c"), []byte("newc")) // overrides the store
	st.Set([]byte("x/e"), nil)            // deleted
	st.Set([]byte("x/f"), []byte("newf")) // after every stored key
	var got []string
	st.Iterate([]byte("x/"), func(k, v []byte) bool {
		got = append(got, fmt.Sprintf("%s=%s", k, v))
		return true
	})
	want := []string{"x/a=oldx/a", "x/b=new", "x/c=newc", "x/f=newf"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	n := 0
	st.Iterate([]byte("x/"), func(k, v []byte) bool { n++; return n < 2 })
	if n != 2 {
		t.Fatalf("stop after 2: visited %d", n)
	}
}

// BenchmarkIterateDirty is a block that has written many keys and scans a
// narrow prefix many times (gov Propose after Propose, each snapshotting
// the stake positions): one op is 1,000 scans of a 10-key prefix over
// 100,000 dirty keys.
func BenchmarkIterateDirty(b *testing.B) {
	s, err := Open(b.TempDir(), Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	st := s.NewState()
	for i := range 100_000 {
		st.Set(binary.BigEndian.AppendUint32([]byte("d"), uint32(i)), []byte("v"))
	}
	for i := range 10 {
		st.Set([]byte{'k', byte(i)}, []byte("v"))
	}
	b.ResetTimer()
	for range b.N {
		for range 1000 {
			n := 0
			st.Iterate([]byte("k"), func(_, _ []byte) bool { n++; return true })
			if n != 10 {
				b.Fatalf("%d keys", n)
			}
		}
	}
}

// Random Set/Snapshot/Revert/Iterate sequences, on a State over a stored
// base, on a fresh State and across a committed block, agree with a naive
// model: the visible map (base overlaid with writes, deletes removed)
// filtered by prefix and sorted. Keys come from a four-byte alphabet so
// prefixes overlap, nest and sit at 0x00 and 0xff.
func TestIterateMatchesModel(t *testing.T) {
	alphabet := []byte{0x00, 'a', 'b', 0xff}
	randKey := func(r *rand.Rand, maxLen int) []byte {
		k := make([]byte, r.IntN(maxLen+1))
		for i := range k {
			k[i] = alphabet[r.IntN(len(alphabet))]
		}
		return k
	}
	for seed := range uint64(12) {
		r := rand.New(rand.NewPCG(seed, 11))
		s := openTest(t, t.TempDir())
		base := map[string]string{}
		for round := range 3 {
			fresh := round == 2 && seed%2 == 0
			var st *State
			if fresh {
				st = s.NewEmptyState()
			} else {
				st = s.NewState()
			}
			dirty := map[string]string{} // "" = deleted
			type snap struct {
				id    int
				dirty map[string]string
			}
			var snaps []snap
			visible := func() map[string]string {
				out := map[string]string{}
				if !fresh {
					maps.Copy(out, base)
				}
				for k, v := range dirty {
					if v == "" {
						delete(out, k)
					} else {
						out[k] = v
					}
				}
				return out
			}
			for op := range 300 {
				switch x := r.IntN(10); {
				case x < 5:
					k := randKey(r, 4)
					v := ""
					if r.IntN(4) > 0 {
						v = fmt.Sprintf("v%d.%d.%d", seed, round, op)
					}
					st.Set(k, []byte(v))
					dirty[string(k)] = v
				case x < 6:
					snaps = append(snaps, snap{st.Snapshot(), maps.Clone(dirty)})
				case x < 7:
					if len(snaps) > 0 {
						i := r.IntN(len(snaps))
						st.Revert(snaps[i].id)
						dirty = snaps[i].dirty
						snaps = snaps[:i]
					}
				default:
					p := randKey(r, 2)
					limit := 1 + r.IntN(8)
					var want []string
					vis := visible()
					for _, k := range slices.Sorted(maps.Keys(vis)) {
						if strings.HasPrefix(k, string(p)) && len(want) < limit {
							want = append(want, fmt.Sprintf("%x=%s", k, vis[k]))
						}
					}
					var got []string
					st.Iterate(p, func(k, v []byte) bool {
						got = append(got, fmt.Sprintf("%x=%s", k, v))
						return len(got) < limit
					})
					if !slices.Equal(got, want) {
						t.Fatalf("seed %d round %d op %d: Iterate(%x) limit %d:\n got  %v\n want %v", seed, round, op, p, limit, got, want)
					}
				}
			}
			if !fresh {
				commit(t, s, st, uint64(round))
				base = visible()
			}
		}
		s.Close()
	}
}
