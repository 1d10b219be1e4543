package types

import (
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

func TestEventKindNames(t *testing.T) {
	for k := EventKind(1); k < evKindEnd; k++ {
		if eventNames[k] == "" {
			t.Fatalf("kind %d has no name", k)
		}
		got, err := ParseEventKind(k.String())
		if err != nil || got != k {
			t.Fatalf("%s parses to %d, %v", k, got, err)
		}
	}
	if _, err := ParseEventKind("mint"); err == nil {
		t.Fatal("an unknown kind parsed")
	}
	if EventKind(0).Valid() || evKindEnd.Valid() {
		t.Fatal("kind 0 or one past the last is valid")
	}
}

func TestEventLogMarkTruncate(t *testing.T) {
	var nilLog *EventLog
	nilLog.Emit(Event{Kind: EvTransfer}) // drops, no panic
	if nilLog.Mark() != 0 || nilLog.Since(0) != nil {
		t.Fatal("a nil log holds events")
	}
	l := &EventLog{}
	l.Emit(Event{Kind: EvFeePaid})
	m := l.Mark()
	l.Emit(Event{Kind: EvTransfer, Data: make([]byte, 1000)})
	if got := l.Since(m); len(got) != 1 || len(got[0].Data) != MaxEventData {
		t.Fatalf("since mark: %+v", got)
	}
	l.Truncate(m)
	if got := l.Since(0); len(got) != 1 || got[0].Kind != EvFeePaid {
		t.Fatalf("after truncate: %+v", got)
	}
}

func TestReceiptWithEventsRoundTrips(t *testing.T) {
	rs := []Receipt{
		{TxHash: Hash{1}, Status: ReceiptSuccess, FeePaid: 7, Weight: 3, Version: ReceiptVersion,
			Events: []Event{{Kind: EvTransfer, Addr: Address{1}, Peer: Address{2}, Amount: 5, Data: []byte{}}}},
		BlockReceipt([]Event{{Kind: EvEpoch, Netuid: 3, UID: 2, Amount: 9, Data: []byte{1, 2}}}),
	}
	b, err := rlp.EncodeToBytes(rs)
	if err != nil {
		t.Fatal(err)
	}
	var back []Receipt
	if err := rlp.DecodeBytes(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rs) {
		t.Fatalf("round trip:\n%+v\n%+v", back, rs)
	}
	if !back[1].IsBlockReceipt() || back[0].IsBlockReceipt() {
		t.Fatal("block receipt not told apart")
	}
	a := EpochTable{Netuid: 1, Height: 10, Rows: []EpochRow{{UID: 0, Incentive: 5, Emission: 9}}}
	c := a
	c.Rows = []EpochRow{{UID: 0, Incentive: 5, Emission: 10}}
	if a.Digest() == c.Digest() {
		t.Fatal("the digest ignores a row's emission")
	}
}
