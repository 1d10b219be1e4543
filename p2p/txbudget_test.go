package p2p

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"

	"github.com/taonet/taod/types"
)

// A peer that keeps sending txs the node checks and ignores (unfunded
// senders, committed txs) spends its budget, then has its batches dropped
// unchecked, costing no more signature recoveries, until the budget
// refills. Other peers are not affected; admitted txs cost nothing. Before
// the budget every batch was checked, whoever sent it and however often.
func TestIgnoredTxBudget(t *testing.T) {
	txs := signedTxs(t, 6)
	admit := txs[5].Hash()
	var checked atomic.Int64
	h, err := New(testConfig(t), Handlers{CheckTx: func(tx *types.Tx) Verdict {
		checked.Add(1)
		if tx.Hash() == admit {
			return Accept
		}
		return Ignore // stands in for "no balance" or "already committed"
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	now := time.Unix(1_000, 0)
	h.txBudget = newTxBudget(1, 10, func() time.Time { return now })

	junk := make([][]byte, 5)
	for i := range junk {
		junk[i] = txs[i].Bytes()
	}
	batch, err := encodeTxBatch(junk)
	if err != nil {
		t.Fatal(err)
	}
	send := func(from PeerID, data []byte) pubsub.ValidationResult {
		return h.validateTxBatch(context.Background(), from, newTestMessage(data))
	}
	for range 20 {
		if r := send("attacker", batch); r != pubsub.ValidationIgnore {
			t.Fatalf("junk batch: %v, want ignore (no blame)", r)
		}
	}
	if got := checked.Load(); got != 10 {
		t.Fatalf("%d txs checked for 20 junk batches of 5 with a budget of 10, want 10", got)
	}
	// Another peer's batch is still checked.
	if send("honest", batch); checked.Load() != 15 {
		t.Fatalf("another peer's batch not checked: %d", checked.Load())
	}
	// Admitted txs cost nothing: a batch of one admitted tx leaves the
	// honest peer's budget whole (5 of 10 spent above).
	good, _ := encodeTxBatch([][]byte{txs[5].Bytes()})
	for range 3 {
		if r := send("honest", good); r != pubsub.ValidationAccept {
			t.Fatalf("admitted batch: %v", r)
		}
	}
	if send("honest", batch); checked.Load() != 23 {
		t.Fatalf("honest peer's budget spent by admitted txs: %d checks", checked.Load())
	}
	// The attacker's budget refills with time.
	now = now.Add(10 * time.Second)
	if send("attacker", batch); checked.Load() != 28 {
		t.Fatalf("refilled budget not used: %d checks", checked.Load())
	}
	// A disconnect forgets the bucket (the map stays bounded by peers).
	h.txBudget.forget("attacker")
	h.txBudget.forget("honest")
	h.txBudget.mu.Lock()
	n := len(h.txBudget.mu.peers)
	h.txBudget.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d buckets left after both peers left", n)
	}
}
