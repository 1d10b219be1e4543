package chain

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/taonet/taod/staking"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// GovParams govern governance itself. Fractions are ppm.
type GovParams struct {
	MinDeposit    uint64 `json:"min_deposit,string"`
	VotingPeriod  uint64 `json:"voting_period"`      // blocks
	Quorum        uint32 `json:"quorum_ppm"`         // voted stake / snapshot stake
	Threshold     uint32 `json:"threshold_ppm"`      // yes / (yes + no + veto) must exceed it
	VetoThreshold uint32 `json:"veto_threshold_ppm"` // veto / voted at or above it: vetoed, deposit burned
}

// DefaultGovParams are mainnet's.
func DefaultGovParams() GovParams {
	return GovParams{MinDeposit: 100 * types.RaoPerTAO, VotingPeriod: 50_400, Quorum: 334_000, Threshold: 500_000, VetoThreshold: 334_000}
}

// Bounds that keep governance able to govern under the threat model (less
// than 1/3 of stake Byzantine; DESIGN.md): honest stake (over 2/3) must be
// able to reach quorum and pass a proposal alone, and Byzantine stake
// (under 1/3) must not be able to pass or veto one alone. Outside them a
// single change could lock governance for good: a threshold of 100%
// passes nothing, a veto threshold of 0 vetoes (and burns) everything, and
// no later proposal could undo it.
const (
	MaxQuorumPPM        = 667_000
	MinThresholdPPM     = 500_000
	MaxThresholdPPM     = 666_000
	MinVetoThresholdPPM = 334_000
	// MinGovDeposit keeps a proposal from being free to submit;
	// MaxGovDeposit keeps one affordable, or no later proposal could undo
	// the change that raised it (mainnet's is 100 TAO).
	MinGovDeposit = types.RaoPerTAO
	MaxGovDeposit = 10_000 * types.RaoPerTAO
)

// Validate checks the governance parameters.
func (p GovParams) Validate() error {
	switch {
	case p.VotingPeriod == 0 || p.VotingPeriod > staking.MaxLockBlocks:
		return fmt.Errorf("chain: voting_period must be in [1, %d] blocks", staking.MaxLockBlocks)
	case p.MinDeposit < MinGovDeposit || p.MinDeposit > MaxGovDeposit:
		return fmt.Errorf("chain: min_deposit must be in [%s, %s] TAO", types.FormatTAO(MinGovDeposit), types.FormatTAO(MaxGovDeposit))
	case p.Quorum > MaxQuorumPPM:
		return fmt.Errorf("chain: quorum_ppm must be ≤ %d (honest stake alone must reach it)", MaxQuorumPPM)
	case p.Threshold < MinThresholdPPM || p.Threshold > MaxThresholdPPM:
		return fmt.Errorf("chain: threshold_ppm must be in [%d, %d]", MinThresholdPPM, MaxThresholdPPM)
	case p.VetoThreshold < MinVetoThresholdPPM || p.VetoThreshold > types.PPM:
		return fmt.Errorf("chain: veto_threshold_ppm must be in [%d, %d] (less than 1/3 of stake must not veto alone)", MinVetoThresholdPPM, types.PPM)
	}
	return nil
}

// Bounds of the top-level parameters a governance change must keep (genesis
// sets them once; a change must leave blocks able to carry any call, and
// governance affordable enough to undo a change).
const (
	// MaxBaseFeePerWeight keeps the heaviest call (weights over 4,096 UIDs,
	// about 2 M weight) near 2 TAO, so a fee change can still be voted back.
	MaxBaseFeePerWeight = 1_000
	MinBlockTimeMs      = 10
	MaxBlockTimeMs      = 600_000
	MaxClockDriftMs     = 600_000
)

// MaxCallWeight is the weight of the heaviest call, weights over the most
// UIDs a call may carry (a test holds every call kind to it): a block must
// be able to carry it, or that call could never run again.
const MaxCallWeight = types.WeightsBaseWeight + types.WeightsPerUIDWeight*types.MaxWeightsLen

