package consensus

import (
	"fmt"

	"github.com/taonet/taod/types"
)

// futureBuf holds verified messages for the next height until NewHeight,
// bounded per validator and in total, in count and in bytes. Only members of
// the next height's set get slots, and only with a valid signature, so no
// one can take a slot in another validator's name. When the totals are full,
// a validator still under its fair share (total ÷ set size) takes room from
// the one furthest over it: a validator flooding its own slots cannot crowd
// out another's next-height proposal or votes.
type futureBuf struct {
	height  uint64
	known   bool                  // members is the set of height (not a guess)
	members map[types.Address]int // signer → slot index
	msgs    []futureMsg           // in arrival order, replayed in it
	count   []int                 // by slot
	bytes   []int                 // by slot
	total   int                   // bytes held
}

type futureMsg struct {
	m    Message
	slot int
	size int
}

// newFutureBuf makes the buffer of height h for the members of its set
// (known), or of the set before it (a guess: sets change at epochs only).
func newFutureBuf(h uint64, members []types.Validator, known bool) *futureBuf {
	f := &futureBuf{height: h, known: known, members: make(map[types.Address]int, len(members))}
	for _, v := range members {
		if _, dup := f.members[v.Address]; !dup {
			f.members[v.Address] = len(f.members)
		}
	}
	f.count = make([]int, len(f.members))
	f.bytes = make([]int, len(f.members))
	return f
}

// Len is the number of messages held; Bytes their estimated size.
func (f *futureBuf) Len() int   { return len(f.msgs) }
func (f *futureBuf) Bytes() int { return f.total }

// signer is who signed m: the proposer or the voter.
func (m Message) signer() types.Address {
	if m.Proposal != nil {
		return m.Proposal.Proposer
	}
	return m.Vote.Validator
}

// estSize estimates the bytes m holds in memory (close to its encoding) without
// encoding it: transactions dominate and already are bytes.
func (m Message) estSize() int {
	const vote, overhead = 160, 256
	n := overhead
	if m.Vote != nil {
		n += vote
	}
	if m.Proposal != nil {
		n += vote
	}
	n += len(m.POL) * vote
	if b := m.Block; b != nil {
		n += 512
		for _, tx := range b.Txs {
			n += len(tx.Bytes()) + 8
		}
		if b.LastCommit != nil {
			n += len(b.LastCommit.Signatures) * 96
		}
		n += len(b.Evidence) * 2 * vote
	}
	return n
}

// same reports whether a and b are the same signed statement (a rebroadcast).
func same(a, b Message) bool {
	switch {
	case a.Vote != nil && b.Vote != nil:
		x, y := a.Vote, b.Vote
		return x.Type == y.Type && x.Round == y.Round && x.BlockHash == y.BlockHash && x.Validator == y.Validator
	case a.Proposal != nil && b.Proposal != nil:
		x, y := a.Proposal, b.Proposal
		return x.Round == y.Round && x.BlockHash == y.BlockHash && x.POLRound == y.POLRound && x.Proposer == y.Proposer
	}
	return false
}

// buffer keeps a message of the next height, whose signer must be in that
// height's set and whose signature must hold. It reports whether m is a new
// statement with a valid signature (held, or dropped for want of room:
// rebroadcasts bring it again), and returns an error only for a message its
// author got wrong.
func (e *Engine) buffer(m Message) (verified bool, err error) {
	f := e.future
	if f == nil || m.Height() != f.height {
		return false, nil
	}
	slot, ok := f.members[m.signer()]
	if !ok && !f.known {
		return false, nil // perhaps a new validator: not held, not blamed
	}
	if !ok {
		return false, fmt.Errorf("%w: %s at height %d", ErrUnknownValidator, m.signer(), m.Height())
	}
	for _, q := range f.msgs {
		if q.slot == slot && same(q.m, m) {
			return false, nil
		}
	}
	if !f.hasRoom(slot, m.estSize(), e.cfg) {
		return false, nil // its own slots are full: no recovery spent on it
	}
	if p := m.Proposal; p != nil {
		if m.Block.Height() != p.Height || m.Block.Hash() != p.BlockHash {
			return false, fmt.Errorf("%w: block does not match its proposal", ErrBadMessage)
		}
		if len(m.POL) > len(f.members) {
			return false, fmt.Errorf("%w: %d proof-of-lock votes", ErrBadMessage, len(m.POL))
		}
		if err := e.cfg.Verifier.VerifyProposal(p); err != nil {
			return false, err
		}
	} else if err := e.cfg.Verifier.VerifyVote(m.Vote); err != nil {
		return false, err
	}
	f.hold(m, slot, e.cfg)
	return true, nil
}

// hasRoom reports whether slot's validator may hold one more message of size.
func (f *futureBuf) hasRoom(slot, size int, cfg Config) bool {
	return f.count[slot] < cfg.MaxFuturePerValidator && f.bytes[slot]+size <= cfg.MaxFutureBytesPerValidator
}

// hold keeps a verified message of slot's validator if the bounds allow.
func (f *futureBuf) hold(m Message, slot int, cfg Config) {
	size := m.estSize()
	n := len(f.members)
	fairCount, fairBytes := cfg.MaxFutureMessages/n, cfg.MaxFutureBytes/n
	for len(f.msgs)+1 > cfg.MaxFutureMessages || f.total+size > cfg.MaxFutureBytes {
		if f.count[slot]+1 > fairCount || f.bytes[slot]+size > fairBytes {
			return // full, and this validator already holds its share
		}
		if !f.evictHeaviest(slot, fairCount, fairBytes) {
			return
		}
	}
	f.msgs = append(f.msgs, futureMsg{m, slot, size})
	f.count[slot]++
	f.bytes[slot] += size
	f.total += size
}

// evictHeaviest drops the newest message of the validator (other than keep)
// furthest over its fair share in bytes, or in count; false if none is over.
func (f *futureBuf) evictHeaviest(keep, fairCount, fairBytes int) bool {
	victim := -1
	for s := range f.count {
		if s == keep || f.count[s] <= fairCount && f.bytes[s] <= fairBytes {
			continue
		}
		if victim < 0 || f.bytes[s] > f.bytes[victim] || f.bytes[s] == f.bytes[victim] && f.count[s] > f.count[victim] {
			victim = s
		}
	}
	if victim < 0 {
		return false
	}
	for i := len(f.msgs) - 1; i >= 0; i-- {
		if q := f.msgs[i]; q.slot == victim {
			f.count[victim]--
			f.bytes[victim] -= q.size
			f.total -= q.size
			f.msgs = append(f.msgs[:i], f.msgs[i+1:]...)
			return true
		}
	}
	return false
}
