package golden

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/types"
)

// eventsNotInGolden are the event kinds the golden script does not
// produce: a proposal failing its tally and a subnet pruned (the chain's
// tests cover them; the script would need a subnet limit it never reaches).
var eventsNotInGolden = map[types.EventKind]bool{types.EvProposalFailed: true, types.EvSubnetPruned: true}

// coverEvents checks the receipts' events against what the txs did: each
// block's list ends with exactly one block receipt (zero tx hash); every
// receipt is format ReceiptVersion; a paid tx's first event is its fee, of
// the fee it paid; a failed call has nothing else; a successful Transfer
// reports its recipient and amount, a BurnedRegister the coldkey's burn
// (format 2) and the same amount on the registration. Every kind but eventsNotInGolden
// occurs somewhere.
func coverEvents(steps []Step) error {
	seen := map[types.EventKind]bool{}
	for _, s := range steps {
		h, rs := s.Block.Height(), s.Receipts
		if len(rs) != len(s.Block.Txs)+1 || !rs[len(rs)-1].IsBlockReceipt() {
			return fmt.Errorf("block %d: %d receipts for %d txs, or no block receipt last", h, len(rs), len(s.Block.Txs))
		}
		for i, r := range rs {
			if r.Version != types.ReceiptVersion {
				return fmt.Errorf("block %d receipt %d: version %d", h, i, r.Version)
			}
			for _, e := range r.Events {
				seen[e.Kind] = true
			}
			if i == len(rs)-1 {
				break
			}
			tx := s.Block.Txs[i]
			from, err := tx.Sender()
			if err != nil {
				return err
			}
			evs := r.Events
			if r.FeePaid > 0 {
				if len(evs) == 0 || evs[0].Kind != types.EvFeePaid || evs[0].Amount != r.FeePaid || evs[0].Addr != from {
					return fmt.Errorf("block %d tx %d: paid %d rao, first event %+v", h, i, r.FeePaid, evs)
				}
				evs = evs[1:]
			}
			if r.Status != types.ReceiptSuccess {
				if len(evs) != 0 {
					return fmt.Errorf("block %d tx %d: a failed call emitted %+v", h, i, evs)
				}
				continue
			}
			switch c := tx.Call().(type) {
			case *types.Transfer:
				if len(evs) != 1 || evs[0].Kind != types.EvTransfer || evs[0].Peer != c.To || evs[0].Amount != c.Amount || evs[0].Addr != from {
					return fmt.Errorf("block %d tx %d: a transfer of %d to %s reported %+v", h, i, c.Amount, c.To, evs)
				}
			case *types.BurnedRegister:
				if len(evs) != 2 || evs[0].Kind != types.EvFeePaid || evs[0].Ref != types.FeeRegistrationBurn || evs[0].Addr != from || evs[0].Amount == 0 ||
					evs[1].Kind != types.EvNeuronRegistered || evs[1].Addr != c.Hotkey || evs[1].Amount != evs[0].Amount {
					return fmt.Errorf("block %d tx %d: a burned registration of %s reported %+v", h, i, c.Hotkey, evs)
				}
			}
		}
	}
	var missing []error
	for k := types.EventKind(1); k.Valid(); k++ {
		if !seen[k] && !eventsNotInGolden[k] {
			missing = append(missing, fmt.Errorf("no %s event", k))
		}
	}
	return errors.Join(missing...)
}
