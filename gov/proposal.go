package gov

import (
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

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

// Proposal is a governance proposal.
type Proposal struct {
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
	// ProposalColdkeySwap (optional, so other kinds' records are unchanged).
	SwapColdkey types.Address `rlp:"optional"`
	SwapTo      types.Address `rlp:"optional"`
}

// Upgrade is a scheduled software upgrade.
type Upgrade struct {
	Name   string
	Height uint64
}

// GetProposal reads a proposal.
func GetProposal(st *state.State, id uint64) (Proposal, bool) {
	b := st.Get(govKey('p', id))
	if len(b) == 0 {
		return Proposal{}, false
	}
	var pr Proposal
	decodeRLP(b, &pr)
	return pr, true
}

func setProposal(st *state.State, pr Proposal) { st.Set(govKey('p', pr.ID), encodeRLP(&pr)) }

// Proposals lists every proposal by ID.
func Proposals(st *state.State) []Proposal {
	var out []Proposal
	st.Iterate([]byte{pGov, 'p'}, func(k, v []byte) bool {
		var pr Proposal
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
