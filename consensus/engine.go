package consensus

import (
	"errors"
	"fmt"
	"slices"

	"github.com/taonet/taod/types"
)

// RoundStep is the step of a round: propose, prevote or precommit.
type RoundStep uint8

// The steps of a round, in order.
const (
	StepPropose RoundStep = iota + 1
	StepPrevote
	StepPrecommit
)

func (s RoundStep) String() string {
	switch s {
	case StepPropose:
		return "propose"
	case StepPrevote:
		return "prevote"
	case StepPrecommit:
		return "precommit"
	}
	return fmt.Sprintf("RoundStep(%d)", uint8(s))
}

// Bounds on what a peer can make the engine hold.
const (
	// maxProposalsPerRound bounds the proposals kept per round. An honest
	// proposer sends one; a second, different one from an equivocating
	// proposer is kept so that a block others commit can still be found.
	maxProposalsPerRound = 2
	// maxProposalRoundsAhead bounds how far beyond the current round a
	// proposal is kept (finding a round's proposer costs O(round)).
	maxProposalRoundsAhead = 8
	// maxFutureProposalsPerValidator bounds the proposals (each up to a
	// maximal block) one proposer has held in rounds above the current one:
	// a validator with most of the power proposes in most rounds, and could
	// otherwise fill every round ahead with two maximal blocks. An honest
	// proposer ahead of us re-sends its proposal once we reach its round.
	maxFutureProposalsPerValidator = 2
	// maxFutureRoundsPerValidator bounds the rounds above the current one in
	// which one validator's votes are kept. Votes from higher rounds come
	// again by rebroadcast once the engine has caught up.
	maxFutureRoundsPerValidator = 2
	// maxHarvestsPerProposer bounds the next-height blocks of one proposer
	// whose LastCommit is counted (an honest one proposes one per round):
	// past it, block sync decides, and one proposer cannot use up the
	// others' harvests.
	maxHarvestsPerProposer = 2
)

// HeightParams starts a height: NewHeight's argument.
type HeightParams struct {
	Height uint64
	// Validators is the set of Height with its proposer priorities: the
	// genesis set from NewValidatorSet, then each height's from Next.
	Validators *ValidatorSet
	// LastCommit is the stored commit of Height−1 (nil at the first height).
	// The engine proposes it in the next block unless it decided Height−1
	// itself, in which case it uses its own precommits, late ones included.
	LastCommit *types.Commit
	// NextValidators are the members of the set of Height+1 (priorities do
	// not matter): only they get slots in the buffer of next-height
	// messages. Nil takes Validators' members (sets change at epochs only).
	NextValidators []types.Validator
}

// ProposalRequest asks the driver for a block to propose at (Height, Round):
// take txs from the txpool, put LastCommit and the pending evidence in it,
// execute it, and answer Step(ProposalBlock{Height, Round, block}).
type ProposalRequest struct {
	Height     uint64
	Round      uint32
	LastCommit *types.Commit
}

// Ready holds what the engine needs done; see the package documentation for
// the order in which the driver must do it.
type Ready struct {
	// Persist are own newly signed messages. Append them to the WAL and fsync
	// it before sending any message of Broadcast.
	Persist []Record
	// Broadcast are messages to gossip to all validators: own messages (new
	// ones and rebroadcasts).
	Broadcast []Message
	// ToValidate are proposed blocks to execute; answer each with
	// Step(Validated{...}). Execution may be asynchronous.
	ToValidate []*types.Block
	// NeedProposal, when set, asks for a block to propose.
	NeedProposal *ProposalRequest
	// Commit, when set, is a finalised block and its commit. Apply it and
	// store it durably, then call NewHeight for the next height.
	Commit *Decision
	// Evidence are double signs seen from validators, for the proposer's
	// evidence pool.
	Evidence []types.Evidence
}

func (rd *Ready) empty() bool {
	return len(rd.Persist) == 0 && len(rd.Broadcast) == 0 && len(rd.ToValidate) == 0 &&
		rd.NeedProposal == nil && rd.Commit == nil && len(rd.Evidence) == 0
}

// Status is a snapshot of the engine's position, for logs and metrics.
type Status struct {
	Height       uint64
	Round        uint32
	Step         RoundStep
	Started      bool // round 0 has begun (false during Timeouts.Commit)
	Decided      bool // the height is decided; waiting for NewHeight
	LockedRound  uint32
	LockedHash   types.Hash
	ValidRound   uint32
	ValidHash    types.Hash
	Proposer     types.Address // of the current round
	Ticks        uint64        // ticks since New
	SignFailures uint64        // signatures the Signer refused (the engine abstained)
}