// checkGoverned checks the top-level parameters against the bounds a
// governance change must keep.
func checkGoverned(p Params) error {
	switch {
	case p.BaseFeePerWeight > MaxBaseFeePerWeight:
		return fmt.Errorf("base_fee_per_weight must be ≤ %d rao", MaxBaseFeePerWeight)
	case p.MaxBlockWeight < MaxCallWeight:
		return fmt.Errorf("max_block_weight must be ≥ %d, the heaviest call", MaxCallWeight)
	case p.BlockTimeMs < MinBlockTimeMs || p.BlockTimeMs > MaxBlockTimeMs:
		return fmt.Errorf("block_time_ms must be in [%d, %d]", MinBlockTimeMs, MaxBlockTimeMs)
	case p.MaxClockDriftMs > MaxClockDriftMs:
		return fmt.Errorf("max_clock_drift_ms must be ≤ %d", MaxClockDriftMs)
	}
	return nil
}

// Proposal statuses.
const (
	StatusVoting    uint8 = 1
	StatusPassed    uint8 = 2
	StatusRejected  uint8 = 3
	StatusVetoed    uint8 = 4
	StatusCancelled uint8 = 5
	StatusFailed    uint8 = 6 // passed, but its changes could no longer be applied
)

// StatusName names a status.
func StatusName(s uint8) string {
	return map[uint8]string{StatusVoting: "voting", StatusPassed: "passed", StatusRejected: "rejected",
		StatusVetoed: "vetoed", StatusCancelled: "cancelled", StatusFailed: "failed"}[s]
}

// Tally counts stake by vote option.
type Tally struct {
	Yes, No, Abstain, Veto uint64
}

// GovProposal is a governance proposal.
type GovProposal struct {
	ID            uint64
	Proposer      types.Address
	Kind          uint8
	Title         string
	Description   string
	Changes       []types.ParamChange
	UpgradeName   string
	UpgradeHeight uint64
	Deposit       uint64
	SubmitHeight  uint64
	VotingEnd     uint64 // tallied, with stake as it stands, at the end of this block; effects from the next
	Status        uint8
	SnapshotStake uint64 // total bonded stake at the tally (the quorum's denominator); 0 while voting
	Tally         Tally
	Reason        string
}

// Upgrade is a scheduled software upgrade.
type Upgrade struct {
	Name   string
	Height uint64
}

// Governance errors (failed calls).
var (
	ErrMonetaryPolicy   = errors.New("chain: monetary policy (21M cap, halving schedule, 50/50 miner/validator split) is not governable")
	ErrNotGovernable    = errors.New("chain: parameter is not governable")
	ErrUnknownParameter = errors.New("chain: unknown protocol parameter")
	ErrBadParamValue    = errors.New("chain: bad parameter value")
	ErrDepositTooLow    = errors.New("chain: deposit below the minimum")
	ErrUnknownProposal  = errors.New("chain: unknown proposal")
	ErrVotingClosed     = errors.New("chain: proposal is not in its voting period")
	ErrNotProposer      = errors.New("chain: only the proposer may cancel")
	ErrUpgradeTooSoon   = errors.New("chain: upgrade height must be after the voting period ends")
	ErrTooManyProposals = errors.New("chain: too many proposals end at that height")
	// ErrUpgradeRequired stops block production at a scheduled upgrade this
	// binary does not implement.
	ErrUpgradeRequired = errors.New("chain: software upgrade required")
)

// Governance state keys ('G' prefix):
//
//	Gp<id>                 Proposal
//	Gv<id><coldkey>        vote option
//	Ge<end><id>            voting-end queue
//	Gn<end>                proposals ending at that height (u64), for the cap
//	gnextprop, gupgrade
//
// (Gs and Go, a per-proposal stake snapshot, are no longer written.)
const pGov = 'G'

const (
	voteKeyLen     = 2 + 8 + 20 // G v <id> <coldkey>
	endQueueKeyLen = 2 + 8 + 8  // G e <end> <id>
)

func endQueueKey(end, id uint64) []byte { return key(pGov, []byte{'e'}, u64b(end), u64b(id)) }
func endCountKey(end uint64) []byte     { return key(pGov, []byte{'n'}, u64b(end)) }

