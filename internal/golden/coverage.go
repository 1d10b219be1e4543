package golden

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// CheckCoverage proves, from the replayed blocks and receipts alone, that
// the golden chain still covers what it is for, so that it cannot quietly
// stop covering something when it is regenerated:
//
//   - every call kind succeeded at least once, and an Ethereum-signed
//     transfer (legacy and EIP-1559) succeeded;
//   - a PoW registration went through fee-free;
//   - commits were signed first by the bootstrap set, then by the staked
//     set (the handover);
//   - double-sign evidence was included, and its validator's Unjail
//     succeeded later (Unjail fails unless jailed: so it was jailed);
//   - another validator missed commits, was named in no evidence, and its
//     Unjail succeeded (jailed for downtime);
//   - a SetTake failed, a parameter-change proposal passed its votes, and
//     the same SetTake succeeded (the change took effect);
//   - a CommitWeights was revealed by its sender;
//   - the miners' coldkey, unfunded at genesis, removed stake (so an epoch
//     paid its miners) and later transferred (so the unbonding released);
//   - a SwapHotkey succeeded, its new hotkey set weights, and a call naming
//     the retired hotkey failed (coverHotkeySwap, script_hotkeyswap.go).
//   - a ScheduleColdkeySwap and a CancelColdkeySwap succeeded, a swap's
//     destination, unfunded at genesis, later signed (the swap executed),
//     and so did the destination of a coldkey-swap resolution (a dispute
//     resolved by governance).
//   - receipts carry their events consistently with the txs (coverEvents,
//     coverage_events.go), and every event kind but two occurs.
func CheckCoverage(genesis []byte, steps []Step) error {
	var g chain.Genesis
	if err := json.Unmarshal(genesis, &g); err != nil {
		return fmt.Errorf("golden: genesis: %w", err)
	}
	funded := map[types.Address]bool{}
	for _, a := range g.Alloc {
		funded[a.Address] = true
		if a.Address == MinerColdkey() {
			return errors.New("golden: the miners' coldkey is funded at genesis: its transfer proves nothing")
		}
	}
	var (
		ok        = map[types.CallKind]int{}
		eth       = map[byte]bool{}
		freePow   bool
		bootSig   = -1 // last height signed by a bootstrap key
		stakedSig = -1 // first height signed by a staked key
		evidence  = -1 // height of the evidence against consKeys[slashedVal]
		unjailed  = map[types.Address]int{}
		missed    int // commits without consKeys[downVal] while it had signed before
		downNamed bool
		takeFail  = -1
		takeOK    = -1
		proposed  = -1
		committed = map[types.Address]bool{}
		revealed  bool
		minerRm   = -1
		minerTx   = -1
		swapTo    = map[types.Address]bool{} // destinations of successful ScheduleColdkeySwap
		resolveTo = map[types.Address]bool{} // destinations of coldkey-swap resolutions
		swapSpent bool                       // a swap's destination, unfunded at genesis, signed
		resolved  bool                       // a resolution's destination signed
	)
	slashKey, downKey := devkeys.Address(consKeys[slashedVal]), devkeys.Address(consKeys[downVal])
	signedBefore := false
	for i, s := range steps {
		h := i + 1
		signers := map[types.Address]bool{}
		for _, sig := range s.Commit.Signatures {
			signers[sig.Validator] = true
		}
		for _, k := range bootKeys {
			if signers[devkeys.Address(k)] {
				bootSig = h
			}
		}
		for _, k := range consKeys {
			if signers[devkeys.Address(k)] && stakedSig < 0 {
				stakedSig = h
			}
		}
		if signers[downKey] {
			signedBefore = true
		} else if signedBefore {
			missed++
		}
		for _, ev := range s.Block.Evidence {
			switch ev.A.Validator {
			case slashKey:
				evidence = h
			case downKey:
				downNamed = true
			}
		}
		for j, tx := range s.Block.Txs {
			if s.Receipts[j].Status != types.ReceiptSuccess {
				if st, isTake := tx.Call().(*types.SetTake); isTake && st.Take == takeTarget {
					takeFail = h
				}
				continue
			}
			from, err := tx.Sender()
			if err != nil {
				return fmt.Errorf("golden: height %d tx %d: %w", h, j, err)
			}
			if tx.Type() != types.TxTypeNative {
				eth[tx.Type()] = true
				continue
			}
			ok[tx.Call().Kind()]++
			if swapTo[from] && !funded[from] {
				swapSpent = true
			}
			if resolveTo[from] && !funded[from] {
				resolved = true
			}
			switch c := tx.Call().(type) {
			case *types.ScheduleColdkeySwap:
				swapTo[c.NewColdkey] = true
			case *types.PowRegister:
				freePow = freePow || tx.Fee() == 0
			case *types.Unjail:
				unjailed[c.Hotkey] = h
			case *types.SetTake:
				if c.Take == takeTarget && takeFail > 0 {
					takeOK = h
				}
			case *types.Propose:
				if c.ProposalKind == types.ProposalColdkeySwap {
					resolveTo[c.SwapTo] = true
				}
				if c.ProposalKind == types.ProposalParamChange && takeFail > 0 {
					proposed = h
				}
			case *types.CommitWeights:
				committed[from] = true
			case *types.RevealWeights:
				revealed = revealed || committed[from]
			case *types.RemoveStake:
				if from == MinerColdkey() {
					minerRm = h
				}
			case *types.Transfer:
				if from == MinerColdkey() && minerRm > 0 {
					minerTx = h
				}
			}
		}
	}
	var errs []error
	for k := types.CallTransfer; k <= types.CallCancelProposal; k++ {
		if ok[k] == 0 {
			errs = append(errs, fmt.Errorf("no successful %s", k))
		}
	}
	for _, k := range []types.CallKind{types.CallScheduleColdkeySwap, types.CallCancelColdkeySwap} {
		if ok[k] == 0 {
			errs = append(errs, fmt.Errorf("no successful %s", k))
		}
	}
	check := func(cond bool, what string) {
		if !cond {
			errs = append(errs, errors.New(what))
		}
	}
	check(eth[types.TxTypeLegacy] && eth[types.TxTypeEIP1559], "no successful Ethereum-signed transfer (legacy and EIP-1559)")
	check(freePow, "no fee-free PowRegister")
	check(bootSig > 0 && stakedSig > bootSig, fmt.Sprintf("no handover: bootstrap keys sign until %d, staked keys from %d", bootSig, stakedSig))
	check(evidence > 0 && unjailed[hot(slashedVal)] > evidence, "no double-sign evidence followed by the signer's Unjail")
	check(!downNamed && missed > 0 && unjailed[hot(downVal)] > 0, "no downtime jail: missed commits followed by Unjail")
	check(takeFail > 0 && proposed > takeFail && takeOK > proposed, "no governance change in effect: SetTake failing, proposal, same SetTake succeeding")
	check(revealed, "no CommitWeights revealed by its sender")
	check(minerRm > 0 && minerTx > minerRm, "no epoch payout spent after unbonding by the miners' coldkey")
	if err := coverHotkeySwap(steps); err != nil { // issue 16: script_hotkeyswap.go
		errs = append(errs, err)
	}
	check(swapSpent, "no coldkey swap executed: no tx signed by a swap's unfunded destination")
	check(resolved, "no disputed coldkey swap resolved by governance: no tx signed by the resolution's destination")
	if err := coverEvents(steps); err != nil { // issue 15: coverage_events.go
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("golden: the chain no longer covers: %w", errors.Join(errs...))
	}
	return nil
}
