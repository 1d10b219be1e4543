package statekey

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// Record decodes the RLP record stored under k into a T; false when k holds
// nothing. A record that does not decode is corruption of data under the
// state root, which no rule can work around: Record panics, naming what
// and the key, rather than let a zero value stand in for it (two nodes
// would then execute on different records without noticing).
func Record[T any](st Getter, k []byte, what string) (T, bool) {
	var v T
	b := st.Get(k)
	if len(b) == 0 {
		return v, false
	}
	if err := rlp.DecodeBytes(b, &v); err != nil {
		panic(fmt.Sprintf("statekey: corrupt %s record under key %x: %v", what, k, err))
	}
	return v, true
}