// MaxProposalsPerEnd bounds the proposals whose voting ends at one height
// (in effect, those submitted in one block): the tally of a block is one
// pass over the stake positions plus, per staked hotkey, one step per
// proposal ending there. Filling every block's slots would keep
// 16 × min_deposit × voting_period locked (mainnet: 80 M TAO, more than
// the supply).
const MaxProposalsPerEnd = 16

// CancelBurnPPM is the part of the deposit a cancellation recycles (Cosmos
// SDK's default proposal_cancel_ratio): a proposal is not a free option to
// be withdrawn when the vote goes badly, and Propose+Cancel cycles cost
// half a deposit each.
const CancelBurnPPM = 500_000

var (
	keyNextProposal = []byte("gnextprop")
	keyUpgrade      = []byte("gupgrade")
)

func govKey(sub byte, id uint64, rest ...[]byte) []byte {
	return key(pGov, append([][]byte{{sub}, u64b(id)}, rest...)...)
}

// monetaryKeys are refused by name, wherever they would sit.
var monetaryKeys = []string{"emission", "max_supply", "supply", "block_reward", "initial_reward", "reward", "halving", "issuance", "miner_split", "validator_split", "split"}

// notGovernable would break stored data if changed.
var notGovernable = map[string]string{
	"staking.consensus_epoch": "validator sets are stored by epoch boundary",
}

// ApplyParamChanges returns p with the changes applied, all or none, or a
// clear error: unknown key, monetary policy, not governable, bad value, or
// a result that fails validation.
func ApplyParamChanges(p Params, changes []types.ParamChange) (Params, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	var tree map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return p, err
	}
	for _, ch := range changes {
		path := strings.Split(ch.Key, ".")
		for _, seg := range path {
			for _, m := range monetaryKeys {
				if strings.Contains(seg, m) {
					return p, fmt.Errorf("%w: %q", ErrMonetaryPolicy, ch.Key)
				}
			}
		}
		if why, ok := notGovernable[ch.Key]; ok {
			return p, fmt.Errorf("%w: %s (%s)", ErrNotGovernable, ch.Key, why)
		}
		v, err := strconv.ParseUint(strings.TrimSpace(ch.Value), 10, 64)
		if err != nil {
			return p, fmt.Errorf("%w: %s = %q: want a non-negative integer", ErrBadParamValue, ch.Key, ch.Value)
		}
		node := tree
		for i, seg := range path {
			cur, ok := node[seg]
			if !ok {
				return p, fmt.Errorf("%w: %q", ErrUnknownParameter, ch.Key)
			}
			if i < len(path)-1 {
				if node, ok = cur.(map[string]any); !ok {
					return p, fmt.Errorf("%w: %q", ErrUnknownParameter, ch.Key)
				}
				continue
			}
			switch cur.(type) {
			case json.Number:
				node[seg] = json.Number(strconv.FormatUint(v, 10))
			case string:
				node[seg] = strconv.FormatUint(v, 10)
			default:
				return p, fmt.Errorf("%w: %q is not a numeric parameter", ErrUnknownParameter, ch.Key)
			}
		}
	}
	raw, err = json.Marshal(tree)
	if err != nil {
		return p, err
	}
	var next Params
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&next); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadParamValue, err)
	}
	if err := next.Validate(); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadParamValue, err)
	}
	if err := checkGoverned(next); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadParamValue, err)
	}
	return next, nil
}

// GetProposal reads a proposal.
func GetProposal(st *state.State, id uint64) (GovProposal, bool) {
	b := st.Get(govKey('p', id))
	if len(b) == 0 {
		return GovProposal{}, false
	}
	var pr GovProposal
	decodeRLP(b, &pr)
	return pr, true
}

func setProposal(st *state.State, pr GovProposal) { st.Set(govKey('p', pr.ID), encodeRLP(&pr)) }

// Proposals lists every proposal by ID.
func Proposals(st *state.State) []GovProposal {
	var out []GovProposal
	st.Iterate([]byte{pGov, 'p'}, func(k, v []byte) bool {
		var pr GovProposal
		// Anything else under the prefix is not a proposal record.
		if len(k) == 2+8 && rlp.DecodeBytes(v, &pr) == nil {
			out = append(out, pr)
		}
		return true
	})
	return out
}

