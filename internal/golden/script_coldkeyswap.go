package golden

import (
	"errors"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/types"
)

// The coldkey-swap cast: coldkey 7 swaps to dev key 61 after a cancel;
// coldkey 4 (validator 3's owner) is disputed between 62 and 63 and
// governance sends it to 62. 61..63 are unfunded at genesis, so a tx they
// sign proves a swap gave them the balance.
const (
	swapMover    = 7
	swapDest     = 61
	swapDisputed = 4
	swapOwner    = 62
	swapThief    = 63
)

// coldkeySwapScript covers ScheduleColdkeySwap and CancelColdkeySwap, a
// swap executing in the end-of-block hook, a dispute and its resolution
// by a ProposalColdkeySwap.
func coldkeySwapScript(x *gen) {
	p := x.c.Params()
	d := p.Staking.ColdkeySwapDelay
	dest := devkeys.Address(swapDest)

	// Schedule, cancel, and once the cancel's tombstone lapsed, schedule
	// again: the swap executes after the delay, stake position included.
	x.ok(x.call(swapMover, &types.AddStake{Hotkey: hot(2), Amount: 2 * tao}))
	x.ok(x.call(swapMover, &types.ScheduleColdkeySwap{NewColdkey: dest}))
	x.ok(x.call(swapMover, &types.CancelColdkeySwap{}))
	x.until(x.height() + d)
	x.ok(x.call(swapMover, &types.ScheduleColdkeySwap{NewColdkey: dest}))
	x.until(x.height() + d)
	// (at least: hotkey 2's dividends may have added to the position)
	if (x.q.stake(dest, hot(2)) < 2*tao || x.q.stake(devkeys.Address(swapMover), hot(2)) != 0) && x.err == nil {
		x.fail(errors.New("coldkey swap did not move the stake"))
	}
	x.ok(x.call(swapDest, &types.Transfer{To: devkeys.Address(swapMover), Amount: tao}))

	// A second schedule to another key disputes the swap; governance sends
	// it to the first destination.
	x.ok(x.call(swapDisputed, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(swapOwner)}))
	x.ok(x.call(swapDisputed, &types.ScheduleColdkeySwap{NewColdkey: devkeys.Address(swapThief)}))
	if x.q.swapStatus(devkeys.Address(swapDisputed)) != staking.SwapDisputed && x.err == nil {
		x.fail(errors.New("second schedule did not dispute the swap"))
	}
	x.ok(x.call(govProposer, &types.Propose{ProposalKind: types.ProposalColdkeySwap, Title: "coldkey 4 to its owner",
		SwapColdkey: devkeys.Address(swapDisputed), SwapTo: devkeys.Address(swapOwner), Deposit: 2 * tao}))
	id := x.q.lastProposal()
	x.ok(x.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}),
		x.call(2, &types.GovVote{ProposalID: id, Option: types.VoteYes}),
		x.call(3, &types.GovVote{ProposalID: id, Option: types.VoteYes}),
		x.call(5, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
	x.until(x.height() + p.Gov.VotingPeriod)
	x.ok(x.call(swapOwner, &types.Transfer{To: devkeys.Address(swapDisputed), Amount: tao}))
}
