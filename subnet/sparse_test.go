package subnet

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

// decodeSparse must agree with rlp.DecodeBytes on every input: the same
// value where both accept, an error where either refuses (a node that
// accepted what another refused would diverge on a corrupt record).
func checkSparseAgrees(t *testing.T, b []byte) {
	t.Helper()
	var want Sparse
	wantErr := rlp.DecodeBytes(b, &want)
	got, err := decodeSparse(b)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%x: decodeSparse err %v, rlp.DecodeBytes err %v", b, err, wantErr)
	}
	if err == nil && (!slices.Equal(got.Index, want.Index) || !slices.Equal(got.Values, want.Values)) {
		t.Fatalf("%x: decodeSparse %+v, rlp.DecodeBytes %+v", b, got, want)
	}
}

func TestDecodeSparseMatchesRLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := rng.IntN(40)
		s := Sparse{Index: make([]uint16, n), Values: make([]uint16, n)}
		for i := range n {
			s.Index[i] = uint16(rng.IntN(1 << (1 + rng.IntN(16))))
			s.Values[i] = uint16(rng.IntN(1 << (1 + rng.IntN(16))))
		}
		b, err := rlp.EncodeToBytes(&s)
		if err != nil {
			t.Fatal(err)
		}
		checkSparseAgrees(t, b)
		// Damage it: flip, cut, extend.
		d := slices.Clone(b)
		d[rng.IntN(len(d))] ^= byte(1 << rng.IntN(8))
		checkSparseAgrees(t, d)
		checkSparseAgrees(t, b[:rng.IntN(len(b))])
		checkSparseAgrees(t, append(slices.Clone(b), byte(rng.IntN(256))))
	}
	for _, b := range [][]byte{
		{}, {0xc0}, {0xc1, 0xc0}, {0xc2, 0xc0, 0xc0}, {0xc3, 0xc0, 0xc0, 0xc0},
		{0xc4, 0xc1, 0x05, 0xc1, 0x07},             // one entry
		{0xc5, 0xc2, 0x81, 0x05, 0xc0},             // non-canonical single byte
		{0xc6, 0xc3, 0x82, 0x00, 0x05, 0xc0},       // leading zero
		{0xc6, 0xc4, 0x83, 0x01, 0x00, 0x00, 0xc0}, // above u16
		{0xc4, 0xc1, 0x80, 0xc1, 0x80},             // empty strings are zeros
		{0xc4, 0xc2, 0xc0, 0xc0, 0xc0},             // a list where an integer goes
		{0xc2, 0xc0, 0xc0, 0x00},                   // trailing byte
		{0x82, 0xc0, 0xc0},                         // a string, not a list
	} {
		checkSparseAgrees(t, b)
	}
}

func FuzzDecodeSparse(f *testing.F) {
	f.Add([]byte{0xc4, 0xc1, 0x05, 0xc1, 0x07})
	f.Add([]byte{0xc2, 0xc0, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) { checkSparseAgrees(t, b) })
}
