package state

import (
	"bytes"
	"slices"
	"strings"
)

// Iterate calls fn for every key with the given prefix, in ascending key
// order, with the value this State sees (its own writes over the flat store;
// deleted keys are skipped). fn returns false to stop. fn must not write to
// st. The cost is one scan of the keys written so far plus the store's keys
// under the prefix, so use narrow prefixes.
func (st *State) Iterate(prefix []byte, fn func(key, value []byte) bool) {
	p := string(prefix)
	var own []string
	for k := range st.dirty {
		if strings.HasPrefix(k, p) {
			own = append(own, k)
		}
	}
	slices.Sort(own)

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
	if !st.fresh {
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
