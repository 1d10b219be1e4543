package subnet

import (
	"strings"
	"testing"

	"github.com/taonet/taod/internal/modtest"
	"github.com/taonet/taod/state"
)

// TestCorruptRecordsFailLoudly: every record subnet reads back from state
// panics when it does not decode, naming the record. The root member and
// the network registry used to read as zero values instead, so a node with
// a damaged record went on to compute other lock costs and root weights.
func TestCorruptRecordsFailLoudly(t *testing.T) {
	member := addr(9)
	for _, c := range []struct {
		what string
		k    []byte
		read func(st *state.State)
	}{
		{"subnet", key(pSubnet, u16b(1)), func(st *state.State) { Get(st, 1) }},
		{"neuron", neuronKey(1, 0), func(st *state.State) { getNeuron(st, 1, 0) }},
		{"root member", key(pRootMember, member[:]), func(st *state.State) { IsRootMember(st, member) }},
		{"network registry", keyNetRegistry, func(st *state.State) { NetworkLockCost(st, TestParams(), 10) }},
	} {
		t.Run(c.what, func(t *testing.T) {
			st := modtest.State(t, 0)
			st.Set(c.k, []byte{0xc1}) // a list header with nothing after it
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "corrupt "+c.what+" record") {
					t.Fatalf("panic %q, want one naming the corrupt %s record", msg, c.what)
				}
			}()
			c.read(st)
			t.Fatalf("a corrupt %s record was read without a panic", c.what)
		})
	}
}
