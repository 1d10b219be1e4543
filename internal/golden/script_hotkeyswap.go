package golden

import (
	"errors"
	"fmt"
	"strings"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// The hotkey swap's part of the golden chain (issue 16), appended to the
// script: validators 0 and 1 swap their hotkeys (dev keys 10, 11) to fresh
// ones (dev keys 70, 71) while they are BFT validators, registered on the
// subnets and, for validator 0, a root member; validator 1 swaps between
// committing weights and revealing them, and reveals from the new hotkey;
// validator 0's new hotkey sets weights; a nominator's AddStake to the old
// hotkey fails naming it retired; a subnet epoch then pays the new hotkeys.
const swapKeyBase = 70

// swapped is validator i's hotkey after the swap.
func swapped(i int) types.Address { return devkeys.Address(swapKeyBase + i) }

func hotkeySwapScript(x *gen) {
	p := x.c.Params()
	tempo := p.Subnets.Defaults.Tempo
	crU, crW, salt := []uint16{2}, []uint16{65_535}, []byte("golden swap")
	x.until(x.nextMultiple(tempo, 2) + 1) // just after subnet 2's epoch: permits fresh
	x.ok(x.maybeFree(11, &types.CommitWeights{Netuid: 2, Hash: types.WeightsCommitHash(hot(1), 2, crU, crW, salt, 0)}))
	committed := x.height()
	x.ok(x.call(1, &types.SwapHotkey{Old: hot(0), New: swapped(0)}),
		x.call(2, &types.SwapHotkey{Old: hot(1), New: swapped(1)}),
		x.call(0, &types.Transfer{To: swapped(0), Amount: tao}),
		x.call(0, &types.Transfer{To: swapped(1), Amount: tao}))
	x.fails(staking.ErrHotkeyRetired.Error(), x.call(5, &types.AddStake{Hotkey: hot(0), Amount: tao}))
	x.ok(x.maybeFree(swapKeyBase, &types.SetWeights{Netuid: 1, UIDs: []uint16{2, 3, 4, 5}, Weights: []uint16{10_000, 20_000, 30_000, 40_000}}))
	x.until(committed + p.Subnets.Defaults.RevealDelay - 1)
	x.ok(x.maybeFree(swapKeyBase+1, &types.RevealWeights{Netuid: 2, UIDs: crU, Weights: crW, Salt: salt}))
	x.until(x.nextMultiple(tempo, 1)) // subnet 1's epoch pays the new hotkeys
}

// coverHotkeySwap demands, from the blocks and receipts, a successful
// SwapHotkey, then a successful weights call (SetWeights or RevealWeights)
// signed by a swap's new hotkey, and a failed call whose receipt names an
// old hotkey retired.
func coverHotkeySwap(steps []Step) error {
	news := map[types.Address]bool{}
	var olds []types.Address
	weights, refused := false, false
	for i, s := range steps {
		for j, tx := range s.Block.Txs {
			if tx.Type() != types.TxTypeNative {
				continue
			}
			r := s.Receipts[j]
			if r.Status != types.ReceiptSuccess {
				for _, o := range olds {
					refused = refused || strings.Contains(r.Error, staking.ErrHotkeyRetired.Error()) && strings.Contains(r.Error, o.String())
				}
				continue
			}
			from, err := tx.Sender()
			if err != nil {
				return fmt.Errorf("height %d tx %d: %w", i+1, j, err)
			}
			switch c := tx.Call().(type) {
			case *types.SwapHotkey:
				news[c.New] = true
				olds = append(olds, c.Old)
			case *types.SetWeights, *types.RevealWeights:
				weights = weights || news[from]
			}
		}
	}
	var errs []error
	if len(olds) == 0 {
		errs = append(errs, errors.New("no successful SwapHotkey"))
	}
	if !weights {
		errs = append(errs, errors.New("no weights set by a swapped-in hotkey"))
	}
	if !refused {
		errs = append(errs, errors.New("no call refused for naming a retired hotkey"))
	}
	return errors.Join(errs...)
}
