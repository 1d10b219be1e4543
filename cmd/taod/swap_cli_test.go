package main

import (
	"context"
	"strings"
	"testing"

	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
)

// `taod stake swap-hotkey` through client/: the stake and registration move
// to the new hotkey, stake_ofHotkey shows the old one retired (with where it
// went), a second swap of it is refused naming it, and a swap to itself is
// refused before anything is sent.
func TestSwapHotkeyCLI(t *testing.T) {
	n := clienttest.Start(t)
	old, next := devkeys.Address(40).Hex(), devkeys.Address(41).Hex()
	mustTaod(t, n, "subnet", "create", "--from", "dev0", "--name", "swap")
	mustTaod(t, n, "subnet", "register", "--netuid", "1", "--from", "dev1", "--hotkey", old)
	mustTaod(t, n, "stake", "add", "--from", "dev1", "--hotkey", old, "--amount", "10")
	if o, err := taod(t, n, "stake", "swap-hotkey", "--from", "dev1", "--old", old, "--new", old); err == nil || !strings.Contains(err.Error(), "new hotkey") {
		t.Fatalf("swap to itself: %v\n%s", err, o)
	}
	mustTaod(t, n, "stake", "swap-hotkey", "--from", "dev1", "--old", old, "--new", next)

	c := n.Dial(t, false)
	ctx := context.Background()
	h, err := c.Hotkey(ctx, devkeys.Address(40))
	if err != nil || h == nil || h.Retired == nil || h.Retired.SwappedTo != devkeys.Address(41) || h.Owner != devkeys.Address(1) || h.Retired.AtBlock == 0 {
		t.Fatalf("stake_ofHotkey of the retired hotkey: %+v %v", h, err)
	}
	h, err = c.Hotkey(ctx, devkeys.Address(41))
	if err != nil || h == nil || h.Retired != nil || h.TotalStake != "10000000000" || len(h.Nominators) != 1 {
		t.Fatalf("stake_ofHotkey of the new hotkey: %+v %v", h, err)
	}
	o, err := taod(t, n, "stake", "swap-hotkey", "--from", "dev1", "--old", old, "--new", devkeys.Address(42).Hex())
	if err == nil || !strings.Contains(o, "status failed") || !strings.Contains(o, "hotkey was retired by a hotkey swap") || !strings.Contains(o, old+" was swapped to "+next) {
		t.Fatalf("second swap of the retired hotkey: %v\n%s", err, o)
	}
	// A new hotkey the chain knows, owned or retired, is refused before
	// anything is sent (the chain would refuse it after charging the fee).
	mustTaod(t, n, "subnet", "register", "--netuid", "1", "--from", "dev1", "--hotkey", devkeys.Address(43).Hex())
	for want, used := range map[string]string{"already in use on chain": next, "was retired by a hotkey swap": old} {
		o, err := taod(t, n, "stake", "swap-hotkey", "--from", "dev1", "--old", devkeys.Address(43).Hex(), "--new", used)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(o, "hash") {
			t.Errorf("swap to %s: %v\n%s", used, err, o)
		}
	}
	if h, err := c.Hotkey(ctx, devkeys.Address(43)); err != nil || h == nil || h.Retired != nil {
		t.Fatalf("hotkey 43 after the refused swaps: %+v %v", h, err)
	}
}
