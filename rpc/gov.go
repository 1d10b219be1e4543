package rpc

import (
	"fmt"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/types"
)

// GovAPI is the gov_ namespace.
type GovAPI struct{ b Backend }

// TallyJSON is a proposal's stake by option.
type TallyJSON struct {
	Yes     string `json:"yes"`
	No      string `json:"no"`
	Abstain string `json:"abstain"`
	Veto    string `json:"veto"`
}

// ProposalJSON is a proposal with its tally (live while voting).
type ProposalJSON struct {
	ID            uint64              `json:"id"`
	Proposer      types.Address       `json:"proposer"`
	Kind          string              `json:"kind"`
	Title         string              `json:"title"`
	Description   string              `json:"description,omitempty"`
	Changes       []types.ParamChange `json:"changes,omitempty"`
	UpgradeName   string              `json:"upgradeName,omitempty"`
	UpgradeHeight uint64              `json:"upgradeHeight,omitempty"`
	Deposit       string              `json:"deposit"`
	SubmitHeight  uint64              `json:"submitHeight"`
	VotingEnd     uint64              `json:"votingEnd"`
	Status        string              `json:"status"`
	Reason        string              `json:"reason,omitempty"`
	SnapshotStake string              `json:"snapshotStake"`
	Tally         TallyJSON           `json:"tally"`
}

var kindNames = map[uint8]string{types.ProposalParamChange: "param_change", types.ProposalUpgrade: "upgrade", types.ProposalText: "text"}

func (api *GovAPI) proposalJSON(pr gov.Proposal) ProposalJSON {
	t := pr.Tally
	if pr.Status == gov.StatusVoting {
		t = gov.TallyVotes(api.b.Chain().State(), pr.ID)
	}
	return ProposalJSON{
		ID: pr.ID, Proposer: pr.Proposer, Kind: kindNames[pr.Kind], Title: pr.Title, Description: pr.Description,
		Changes: pr.Changes, UpgradeName: pr.UpgradeName, UpgradeHeight: pr.UpgradeHeight, Deposit: rao(pr.Deposit),
		SubmitHeight: pr.SubmitHeight, VotingEnd: pr.VotingEnd, Status: gov.StatusName(pr.Status), Reason: pr.Reason,
		SnapshotStake: rao(pr.SnapshotStake), Tally: TallyJSON{rao(t.Yes), rao(t.No), rao(t.Abstain), rao(t.Veto)},
	}
}

// Proposals lists proposals, optionally only those with a status
// ("voting", "passed", "rejected", "vetoed", "cancelled", "failed").
func (api *GovAPI) Proposals(status *string) ([]ProposalJSON, error) {
	out := []ProposalJSON{}
	valid := map[string]bool{"voting": true, "passed": true, "rejected": true, "vetoed": true, "cancelled": true, "failed": true}
	if status != nil && *status != "" && !valid[*status] {
		return nil, invalidParams("unknown status %q (voting, passed, rejected, vetoed, cancelled, failed)", *status)
	}
	for _, pr := range gov.Proposals(api.b.Chain().State()) {
		if status == nil || *status == "" || gov.StatusName(pr.Status) == *status {
			out = append(out, api.proposalJSON(pr))
		}
	}
	return out, nil
}

// Proposal returns one proposal with its tally.
func (api *GovAPI) Proposal(id uint64) (*ProposalJSON, error) {
	pr, ok := gov.GetProposal(api.b.Chain().State(), id)
	if !ok {
		return nil, &Error{CodeNotFound, fmt.Sprintf("proposal %d does not exist", id)}
	}
	j := api.proposalJSON(pr)
	return &j, nil
}

// VoteJSON is one vote.
type VoteJSON struct {
	Voter  types.Address `json:"voter"`
	Option string        `json:"option"`
}

var optionNames = map[uint8]string{types.VoteYes: "yes", types.VoteNo: "no", types.VoteAbstain: "abstain", types.VoteVeto: "veto"}

// Votes lists a proposal's votes.
func (api *GovAPI) Votes(id uint64) ([]VoteJSON, error) {
	st := api.b.Chain().State()
	if _, ok := gov.GetProposal(st, id); !ok {
		return nil, &Error{CodeNotFound, fmt.Sprintf("proposal %d does not exist", id)}
	}
	out := []VoteJSON{}
	for _, v := range gov.Votes(st, id) {
		out = append(out, VoteJSON{v.Voter, optionNames[v.Option]})
	}
	return out, nil
}

// ParamsJSON is the protocol parameters in force and any scheduled upgrade.
type ParamsJSON struct {
	Params  chain.Params `json:"params"`
	Upgrade *gov.Upgrade `json:"scheduledUpgrade"`
}

// Params returns the protocol parameters in force at the head.
func (api *GovAPI) Params() ParamsJSON {
	c := api.b.Chain()
	out := ParamsJSON{Params: c.Params()}
	if u, ok := gov.ScheduledUpgrade(c.State()); ok {
		out.Upgrade = &u
	}
	return out
}
