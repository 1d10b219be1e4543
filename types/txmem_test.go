package types

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/ethereum/go-ethereum/crypto"
)

// memTestCalls are calls of every shape MemSize and shareStrings walk.
func memTestCalls() []struct {
	name string
	call Call
} {
	changes := make([]ParamChange, MaxParamChanges)
	for i := range changes {
		changes[i] = ParamChange{Key: strings.Repeat("k", 400) + string(rune('a'+i%26)), Value: strings.Repeat("7", 400)}
	}
	uids, ws := make([]uint16, MaxWeightsLen), make([]uint16, MaxWeightsLen)
	for i := range uids {
		uids[i], ws[i] = uint16(i), 1
	}
	return []struct {
		name string
		call Call
	}{
		{"transfer", &Transfer{To: Address{1}, Amount: 1}},
		{"max proposal", &Propose{ProposalKind: ProposalParamChange, Title: strings.Repeat("t", MaxTitleLen),
			Description: strings.Repeat("d", MaxDescriptionLen), Changes: changes, Deposit: RaoPerTAO}},
		{"short strings", &Propose{ProposalKind: ProposalParamChange, Title: "short", Description: strings.Repeat("d", 600),
			Changes: []ParamChange{{Key: "k", Value: "v"}}, Deposit: RaoPerTAO}},
		{"max weights", &SetWeights{Netuid: 1, UIDs: uids, Weights: ws}},
	}
}

func signMemTest(t *testing.T, c Call) *Tx {
	t.Helper()
	key, _ := crypto.ToECDSA(append(make([]byte, 31), 7))
	tx, err := SignTx(TxData{ChainID: 1, Nonce: 3, Fee: 1 << 40, Call: c}, key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// A decoded tx's long strings share its encoded bytes and keep their values;
// short ones keep their own copy; the encoding and hash are those signed.
func TestDecodeSharesLongStrings(t *testing.T) {
	for _, tc := range memTestCalls() {
		t.Run(tc.name, func(t *testing.T) {
			signed := signMemTest(t, tc.call)
			tx, err := DecodeTx(append([]byte(nil), signed.Bytes()...))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tx.Call(), tc.call) {
				t.Fatalf("decoded call differs from the signed one")
			}
			if again, err := tx.encode(); err != nil || string(again) != string(tx.Bytes()) || tx.Hash() != signed.Hash() {
				t.Fatalf("re-encoding or hash changed: %v", err)
			}
			p, ok := tx.Call().(*Propose)
			if !ok {
				return
			}
			check := func(what, s string) {
				shared := within(unsafe.StringData(s), tx.Bytes())
				if want := len(s) >= shareMinString; shared != want {
					t.Errorf("%s (%d bytes): shared %v, want %v", what, len(s), shared, want)
				}
			}
			check("title", p.Title)
			check("description", p.Description)
			for _, c := range p.Changes {
				check("change key", c.Key)
				check("change value", c.Value)
			}
		})
	}
}

// MemSize covers what a decoded tx keeps alive on the heap, and not by much
// more: the txpool's byte bound is only as good as this estimate.
func TestTxMemSizeCoversHeap(t *testing.T) {
	const n = 256
	for _, tc := range memTestCalls() {
		t.Run(tc.name, func(t *testing.T) {
			raw := signMemTest(t, tc.call).Bytes()
			keep := make([]*Tx, n)
			var before, after runtime.MemStats
			runtime.GC() // twice: the first may leave the signing's garbage
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := range keep {
				tx, err := DecodeTx(raw)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Sender(); err != nil {
					t.Fatal(err)
				}
				keep[i] = tx
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			held := int(after.HeapAlloc-before.HeapAlloc) / n
			est := keep[0].MemSize()
			runtime.KeepAlive(keep)
			t.Logf("%s: %d encoded bytes, %d held on the heap, MemSize %d", tc.name, len(raw), held, est)
			if est < held*9/10 || est > held*3/2+256 {
				t.Errorf("MemSize %d for %d bytes held (want within -10%%/+50%%)", est, held)
			}
		})
	}
}