// VoteRecord is one coldkey's vote.
type VoteRecord struct {
	Voter  types.Address
	Option uint8
}

// Votes lists a proposal's votes by voter.
func Votes(st *state.State, id uint64) []VoteRecord {
	var out []VoteRecord
	st.Iterate(govKey('v', id), func(k, v []byte) bool {
		if len(k) == voteKeyLen && len(v) == 1 { // anything else is not a vote record
			out = append(out, VoteRecord{types.Address(k[10:30]), v[0]})
		}
		return true
	})
	return out
}

// ScheduledUpgrade returns the upgrade governance scheduled, if any.
func ScheduledUpgrade(st interface{ Get([]byte) []byte }) (Upgrade, bool) {
	b := st.Get(keyUpgrade)
	if len(b) == 0 {
		return Upgrade{}, false
	}
	var u Upgrade
	decodeRLP(b, &u)
	return u, true
}

func (x *blockCtx) propose(from types.Address, c *types.Propose) error {
	g := x.p.Gov
	if c.Deposit < g.MinDeposit {
		return fmt.Errorf("%w: %s TAO, minimum %s TAO", ErrDepositTooLow, types.FormatTAO(c.Deposit), types.FormatTAO(g.MinDeposit))
	}
	end := x.height + g.VotingPeriod
	switch c.ProposalKind {
	case types.ProposalParamChange:
		next, err := ApplyParamChanges(x.p, c.Changes)
		if err != nil {
			return err
		}
		if err := checkParamsAgainstState(x.st, x.p, next); err != nil {
			return err
		}
	case types.ProposalUpgrade:
		if c.UpgradeHeight <= end+1 {
			return fmt.Errorf("%w: height %d, voting ends at %d", ErrUpgradeTooSoon, c.UpgradeHeight, end)
		}
	}
	ending := getU64(x.st, endCountKey(end))
	if ending >= MaxProposalsPerEnd {
		return fmt.Errorf("%w: %d already end at block %d; submit in a later block", ErrTooManyProposals, ending, end)
	}
	if err := staking.Debit(x.st, from, c.Deposit, "the deposit"); err != nil {
		return err
	}
	id := getU64(x.st, keyNextProposal) + 1
	setU64(x.st, keyNextProposal, id)
	pr := GovProposal{
		ID: id, Proposer: from, Kind: c.ProposalKind, Title: c.Title, Description: c.Description,
		Changes: c.Changes, UpgradeName: c.UpgradeName, UpgradeHeight: c.UpgradeHeight,
		Deposit: c.Deposit, SubmitHeight: x.height, VotingEnd: end, Status: StatusVoting,
	}
	// No snapshot: the tally reads stake as it stands when the voting ends
	// (endVoting), so a proposal costs the same few writes however many
	// stake positions exist.
	setProposal(x.st, pr)
	x.st.Set(endQueueKey(end, id), marker)
	setU64(x.st, endCountKey(end), ending+1)
	return nil
}

func (x *blockCtx) govVote(from types.Address, c *types.GovVote) error {
	pr, ok := GetProposal(x.st, c.ProposalID)
	if !ok {
		return fmt.Errorf("%w: %d", ErrUnknownProposal, c.ProposalID)
	}
	if pr.Status != StatusVoting {
		return fmt.Errorf("%w: proposal %d is %s", ErrVotingClosed, pr.ID, StatusName(pr.Status))
	}
	x.st.Set(govKey('v', pr.ID, from[:]), []byte{c.Option})
	return nil
}

