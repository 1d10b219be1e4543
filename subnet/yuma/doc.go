// Package yuma is the Yuma consensus epoch of a subnet: from stake and
// weights it computes consensus, trust, incentive, bonds, dividends and each
// UID's share of the epoch's emission. It is a pure, deterministic function
// in fixed-point integer arithmetic, with no floats, randomness, maps, I/O or
// mutable package state, so every node computes the same bytes.
//
// # Algorithm
//
// Epoch follows subtensor's epoch() with classic bonds (no liquid alpha, no
// commit-reveal, no subnet owner, no minimum stake). With n UIDs, S the
// stake and W the u16 weights (row i = weights set by UID i):
//
//  1. Active: last_update_i + activity_cutoff >= current_block.
//  2. Validator permits: Input.ValidatorPermits when given; otherwise the
//     max_validators UIDs with the most stake, among those with nonzero
//     stake; equal stakes favour the higher UID (as subtensor's stable
//     ascending sort does).
//  3. Voting stake s: stake of active permitted validators, normalized.
//  4. Weights: rows of UIDs without a permit, self-weights and weights set at
//     or before the target's registration (last_update_i <=
//     block_at_registration_j) are dropped; rows are normalized to sum to 1.
//  5. Pre-ranks p_j = Σ_i W_ij·s_i.
//  6. Consensus C_j: the stake-weighted kappa-median of column j, the
//     smallest weight x such that the voting stake setting weights <= x
//     exceeds 1 − kappa/65535 of it (so a kappa share set weights >= x).
//  7. Clipped weights W'_ij = min(W_ij, C_j); validator trust = Σ_j W'_ij.
//  8. Ranks r_j = Σ_i W'_ij·s_i; trust = r_j / p_j; ranks are then
//     normalized, and incentive equals the normalized ranks.
//  9. Bonds: ΔB = W'_ij·s_i, column-normalized. The previous bonds B (u16,
//     as stored) lose the columns of UIDs registered within the last tempo
//     blocks and are column-normalized. The new bonds are the EMA
//     (1−a)·B + a·ΔB with 1−a = bonds_moving_average/10^6, column-normalized.
//  10. Dividends d_i = Σ_j bonds_ij·incentive_j, normalized.
//  11. Emission: UID i receives emission·incentive_i/T as incentive and
//     emission·dividends_i/T as dividends, T = Σ incentive + Σ dividends (so
//     miners and validators get half each). If T is 0 (no usable weights),
//     validators receive it all in proportion to voting stake, or to stake
//     if no stake votes. Every amount is rounded down; the remainder is
//     Output.Dust.
//  12. Stored bonds: each column scaled so its largest entry is 65535 and
//     rounded down to u16; rows of UIDs without a permit are cleared.
//
// The reference vectors in testdata/vectors (a copy of ../shared/yuma-vectors,
// computed in floating point from a port of subtensor's epoch) are
// reproduced exactly for bonds and emissions and within 3e-16 for the other
// values (see TestVectors).
//
// Where taod differs from subtensor, on purpose:
//
//   - Fair launch (DESIGN §1): while no UID has any stake, permits go to the
//     max_validators active UIDs that set a weight on another UID, earliest
//     registered first (then lowest UID), and each votes as if equally
//     staked. Stake held only by inactive UIDs does not trigger this rule:
//     those UIDs keep their permits, and step 11 pays the emission by stake.
//   - Stake is compared and normalized exactly. subtensor's I32F32 rounds a
//     stake below 2^-32 of the total to zero, which takes its permit away;
//     here, as in the reference vectors, any nonzero stake counts.
//   - Rows of UIDs without a permit are always cleared in the stored bonds;
//     subtensor leaves untouched the rows of UIDs that had no permit in the
//     previous epoch either. The caller stores Output.Bonds whole.
//   - Params.Tempo is an input (it selects the bonds of recently registered
//     UIDs to drop); ParseInput defaults it to 360, subtensor's default tempo,
//     with which the reference vectors were computed.
//
// # Fixed point
//
// Values in [0, 1] are Fixed: a uint64 with 62 fractional bits (U2.62,
// resolution 2^-62 ≈ 2.2e-19, two bits of headroom). Products of two Fixed
// are taken exactly in 128 bits (math/bits) and dot products are summed
// exactly in 128 bits, so a rank or a dividend is rounded once, when it is
// divided by its normalizer. Divisions round towards zero; when a 128-bit
// denominator is shifted to fit in 64 bits the result may lose up to 1.5
// units of 2^-62. The divisions of every weight and bond by a row or
// column sum multiply by a precomputed reciprocal and correct once (see
// divider), which gives exactly the hardware division's quotient. Stake and emission stay in integer rao: the total stake
// must fit in a uint64 (21M TAO is 2.1e16 rao), the median compares raw
// stake exactly, and emissions are floor(emission·x/T) from integers.
// 2^-62 is far below every tolerance: an emission of 10^12 rao moves by less
// than 10^-6 rao per unit.
//
// # Invariants
//
//   - Every Fixed output is in [0, 1].
//   - Σ IncentiveEmission + Σ DividendEmission + Dust = Emission: rao is
//     never created nor lost; Dust (rounding, or everything when nobody can
//     be paid) goes back to the caller to recycle or carry over.
//   - Incentive and dividends each sum to 1 (within 2n units of 2^-62, never
//     above) or are all zero.
//   - Epoch is deterministic and does not modify its input; relabeling UIDs
//     relabels the outputs identically, except where a tie is broken by UID
//     (equal stakes for permits, fair-launch registration order).
//
// # Usage
//
//	in, err := yuma.ParseInput(data) // or build an Input from chain state
//	if err != nil { … }
//	out, err := yuma.Epoch(in)
//	if err != nil { … } // malformed input: errors.Is(err, yuma.ErrInvalidInput)
//	// pay out.IncentiveEmission[i] + out.DividendEmission[i] to UID i,
//	// recycle out.Dust, store out.Bonds, out.ValidatorPermits, and
//	// out.Consensus[i].U16() etc. for the metagraph.
//	js, _ := json.Marshal(out) // the vectors' "expected" shape, plus "dust"
//
// # Testing
//
//   - TestVectors: the reference vectors.
//   - TestAgainstFloatReference: refEpoch, a double-precision transcription of
//     subtensor's epoch, on 306 random subnets of up to 1,024 UIDs and 256
//     validators, within the vectors' tolerances. A stake-weighted median
//     can sit on an exact tie: the voting stake at or below some weight
//     equals the threshold, cum·65535 = total·(65535 − kappa). Epoch decides
//     it exactly (not exceeded: the next weight up), a float sum may land
//     on either side, and the pivot and everything after it can differ.
//     medianTie detects such columns independently of both engines
//     (weights compared as fractions v/Σv, stakes summed as integers) and
//     the case is counted and left out, along with near ties within 1e-12
//     of the threshold. Only round stakes with a kappa that divides them
//     (1/3, 4/5, …) produce ties: 4 of the 306 cases, 3 of which do differ.
//   - TestGoldenOutputs: the exact bits of 6,203 outputs, recorded before the
//     engine was optimized and reproduced since.
//   - Property tests: conservation of emission, incentive and dividends
//     summing to 1, determinism, relabeling, agreeing with consensus paying
//     more than deviating, a stale weight copier earning less than an honest
//     validator once bonds accrue, an unweighted miner earning nothing; and
//     fuzzing of Epoch, ParseInput and the divider.
//
// # Cost
//
// Time and memory grow with n × (validators + bond holders), not n²: the
// matrices hold only rows that exist (weights of permitted validators,
// bonds), each matrix in one allocation. An epoch allocates about 50 times,
// whatever n. Consensus runs per column a range-adaptive radix select
// (histograms of stake over 256 bins of the weights' range; quickselect for
// few votes) with no data-dependent branches. The bonds, EMA, stored bonds
// and dividends are computed one block of 32 columns at a time over all
// bond rows, so every previous bond is normalized once and the EMA matrix
// never exists whole. For 4,096 UIDs and 256 validators that each weight
// every UID, an epoch takes about 37 ms on one core of the machine this was
// written on (BenchmarkEpoch4096x256; 61 ms before these changes; 15 ms when
// each validator weights 10% of the UIDs), about 110 times a plain pass that
// reads every weight once (BenchmarkPlainPass4096x256, 0.34 ms): each
// weight goes through a normalization, the median, clipping and four
// divisions of the bonds, each exact.
package yuma
