// Package staking is the module of stake and the BFT validator set: who has
// staked what on which hotkey, the take a hotkey's owner keeps, unbonding,
// consensus keys, the validator set and its handover from the bootstrap
// validators, and the punishments (evidence of double signing, downtime,
// slashing, jail).
//
// # State
//
// staking owns the keys listed in keys.go (hotkeys, stake positions and
// their coldkey index, unbonding entries and the release queue, consensus
// keys, the validator sets by first height, downtime records, applied
// evidence, the handover marker, retired hotkeys, each coldkey's last
// hotkey swap). No other package writes them; other
// modules change stake only through the functions below.
//
// # How a block flows through it
//
// Package chain makes one Block per executed block (state, height, the
// staking Params in force, the chain ID and the genesis validators) and
// calls, in this order:
//
//   - begin of block: CheckEvidence and ApplyEvidence for each piece of
//     evidence the block carries (slash and jail the double signer), then,
//     once the parent's commit is verified, TrackDowntime (jail a validator
//     that missed more than half of downtime_window);
//   - for each call: AddStake, RemoveStake (into unbonding), SetTake,
//     BindConsensusKey, Unjail, SwapHotkey (swap.go: the hotkey record,
//     every position and unbonding entry, the consensus keys' back
//     references and the hotkey's place in the decided validator sets move
//     to a fresh hotkey; the old one is retired for good, and evidence
//     against a key it once had follows the retired record),
//     ScheduleColdkeySwap, CancelColdkeySwap (before any call, chain asks ColdkeyFrozen: a coldkey whose swap is
//     disputed or executing signs nothing);
//   - end of block: ReleaseUnbonding (stake whose unbonding ends here goes
//     back to the balance), after the epochs ExecuteColdkeySwaps (the
//     swaps due, within coldkey_swap_moves_per_block records; subnet
//     ownership moves through the SubnetOwners chain passes) and, at a
//     consensus epoch's last block H,
//     UpdateValidatorSet: pending key rotations take effect and the set for
//     heights from H+2 is decided and stored as a SetRecord (validators,
//     their hotkeys, the bootstrap flag; ValidatorSetAt reads it back).
//     The engine's own type is consensus.ValidatorSet, built from the
//     record's Validators: SetRecord is the stored form, not a second set.
//
// # What other modules use
//
// subnet and gov sit above staking and call it directly: HotkeyOf and
// Stake to read, RegisterHotkey (a registration gives a hotkey its owner),
// CreditReward and CreditStake (epoch payouts), ForEachPosition (the
// governance tally), and the ledger helpers Debit, Credit, Recycle and
// MulDiv (ledger.go) that every module uses to move TAO. MigrateParams
// reshapes staking state when governance changes a parameter that shapes
// it. gov resolves a disputed coldkey swap through CheckSwapResolution,
// ExtendSwapDispute and ResolveColdkeySwap (coldkeyswap.go holds the
// rules). Queries (rpc) read through HotkeyOf, Hotkeys, Stake, StakesOf,
// Nominators, UnbondingOf, UnbondingOfHotkey, Retired, ValidatorSetAt,
// ColdkeySwapOf, PendingColdkeySwaps and OwnedHotkeys. Registration refuses
// a retired hotkey by name (CheckNotRetired).
//
// Errors of failed calls are sentinels in errors.go; their texts still say
// "chain:", as they did before the module split, because a failed call's
// error text is part of its receipt and so of the block hash.
//
// Nothing here reads a clock, draws randomness or lets map order matter.
package staking
