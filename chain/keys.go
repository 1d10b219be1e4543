package chain

import (
	"encoding/binary"

	"github.com/taonet/taod/state"
)

func key(p byte, parts ...[]byte) []byte {
	k := []byte{p}
	for _, x := range parts {
		k = append(k, x...)
	}
	return k
}

func u64b(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

var marker = []byte{1}

const addressKeyLen = 1 + 20

func getU64(st *state.State, k []byte) uint64 {
	if v := st.Get(k); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func setU64(st *state.State, k []byte, v uint64) {
	if v == 0 {
		st.Set(k, nil)
		return
	}
	st.Set(k, u64b(v))
}
