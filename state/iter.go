package state

import (
	"bytes"
	"slices"
	"strings"

	"github.com/RaduBerinde/btreemap"
)

// orderDegree is the B-tree's degree: nodes of up to 2×32-1 keys, pebble's
// choice for its own in-memory B-trees of keys.
const orderDegree = 32

// indexAfter is how many passes over the dirty keys the scans of one State
// make before it builds the ordered index. A block of transfers scans a
// few times at its end (releases, gov, subnets): a pass over its 20,000
// dirty keys is cheaper than building a B-tree of them and then paying an
// insert for each later write. A block that scans while it writes (gov
// Propose after Propose) crosses the threshold early and from then on
// pays O(log n) per scan; the passes it made first cost at most
// indexAfter × n.
const indexAfter = 8

// Iterate calls fn for every key with the given prefix, in ascending key
// order, with the value this State sees (its own writes over the flat store;
// deleted keys are skipped). fn returns false to stop. fn must not write to
// st. Once a State has scanned a few times (indexAfter), the cost is
// O(log n + m) in the n keys written so far (m of them under the prefix);
// before, a pass over the n keys. Add the store's keys under the prefix,
// and use narrow prefixes. The store scan is confined to the flat-state keyspace ('s',
// keys.go), which holds nothing else.
func (st *State) Iterate(prefix []byte, fn func(key, value []byte) bool) {
	p := string(prefix)
	// Collect before calling fn, so the scan does not depend on fn keeping
	// its promise not to write.
	own := st.dirtyUnder(p, prefix)

	emit := func(k string, v []byte) bool {
		if len(v) == 0 {
			return true // deleted in this State
		}
		return fn([]byte(k), v)
	}
	var it interface {
		Next() bool
		Key() []byte
		Value() []byte
		Release()
	}
	switch {
	case st.snap != nil:
		it = st.snap.NewIterator(flatKey(p), nil)
		defer it.Release()
	case !st.fresh:
		it = st.store.kv.NewIterator(flatKey(p), nil)
		defer it.Release()
	}
	i := 0
	for it != nil && it.Next() {
		k := it.Key()[1:] // strip the flat-state prefix
		for i < len(own) && own[i] < string(k) {
			if !emit(own[i], st.dirty[own[i]]) {
				return
			}
			i++
		}
		if i < len(own) && own[i] == string(k) {
			if !emit(own[i], st.dirty[own[i]]) {
				return
			}
			i++
			continue
		}
		if !fn(bytes.Clone(k), bytes.Clone(it.Value())) {
			return
		}
	}
	for ; i < len(own); i++ {
		if !emit(own[i], st.dirty[own[i]]) {
			return
		}
	}
}

// dirtyUnder returns the keys written in st under prefix p, sorted: by a
// pass over every dirty key while scans have been few, from the ordered
// index after that.
func (st *State) dirtyUnder(p string, prefix []byte) []string {
	var own []string
	if st.order == nil && st.scanWork < indexAfter*len(st.dirty) {
		st.scanWork += len(st.dirty)
		for k := range st.dirty {
			if strings.HasPrefix(k, p) {
				own = append(own, k)
			}
		}
		slices.Sort(own)
		return own
	}
	if st.order == nil {
		st.order = btreemap.New[string, struct{}](orderDegree, strings.Compare)
		for k := range st.dirty {
			st.order.ReplaceOrInsert(k, struct{}{})
		}
	}
	stop := btreemap.Max[string]()
	if ub := upperBound(prefix); ub != nil {
		stop = btreemap.LT(string(ub))
	}
	for k := range st.order.Ascend(btreemap.GE(p), stop) {
		own = append(own, k)
	}
	return own
}