// Engine is one node's Tendermint state machine. It is not safe for
// concurrent use: one driver goroutine owns it.
type Engine struct {
	cfg  Config
	self types.Address // the signer's address; zero without a signer
	now  uint64        // ticks since New

	// restored are WAL records of heights not reached yet; watermark is the
	// highest height in the WAL, below which the engine never signs.
	restored  []Record
	watermark uint64

	hs     *heightState
	last   *lastHeight
	future *futureBuf // verified messages for the next height, until NewHeight

	out             Ready
	lastRebroadcast uint64
	signFailures    uint64
}

// heightState is everything the engine knows about the current height.
type heightState struct {
	height     uint64
	vals       *ValidatorSet
	sched      *schedule
	selfIdx    int // index of the signer in vals, or −1
	lastCommit *types.Commit

	started     bool
	round       uint32
	step        RoundStep
	lockedRound uint32
	lockedHash  types.Hash
	validRound  uint32
	validHash   types.Hash

	decided  bool
	decision *Decision

	rounds    map[uint32]*roundState
	roundNums []uint32 // keys of rounds, ascending: never iterate the map
	blocks    map[types.Hash]*blockEntry
	timeouts  []timeout
	signed    map[signKey]Record    // own signed messages of this height
	harvested map[types.Hash]bool   // next-height blocks whose LastCommit was counted
	harvests  map[types.Address]int // of them, by proposer
	evidence  map[evidenceKey]bool

	// seenRound is the highest round of a verified message from each
	// validator (NoRound: none), for line 55; skipTo caches its verdict.
	seenRound []uint32
	skipTo    uint32
	skipDirty bool
	resend    uint32 // next past round whose own votes rebroadcast re-sends
}

func (hs *heightState) hasSigned(k signKey) bool {
	_, ok := hs.signed[k]
	return ok
}

// lastHeight is the decided previous height, kept to gather late precommits
// for the next block's LastCommit.
type lastHeight struct {
	height     uint64
	round      uint32
	hash       types.Hash
	vals       *ValidatorSet
	precommits *voteSet
	own        *types.Vote
	evidence   map[evidenceKey]bool
}

type roundState struct {
	proposals  []*Proposal // from the round's proposer, in arrival order
	prevotes   voteSet
	precommits voteSet

	prevoteTimer   bool // line 34 fired
	precommitTimer bool // line 47 fired
	polDone        bool // line 36 fired
}

func (rs *roundState) votes(t types.VoteType) *voteSet {
	if t == types.Prevote {
		return &rs.prevotes
	}
	return &rs.precommits
}

type validity uint8

const (
	unknown validity = iota
	pending          // in Ready.ToValidate, waiting for Validated
	valid
	invalid
)

type blockEntry struct {
	block  *types.Block
	status validity
}

// signKey is a step at which this engine signs at most once: a proposal
// (typ 0), a prevote or a precommit of a round.
type signKey struct {
	round uint32
	typ   types.VoteType
}

type evidenceKey struct {
	validator types.Address
	round     uint32
	typ       types.VoteType
}

type timeoutKind uint8

const (
	timeoutStart timeoutKind = iota
	timeoutPropose
	timeoutPrevote
	timeoutPrecommit
)

type timeout struct {
	at    uint64
	kind  timeoutKind
	round uint32
}

// New returns an engine with no height; call Restore (after a restart) and
// then NewHeight.
func New(cfg Config) (*Engine, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg}
	if cfg.Signer != nil {
		e.self = cfg.Signer.Address()
	}
	return e, nil
}

// Restore loads the engine's own signed messages from its WAL after a
// restart. It must be called before the first NewHeight. The engine will not
// sign anything below the highest height in recs, and at that height it will
// sign nothing that conflicts with recs; it resumes there in the latest round
// it signed in, locked as its precommits say, and re-sends those votes.
func (e *Engine) Restore(recs []Record) error {
	if e.hs != nil {
		return errors.New("consensus: Restore after NewHeight")
	}
	for i, r := range recs {
		if (r.Proposal == nil) == (r.Vote == nil) {
			return fmt.Errorf("%w: record %d", ErrBadMessage, i)
		}
		if e.cfg.Signer == nil || r.signer() != e.self {
			return fmt.Errorf("%w: record %d by %s", ErrForeignRecord, i, r.signer())
		}
		if r.Vote != nil && r.Vote.Type != types.Prevote && r.Vote.Type != types.Precommit {
			return fmt.Errorf("%w: record %d has vote type %d", ErrBadMessage, i, r.Vote.Type)
		}
		e.restored = append(e.restored, r)
		e.watermark = max(e.watermark, r.Height())
	}
	return nil
}

