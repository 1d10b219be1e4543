// Package subnet is the module of subnets: their records and neurons,
// registration (by burn and by proof of work), weights and commit-reveal,
// the per-subnet Yuma epochs that pay miners and validators, and the root
// network that decides each subnet's share of the block reward. Beside
// that state machine it holds the pure rules it applies (rules.go,
// hyperparams.go: costs, difficulty, PoW checks, lock cost, pruning choice,
// the weights rules) and, in subnet/yuma, the epoch engine itself.
//
// # State
//
// subnet owns the keys listed in keys.go (subnet records, neurons, the
// hotkey→UID index, weights, bonds, weights commits, root members and their
// weights, the network registry). Stake is staking's: subnet reads a
// hotkey's total stake and credits rewards through package staking.
//
// # How a block flows through it
//
// Package chain makes one Block per executed block (state, height, the
// subnet Params and staking Params in force, and the store's block hashes
// for PoW) and calls:
//
//   - for each call: RegisterNetwork, BurnedRegister, PowRegister,
//     ServeAxon, SetWeights, CommitWeights, RevealWeights, RootRegister,
//     SetRootWeights, SetHyperparam, and SwapHotkey (swap.go: a hotkey's
//     registrations, pending commits and root membership move to a fresh
//     one; chain calls it after staking's half checked and charged the
//     call);
//   - at the end of the block, EndBlock, in this order: shares are
//     recomputed over the root network every root_tempo blocks (or when
//     the set of subnets or the root changed in this block), the emission
//     pool is shared out to the subnets' pending emission, registration
//     costs adjust, and every subnet whose tempo falls on this block runs
//     its epoch (owner cut to the owner's balance, incentive as stake to
//     miners, dividends through staking.CreditReward).
//
// WeightsPermitted, IsRootMember and UIDOf tell chain which calls may go
// fee-free. MigrateParams trims the root when governance lowers
// root_max_validators. Create writes the genesis subnets. MoveOwnership
// gives a swapped coldkey's subnets to its new coldkey (staking's coldkey
// swap, through chain).
//
// Queries (rpc) read through Get, All, Neurons, NeuronAt, UIDOf, WeightsOf,
// RootMembers, RootWeightsOf and NetworkLockCost.
//
// Errors of failed calls are sentinels in errors.go (texts unchanged from
// package chain: they are in receipts). Nothing here reads a clock, draws
// randomness or lets map order matter.
package subnet
