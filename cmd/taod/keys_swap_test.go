package main

import (
	"strings"
	"testing"

	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
)

// `taod keys swap-coldkey`: schedule, status (by --from, by address and
// --all), a second schedule disputing the swap (the status says frozen),
// cancel of another key's swap. The freeze itself is tested in
// chain/coldkeyswap_test.go: the test preset's delay is 10 blocks (2 s),
// too short to race many CLI calls against, so the second schedule comes
// right after the first status.
func TestKeysSwapColdkeyVerbs(t *testing.T) {
	n := clienttest.Start(t)
	to, other := devkeys.Address(70).Hex(), devkeys.Address(71).Hex()
	mustTaod(t, n, "keys", "swap-coldkey", "schedule", "--from", "dev2", to)
	o, err := taod(t, n, "keys", "swap-coldkey", "status", "--from", "dev2")
	if err != nil || !strings.Contains(o, "status    scheduled") || !strings.Contains(strings.ToLower(o), strings.ToLower(to)) {
		t.Fatalf("status: %v\n%s", err, o)
	}
	mustTaod(t, n, "keys", "swap-coldkey", "schedule", "--from", "dev2", other)
	if o, err := taod(t, n, "keys", "swap-coldkey", "status", devkeys.Address(2).Hex()); err != nil || !strings.Contains(o, "status    disputed") || !strings.Contains(o, "frozen    true") {
		t.Fatalf("status after a second schedule: %v\n%s", err, o)
	}
	if o, err := taod(t, n, "keys", "swap-coldkey", "status", "--all"); err != nil || !strings.Contains(o, devkeys.Address(2).Hex()) {
		t.Fatalf("status --all: %v\n%s", err, o)
	}
	mustTaod(t, n, "keys", "swap-coldkey", "schedule", "--from", "dev3", to)
	mustTaod(t, n, "keys", "swap-coldkey", "cancel", "--from", "dev3")
	if o, err := taod(t, n, "keys", "swap-coldkey", "status", "--from", "dev3"); err != nil || !strings.Contains(o, "status    cancelled") {
		t.Fatalf("status after cancel: %v\n%s", err, o)
	}
	// A swap to the sender itself is refused before anything is sent (the
	// chain would refuse it too, after charging the fee).
	self := devkeys.Address(1).Hex()
	if o, err := taod(t, n, "keys", "swap-coldkey", "schedule", "--from", "dev1", self); err == nil || !strings.Contains(err.Error(), "cannot swap to itself") || strings.Contains(o, "hash") {
		t.Fatalf("schedule to itself: %v\n%s", err, o)
	}
	if o, err := taod(t, n, "keys", "swap-coldkey", "status", "--from", "dev1"); err != nil || !strings.Contains(o, "has no coldkey swap") {
		t.Fatalf("dev1's status after the refusal: %v\n%s", err, o)
	}
}