// NewHeight starts height p.Height, which must be above the current one. Call
// it at boot and after storing each Ready.Commit (or after block sync moved the
// store ahead). Messages buffered for this height are replayed.
func (e *Engine) NewHeight(p HeightParams) error {
	if p.Validators == nil || p.Height == 0 {
		return fmt.Errorf("%w: height %d needs a validator set", ErrBadValidatorSet, p.Height)
	}
	if e.hs != nil && p.Height <= e.hs.height {
		return fmt.Errorf("%w: at %d, asked for %d", ErrHeightNotIncreasing, e.hs.height, p.Height)
	}
	e.last = nil
	if old := e.hs; old != nil && old.decided && p.Height == old.height+1 {
		e.last = old.lastHeight()
	}
	hs := &heightState{
		height:      p.Height,
		vals:        p.Validators,
		sched:       p.Validators.schedule(),
		selfIdx:     -1,
		lastCommit:  p.LastCommit,
		lockedRound: NoRound,
		validRound:  NoRound,
		rounds:      make(map[uint32]*roundState),
		blocks:      make(map[types.Hash]*blockEntry),
		signed:      make(map[signKey]Record),
		evidence:    make(map[evidenceKey]bool),
		seenRound:   make([]uint32, p.Validators.Len()),
		skipTo:      NoRound,
	}
	for i := range hs.seenRound {
		hs.seenRound[i] = NoRound
	}
	if i, ok := p.Validators.Index(e.self); ok && e.cfg.Signer != nil {
		hs.selfIdx = i
	}
	e.hs = hs
	resume, restored := e.applyRestored()

	future := e.future
	next := p.NextValidators
	if next == nil {
		next = p.Validators.vals
	}
	e.future = newFutureBuf(p.Height+1, next, p.NextValidators != nil)
	if future != nil && future.height == p.Height {
		for _, q := range future.msgs {
			_ = e.stepMessage(q.m) // verified when buffered (the signature cache answers again)
		}
	}

	switch {
	case restored:
		// Resume in the latest round signed in, at the step after the last
		// signature there.
		e.startRound(resume)
		if hs.hasSigned(signKey{resume, types.Precommit}) {
			hs.step = StepPrecommit
		} else if hs.hasSigned(signKey{resume, types.Prevote}) {
			hs.step = StepPrevote
		}
		e.rebroadcast()
	case e.cfg.Timeouts.Commit > 0:
		e.schedule(timeoutStart, 0, e.cfg.Timeouts.Commit)
	default:
		e.startRound(0)
	}
	e.evaluate()
	return nil
}

// applyRestored loads the WAL records of the new height: what was signed, the
// votes, and the lock (the highest round with an own non-nil precommit). It
// returns the latest round signed in.
func (e *Engine) applyRestored() (resume uint32, ok bool) {
	hs := e.hs
	keep := e.restored[:0]
	for _, r := range e.restored {
		switch {
		case r.Height() > hs.height:
			keep = append(keep, r)
			continue
		case r.Height() < hs.height:
			continue
		}
		key := signKey{round: r.round()}
		if r.Vote != nil {
			key.typ = r.Vote.Type
		}
		if _, dup := hs.signed[key]; dup {
			continue
		}
		hs.signed[key] = r
		if !ok || r.round() > resume {
			resume, ok = r.round(), true
		}
		if v := r.Vote; v != nil && hs.selfIdx >= 0 {
			e.addVote(hs.selfIdx, v)
			if r.Block != nil {
				e.addBlock(r.Block).status = valid
				for _, pv := range r.POL {
					if idx, ok := hs.vals.Index(pv.Validator); ok && pv.Height == hs.height && pv.Type == types.Prevote && pv.BlockHash == v.BlockHash {
						e.addVote(idx, pv) // verified before the engine locked on them
					}
				}
			}
			if v.Type == types.Precommit && v.BlockHash != (types.Hash{}) && (hs.lockedRound == NoRound || v.Round > hs.lockedRound) {
				hs.lockedRound, hs.lockedHash = v.Round, v.BlockHash
				hs.validRound, hs.validHash = v.Round, v.BlockHash
			}
		}
	}
	e.restored = keep
	return resume, ok
}

// Tick advances logical time by one tick: timeouts fire, and every
// RebroadcastTicks the engine re-sends its messages.
func (e *Engine) Tick() {
	e.now++
	if e.hs == nil {
		return
	}
	for {
		i := e.dueTimeout()
		if i < 0 {
			break
		}
		t := e.hs.timeouts[i]
		e.hs.timeouts = slices.Delete(e.hs.timeouts, i, i+1)
		e.fire(t)
		e.evaluate()
	}
	if e.now-e.lastRebroadcast >= e.cfg.RebroadcastTicks {
		e.lastRebroadcast = e.now
		e.rebroadcast()
	}
}

