package golden

import (
	"strings"
	"testing"

	"github.com/taonet/taod/types"
)

// coverEvents notices a fee event that disagrees with the receipt, a failed
// call that kept an event, and a lost block receipt.
func TestEventCoverageNoticesTampering(t *testing.T) {
	rec, err := Load(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	_, steps, err := Replay(rec, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := coverEvents(steps); err != nil {
		t.Fatal(err)
	}
	find := func(ok func(r *types.Receipt) bool) (int, int) {
		for i, s := range steps {
			for j := range s.Block.Txs {
				if ok(&s.Receipts[j]) {
					return i, j
				}
			}
		}
		t.Fatal("no such receipt in the golden chain")
		return 0, 0
	}
	clone := func() []Step {
		out := make([]Step, len(steps))
		for i, s := range steps {
			s.Receipts = append([]types.Receipt(nil), s.Receipts...)
			for j := range s.Receipts {
				s.Receipts[j].Events = append([]types.Event(nil), s.Receipts[j].Events...)
			}
			out[i] = s
		}
		return out
	}
	i, j := find(func(r *types.Receipt) bool { return r.FeePaid > 0 })
	bad := clone()
	bad[i].Receipts[j].Events[0].Amount++
	if err := coverEvents(bad); err == nil || !strings.Contains(err.Error(), "first event") {
		t.Fatalf("a wrong fee event: %v", err)
	}
	i, j = find(func(r *types.Receipt) bool { return r.Status == types.ReceiptFailed })
	bad = clone()
	bad[i].Receipts[j].Events = append(bad[i].Receipts[j].Events, types.Event{Kind: types.EvTransfer})
	if err := coverEvents(bad); err == nil || !strings.Contains(err.Error(), "failed call emitted") {
		t.Fatalf("a failed call's event: %v", err)
	}
	bad = clone()
	bad[3].Receipts = bad[3].Receipts[:len(bad[3].Receipts)-1]
	if err := coverEvents(bad); err == nil || !strings.Contains(err.Error(), "no block receipt") {
		t.Fatalf("a lost block receipt: %v", err)
	}
}