func (x *blockCtx) cancelProposal(from types.Address, c *types.CancelProposal) error {
	pr, ok := GetProposal(x.st, c.ProposalID)
	switch {
	case !ok:
		return fmt.Errorf("%w: %d", ErrUnknownProposal, c.ProposalID)
	case pr.Proposer != from:
		return ErrNotProposer
	case pr.Status != StatusVoting:
		return fmt.Errorf("%w: proposal %d is %s", ErrVotingClosed, pr.ID, StatusName(pr.Status))
	}
	burn := staking.MulDiv(pr.Deposit, CancelBurnPPM, types.PPM)
	if err := staking.Recycle(x.st, burn); err != nil {
		return err
	}
	staking.Credit(x.st, pr.Proposer, pr.Deposit-burn)
	pr.Status, pr.Reason = StatusCancelled, fmt.Sprintf("cancelled by the proposer (%s TAO of the deposit recycled)", types.FormatTAO(burn))
	setProposal(x.st, pr)
	x.st.Set(endQueueKey(pr.VotingEnd, pr.ID), nil)
	if n := getU64(x.st, endCountKey(pr.VotingEnd)); n > 0 {
		setU64(x.st, endCountKey(pr.VotingEnd), n-1)
	}
	return nil
}

// TallyVotes counts the stake behind each option of a proposal, with stake
// as it stands now: a position goes with its coldkey's vote, else with the
// vote of its hotkey's owner. It is the live tally queries show; the final
// one is taken the same way when the voting ends. A malformed record
// (corruption, which execution refuses) gives an empty tally.
func TallyVotes(st *state.State, id uint64) Tally {
	t, _, err := tallyStake(st, []uint64{id})
	if err != nil {
		return Tally{}
	}
	return t[0]
}

// tallyStake tallies several proposals in one pass over the stake
// positions (the proposals ending in one block share it) and returns the
// total bonded stake, the quorum's denominator. Its cost is one read per
// position and per vote, plus one step per staked hotkey and proposal
// (at most MaxProposalsPerEnd end together).
func tallyStake(st *state.State, ids []uint64) ([]Tally, uint64, error) {
	type ballot struct {
		i   int
		opt uint8
	}
	tallies := make([]Tally, len(ids))
	byVoter := map[types.Address][]ballot{}
	for i, id := range ids {
		var bad []byte
		st.Iterate(govKey('v', id), func(k, v []byte) bool {
			if len(k) != voteKeyLen {
				return true // not a vote (see staking.ErrMalformedRecord)
			}
			if len(v) != 1 {
				bad = bytes.Clone(k)
				return false
			}
			voter := types.Address(k[10:30])
			byVoter[voter] = append(byVoter[voter], ballot{i, v[0]})
			return true
		})
		if bad != nil {
			return nil, 0, fmt.Errorf("%w: vote %x", staking.ErrMalformedRecord, bad)
		}
	}
	add := func(t *Tally, opt uint8, amt uint64) {
		switch opt {
		case types.VoteYes:
			t.Yes += amt
		case types.VoteNo:
			t.No += amt
		case types.VoteAbstain:
			t.Abstain += amt
		case types.VoteVeto:
			t.Veto += amt
		}
	}
	var (
		total    uint64
		cur      types.Address // hotkey of the positions being summed
		started  bool
		hotTotal uint64
		voted    = make([]uint64, len(ids)) // stake on cur whose coldkey voted on ids[i]
	)
	// flush gives the stake on cur whose coldkeys did not vote to the vote
	// of cur's owner.
	flush := func() {
		if !started {
			return
		}
		owner := types.Address{}
		if h, ok := staking.HotkeyOf(st, cur); ok {
			owner = h.Owner
		}
		for _, b := range byVoter[owner] {
			add(&tallies[b.i], b.opt, hotTotal-voted[b.i])
		}
		clear(voted)
		hotTotal = 0
	}
	err := staking.ForEachPosition(st, func(pos staking.StakePosition) {
		if !started || pos.Hotkey != cur {
			flush()
			cur, started = pos.Hotkey, true
		}
		hotTotal += pos.Amount
		total += pos.Amount
		for _, b := range byVoter[pos.Coldkey] {
			add(&tallies[b.i], b.opt, pos.Amount)
			voted[b.i] += pos.Amount
		}
	})
	if err != nil {
		return nil, 0, err
	}
	flush()
	return tallies, total, nil
}

func ppmOf(part, whole uint64) uint64 {
	if whole == 0 {
		return 0
	}
	return staking.MulDiv(part, types.PPM, whole)
}