// dueTimeout returns the index of the earliest due timeout (the first
// scheduled among equals), or −1.
func (e *Engine) dueTimeout() int {
	best := -1
	for i, t := range e.hs.timeouts {
		if t.at <= e.now && (best < 0 || t.at < e.hs.timeouts[best].at) {
			best = i
		}
	}
	return best
}

func (e *Engine) schedule(kind timeoutKind, round uint32, after uint64) {
	e.hs.timeouts = append(e.hs.timeouts, timeout{at: e.now + after, kind: kind, round: round})
}

// fire runs a timeout: the OnTimeout functions of the paper.
func (e *Engine) fire(t timeout) {
	hs := e.hs
	if hs.decided {
		return
	}
	switch t.kind {
	case timeoutStart:
		if !hs.started {
			e.startRound(0)
		}
	case timeoutPropose:
		if t.round == hs.round && hs.step == StepPropose {
			e.castVote(types.Prevote, types.Hash{})
			hs.step = StepPrevote
		}
	case timeoutPrevote:
		if t.round == hs.round && hs.step == StepPrevote {
			e.castVote(types.Precommit, types.Hash{})
			hs.step = StepPrecommit
		}
	case timeoutPrecommit:
		if t.round == hs.round {
			e.startRound(hs.round + 1)
		}
	}
}

// Step feeds the engine one input: a Message from a peer, a Decision from
// block sync, or the driver's ProposalBlock or Validated. An error means the
// message was invalid (bad signature, not from a validator, …) and was
// dropped; late, early and duplicate messages are dropped without error. The
// engine keeps references to what it is given: do not modify it afterwards.
func (e *Engine) Step(m Msg) error {
	if e.hs == nil {
		return ErrNotStarted
	}
	var err error
	switch m := m.(type) {
	case Message:
		err = e.stepMessage(m)
	case ProposalBlock:
		err = e.stepProposalBlock(m)
	case Validated:
		e.stepValidated(m)
	case Decision:
		err = e.stepDecision(m)
	default:
		err = fmt.Errorf("%w: %T", ErrUnknownMsg, m)
	}
	e.evaluate()
	return err
}

// HasReady reports whether Ready would return anything.
func (e *Engine) HasReady() bool { return !e.out.empty() }

// Ready returns what the engine needs done. It stays pending until Advance.
// Treat it as read-only.
func (e *Engine) Ready() Ready {
	rd := e.out
	rd.Persist, rd.Broadcast = slices.Clip(rd.Persist), slices.Clip(rd.Broadcast)
	rd.ToValidate, rd.Evidence = slices.Clip(rd.ToValidate), slices.Clip(rd.Evidence)
	return rd
}

// Advance acknowledges that rd, as returned by Ready, has been handled. Output
// produced after that Ready call stays pending.
func (e *Engine) Advance(rd Ready) {
	e.out.Persist = advance(e.out.Persist, len(rd.Persist))
	e.out.Broadcast = advance(e.out.Broadcast, len(rd.Broadcast))
	e.out.ToValidate = advance(e.out.ToValidate, len(rd.ToValidate))
	e.out.Evidence = advance(e.out.Evidence, len(rd.Evidence))
	if rd.NeedProposal != nil && e.out.NeedProposal == rd.NeedProposal {
		e.out.NeedProposal = nil
	}
	if rd.Commit != nil && e.out.Commit == rd.Commit {
		e.out.Commit = nil
	}
}

func advance[T any](s []T, n int) []T {
	if n >= len(s) {
		return nil
	}
	return s[n:]
}

// Watermark is the highest height of the records Restore was given: the
// engine signs nothing below it.
func (e *Engine) Watermark() uint64 { return e.watermark }

// Height is the height the engine is at (0 before NewHeight).
func (e *Engine) Height() uint64 {
	if e.hs == nil {
		return 0
	}
	return e.hs.height
}

// Status returns a snapshot of the engine's position.
func (e *Engine) Status() Status {
	s := Status{Ticks: e.now, SignFailures: e.signFailures, LockedRound: NoRound, ValidRound: NoRound}
	if hs := e.hs; hs != nil {
		s.Height, s.Round, s.Step, s.Started, s.Decided = hs.height, hs.round, hs.step, hs.started, hs.decided
		s.LockedRound, s.LockedHash, s.ValidRound, s.ValidHash = hs.lockedRound, hs.lockedHash, hs.validRound, hs.validHash
		s.Proposer = hs.vals.vals[hs.sched.at(hs.round)].Address
	}
	return s
}
