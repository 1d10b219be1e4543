// Package gov is the module of on-chain governance: stake-weighted
// proposals (parameter changes, software-upgrade halts, text), votes, the
// tally and its outcome, and the halt at a scheduled upgrade this binary
// does not implement. Monetary policy is out of its reach.
//
// # State
//
// gov owns the keys listed in keys.go: proposals, votes, the voting-end
// queue and its per-height count, the next proposal ID and the scheduled
// upgrade. The parameters themselves are package chain's (the registry, in
// state under "gparams"): gov never writes them; it asks the Registry.
//
// # How a block flows through it
//
// Package chain makes one Block per executed block (state, height, the gov
// Params in force and a Registry) and calls:
//
//   - at the start of the block, CheckUpgrade: a scheduled upgrade this
//     binary does not implement stops the chain (ErrUpgradeRequired);
//   - for each call: Propose (deposit debited; a parameter change is
//     checked by Registry.CheckChanges first), Vote, CancelProposal (half
//     the deposit recycled);
//   - at the end of the block, EndBlock: the proposals whose voting ends
//     here are tallied in one pass over the stake positions (TallyStake: a
//     position votes with its coldkey, else with its hotkey's owner), the
//     deposit is returned or recycled (quorum missed, or vetoed), a passed
//     parameter change goes to Registry.ApplyChanges (in force from the
//     next block; refused if the state no longer admits it), a passed
//     upgrade is scheduled, and a passed coldkey-swap resolution sends the
//     disputed swap to the chosen destination or cancels it
//     (staking.ResolveColdkeySwap; the move runs in the same block's hook).
//
// # What it needs from others
//
// From staking: the stake positions (ForEachPosition), a hotkey's owner
// (HotkeyOf), the ledger helpers (Debit, Credit, Recycle, MulDiv) and the
// coldkey-swap resolution (CheckSwapResolution, ResolveColdkeySwap). From
// chain: the Registry interface declared in block.go, two methods. gov
// imports neither chain nor subnet.
//
// Queries (rpc) read through GetProposal, Proposals, Votes, TallyVotes and
// ScheduledUpgrade. Failed-call errors are sentinels in errors.go; their
// texts are in receipts and so unchanged from package chain.
package gov