// endVoting tallies the proposals whose voting ends at this block and
// carries out the outcome: deposit returned (quorum reached, not vetoed) or
// recycled; passed parameter changes written, atomically, in force from the
// next block; a passed upgrade scheduled.
func (x *blockCtx) endVoting() error {
	var ids []uint64
	x.st.Iterate(key(pGov, []byte{'e'}, u64b(x.height)), func(k, _ []byte) bool {
		if len(k) == endQueueKeyLen { // anything else is not a queue entry
			ids = append(ids, binary.BigEndian.Uint64(k[10:18]))
		}
		return true
	})
	if len(ids) == 0 {
		return nil
	}
	x.st.Set(endCountKey(x.height), nil)
	tallies, bonded, err := tallyStake(x.st, ids)
	if err != nil {
		return err
	}
	for i, id := range ids {
		x.st.Set(endQueueKey(x.height, id), nil)
		pr, _ := GetProposal(x.st, id)
		if pr.Status != StatusVoting {
			continue
		}
		g := x.p.Gov
		t := tallies[i]
		pr.Tally, pr.SnapshotStake = t, bonded
		voted := t.Yes + t.No + t.Abstain + t.Veto
		switch {
		case ppmOf(voted, pr.SnapshotStake) < uint64(g.Quorum) || pr.SnapshotStake == 0:
			pr.Status, pr.Reason = StatusRejected, "quorum not reached"
		case ppmOf(t.Veto, voted) >= uint64(g.VetoThreshold):
			pr.Status, pr.Reason = StatusVetoed, "vetoed"
		case ppmOf(t.Yes, t.Yes+t.No+t.Veto) > uint64(g.Threshold):
			pr.Status = StatusPassed
		default:
			pr.Status, pr.Reason = StatusRejected, "threshold not reached"
		}
		if pr.Reason == "quorum not reached" || pr.Status == StatusVetoed {
			if err := staking.Recycle(x.st, pr.Deposit); err != nil {
				return err
			}
		} else {
			staking.Credit(x.st, pr.Proposer, pr.Deposit)
		}
		if pr.Status == StatusPassed {
			switch pr.Kind {
			case types.ProposalParamChange:
				if err := x.applyPassedChanges(&pr); err != nil {
					return err
				}
			case types.ProposalUpgrade:
				x.st.Set(keyUpgrade, encodeRLP(&Upgrade{Name: pr.UpgradeName, Height: pr.UpgradeHeight}))
			}
		}
		setProposal(x.st, pr)
	}
	return nil
}

// applyPassedChanges writes a passed proposal's parameter changes, on top of
// the parameters as they stand in state (another proposal ending in this
// block may have changed them already: applying to the block's starting
// parameters would silently undo it), after checking them against the state
// they govern and migrating what they reshape. A change the state no longer
// admits fails the proposal; an error is an invariant broken.
func (x *blockCtx) applyPassedChanges(pr *GovProposal) error {
	cur, err := ParamsAt(x.st)
	if err != nil {
		return err
	}
	next, err := ApplyParamChanges(cur, pr.Changes)
	if err == nil {
		err = checkParamsAgainstState(x.st, cur, next)
	}
	if err != nil {
		pr.Status, pr.Reason = StatusFailed, err.Error()
		return nil
	}
	if err := x.migrateParams(cur, next); err != nil {
		return fmt.Errorf("chain: proposal %d: migrate state to the new parameters: %w", pr.ID, err)
	}
	writeParams(x.st, next)
	return nil
}

// checkUpgrade stops at a scheduled upgrade this binary does not know.
func (x *blockCtx) checkUpgrade() error {
	u, ok := ScheduledUpgrade(x.st)
	if !ok || x.height < u.Height || x.c.upgrades[u.Name] {
		return nil
	}
	return fmt.Errorf("%w: governance scheduled upgrade %q at height %d; install the version that implements it and restart with --upgrade %s", ErrUpgradeRequired, u.Name, u.Height, u.Name)
}

// SetUpgrades declares the scheduled upgrades this binary implements
// (`taod start --upgrade NAME`).
func (c *Chain) SetUpgrades(names []string) {
	c.upgrades = make(map[string]bool, len(names))
	for _, n := range names {
		c.upgrades[n] = true
	}
}
