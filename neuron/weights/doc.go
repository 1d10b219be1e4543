// Package weights turns a validator's scores into the u16 weights the
// chain accepts and puts them on chain.
//
// FromScores keeps the scores' order, caps the largest share at the
// subnet's max_weight_limit (clipping the top, found by a binary search on
// the cap so the chain's integer check holds exactly), pads to
// min_allowed_weights with the next-best UIDs and never returns a lone
// weight on the validator itself; its output always passes
// subnet.CheckWeights, the function the chain runs (a property test holds
// it to that).
//
// Setter sends them: SetWeights on a plain subnet, CommitWeights then
// RevealWeights after reveal_delay on a commit-reveal subnet, first
// waiting out weights_rate_limit as the metagraph shows it. On a
// commit-reveal subnet it also reads the hotkey's pending commit
// (subnet_weightsCommit): a Setter restarted between a commit and its
// reveal has lost the salt, so it commits again once the rate limit since
// the chain's commit has passed.
package weights
