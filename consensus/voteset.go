package consensus

import "github.com/taonet/taod/types"

// maxHashesPerValidator bounds the values one validator's votes are counted
// for in one round and type, so that an equivocating validator cannot make
// the engine hold an unbounded number of votes. Votes that come with a proof
// (a proof of lock, a commit) are counted past it.
const maxHashesPerValidator = 3

// voteSet is the votes of one type in one round.
//
// Each validator counts once towards power, the power that voted at all, and
// once towards each value it voted for. An honest validator votes once. A
// byzantine one may vote for several values and, as in the paper (which
// counts messages from distinct senders for each value), counts for each:
// with less than 1/3 of the power byzantine, at most one value can still
// pass 2/3, and a proof of lock that relies on an equivocator's vote stays a
// proof for validators that saw its other vote first. Counting only each
// validator's first vote would let an equivocator split the validators'
// views of a proof of lock and stall the height for good.
type voteSet struct {
	first     []*types.Vote // each validator's first vote, by index
	hashes    []uint8       // values each validator is counted for
	power     uint64
	tally     map[types.Hash]*tally // lookups only
	maj23     bool                  // some value has > 2/3 of the power: maj23Hash
	maj23Hash types.Hash
}

type tally struct {
	votes []*types.Vote // by validator index
	power uint64
}

func (vs *voteSet) firstVote(idx int) *types.Vote {
	if vs.first == nil {
		return nil
	}
	return vs.first[idx]
}

func (vs *voteSet) has(idx int, hash types.Hash) bool {
	t := vs.tally[hash]
	return t != nil && t.votes[idx] != nil
}

func (vs *voteSet) full(idx int) bool {
	return vs.hashes != nil && vs.hashes[idx] >= maxHashesPerValidator
}

// add counts v, by validator idx of n with the given power, for its value.
// The caller checks that it is not counted there yet.
func (vs *voteSet) add(n, idx int, power, total uint64, v *types.Vote) {
	if vs.first == nil {
		vs.first = make([]*types.Vote, n)
		vs.hashes = make([]uint8, n)
		vs.tally = make(map[types.Hash]*tally, 2)
	}
	if vs.first[idx] == nil {
		vs.first[idx] = v
		vs.power += power
	}
	if vs.hashes[idx] < ^uint8(0) {
		vs.hashes[idx]++
	}
	t := vs.tally[v.BlockHash]
	if t == nil {
		t = &tally{votes: make([]*types.Vote, n)}
		vs.tally[v.BlockHash] = t
	}
	t.votes[idx] = v
	t.power += power
	if !vs.maj23 && hasTwoThirds(t.power, total) {
		vs.maj23, vs.maj23Hash = true, v.BlockHash
	}
}

// votesFor returns the votes for hash, in validator-set order.
func (vs *voteSet) votesFor(hash types.Hash) []*types.Vote {
	t := vs.tally[hash]
	if t == nil {
		return nil
	}
	var out []*types.Vote
	for _, v := range t.votes {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// commit collects the votes for hash, in validator-set order.
func (vs *voteSet) commit(height uint64, round uint32, hash types.Hash) *types.Commit {
	c := &types.Commit{Height: height, Round: round, BlockHash: hash}
	for _, v := range vs.votesFor(hash) {
		c.Signatures = append(c.Signatures, types.CommitSig{Validator: v.Validator, Signature: v.Signature})
	}
	return c
}
