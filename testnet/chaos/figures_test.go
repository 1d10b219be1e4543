package chaos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taod/types"
)

func TestMaxDivergence(t *testing.T) {
	for _, tc := range []struct {
		name string
		hs   [][]int64
		want uint64
	}{
		{"none", nil, 0},
		{"equal", [][]int64{{5, 5, 5}}, 0},
		{"down nodes do not count", [][]int64{{10, -1, 9}}, 1},
		{"all down", [][]int64{{-1, -1}}, 0},
		{"largest over samples", [][]int64{{3, 4}, {20, 7}, {21, 21}}, 13},
	} {
		var ss []sample
		for _, h := range tc.hs {
			ss = append(ss, sample{h: h})
		}
		if got := maxDivergence(ss); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// The ledger resubmits the lowest nonces first, only uncommitted txs, and
// not again before the age has passed.
func TestLedgerStale(t *testing.T) {
	l := newLedger()
	old := time.Now().Add(-time.Minute)
	for i, n := range []uint64{3, 1, 2} {
		l.add(&txRec{hash: types.Hash{byte(i + 1)}, sender: 0, nonce: n, lastSent: old})
	}
	l.add(&txRec{hash: types.Hash{9}, sender: 1, nonce: 0, lastSent: old})
	l.committed(types.Hash{2}, 7, types.Hash{0xb}) // nonce 1
	if got := l.pending(0); got != 2 {
		t.Fatalf("pending = %d, want 2", got)
	}
	st := l.stale(time.Second, 2)
	if len(st) != 2 || st[0].nonce != 2 || st[1].nonce != 3 {
		t.Fatalf("stale = %+v", st)
	}
	if again := l.stale(time.Second, 10); len(again) != 1 || again[0].sender != 1 {
		t.Fatalf("stale again = %d txs, want only sender 1's", len(again))
	}
	v := l.all()
	if !v[1].CommittedSeen || v[1].Height != 7 || v[0].Resent != 1 {
		t.Fatalf("views %+v", v)
	}
}

func TestPrintTable(t *testing.T) {
	var b bytes.Buffer
	PrintTable(&b, []*Figures{
		{ID: 1, Name: "kill", Fault: 8 * time.Second, Blocks: 13, Resume: 300 * time.Millisecond, Notes: []string{"synced"}},
		{ID: 4, Name: "split", Err: errors.New("boom")},
	})
	out := b.String()
	for _, want := range []string{"resume", "kill", "ok", "FAIL", "1: synced", "4 FAILED: boom", "300ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
