// Package emission is the monetary policy of taod: how many rao a block
// mints, given the total issuance before it.
//
// The policy is immutable (governance cannot reach it) and is a pure
// function of one number, the total issuance. It has no state, no I/O and
// no floating point: every node must compute the same reward to the rao, on
// every platform, forever.
//
// # Units
//
// Amounts are uint64 rao. One TAO is RaoPerTAO = 10^9 rao, and the supply is
// capped at MaxSupply = 21,000,000 TAO = 2.1·10^16 rao, which is below 2^55,
// so no sum of two amounts that respect the cap can overflow a uint64.
//
// # The schedule
//
// The reward starts at InitialReward (1 TAO) and halves each time issuance
// crosses the next threshold, where each threshold is half-way from the
// previous one to the cap: 10.5M, 15.75M, 18.375M, 19.6875M TAO, and so on.
// Exactly, in integers, for k = 0, 1, 2, ...:
//
//	threshold(k)   = MaxSupply - floor(MaxSupply / 2^k)
//	Era(i)         = the largest k with i >= threshold(k)      (i < MaxSupply)
//	BlockReward(i) = min(floor(InitialReward / 2^Era(i)), MaxSupply - i)
//
// and BlockReward(i) = 0 once i >= MaxSupply. threshold(0) = 0, so every
// issuance below the cap has an era. Because MaxSupply = 21·2^15·5^15, the
// thresholds of the first 15 halvings are exact (floor discards nothing);
// from threshold(16) on, floor(MaxSupply/2^k) drops a fraction of a rao,
// which the definition above fixes once and for all. Likewise
// InitialReward = 2^9·5^9 halves exactly nine times, and from era 10 on the
// reward is rounded down (976,562 rao in era 10).
//
// This is the integer form of subtensor's formula
//
//	reward = InitialReward / 2^floor(log2(1 / (1 - i/MaxSupply)))
//
// Since MaxSupply - i is an integer, i >= threshold(k) holds exactly when
// 2^k <= MaxSupply / (MaxSupply - i) as real numbers, so Era(i) is
// floor(log2(MaxSupply / (MaxSupply - i))), which equals the bit length of
// the integer quotient floor(MaxSupply / (MaxSupply - i)) minus one. The
// implementation computes that: one integer division and one bit count.
//
// The reward reaches 0 in era 30 (2^30 > InitialReward), at an issuance of
// threshold(30) = 20,999,999.980442226 TAO; minting stops there, about 0.02
// TAO short of the cap, unless recycling lowers issuance again. Eras 0 to 9
// last exactly 10.5M blocks each; later ones last longer, because the
// rounded-down reward mints less than half as much per block (era 29, at
// 1 rao, lasts 19,557,772 blocks). The whole schedule is 328,414,167 blocks,
// pinned era by era in testdata/mainnet_schedule.golden. The min with
// MaxSupply - i (the clip) never binds with the mainnet constants, because
// each era's reward is far smaller than what is left to the cap; it is kept
// so that the cap is a property of the code, not of the constants.
//
// For issuances at or above the cap, where every threshold is passed, Era
// saturates at 55, the bit length of MaxSupply and the first k with
// threshold(k) = MaxSupply.
//
// # Recycling
//
// Fees, registration burns and slashes are recycled: Recycle subtracts them
// from total issuance, so later blocks mint them again. Recycling can move
// issuance back below a threshold and so raise the reward again, as in
// subtensor. The cap is therefore a bound on circulating supply, not on the
// sum of all rewards ever minted.
//
// # Splits
//
// Split and SplitOwnerCut divide an amount between recipients in integers,
// rounding down for the first recipient and giving the remainder to the
// second, so that the parts always add up to the amount to the rao.
//
// # Invariants
//
// For every uint64 issuance i (tested by property and fuzz tests):
//
//   - BlockReward(i) <= InitialReward, and BlockReward(i) = 0 if i >= MaxSupply;
//   - i < MaxSupply implies i + BlockReward(i) <= MaxSupply: applying rewards
//     never takes issuance above the cap;
//   - BlockReward is non-increasing in i;
//   - threshold(Era(i)) <= i < threshold(Era(i)+1) for i < MaxSupply;
//   - the parts returned by Split and SplitOwnerCut sum to the amount.
//
// # Why integers
//
// An IEEE double has 53 bits of mantissa and issuance needs 55, so
// issuance/MaxSupply cannot even be represented exactly; log2 and pow are
// not correctly rounded across libraries and CPUs. A reward that differs by
// one rao between two validators is a state-root mismatch and a halted
// chain. Integer arithmetic gives one answer everywhere.
//
// # Usage
//
// The state transition mints once per block and recycles what it burns:
//
//	reward := emission.BlockReward(issuance)
//	issuance += reward // never above MaxSupply
//	miners, validators := emission.Split(subnetShare)
//	issuance, err = emission.Recycle(issuance, feesAndBurns)
package emission
