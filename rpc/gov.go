package rpc

import (
	"fmt"

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
	SwapColdkey   *types.Address      `json:"swapColdkey,omitempty"` // coldkey_swap: the disputed coldkey
	SwapTo        *types.Address      `json:"swapTo,omitempty"`      // coldkey_swap: its destination (absent: cancel)
	Deposit       string              `json:"deposit"`
	SubmitHeight  uint64              `json:"submitHeight"`
	VotingEnd     uint64              `json:"votingEnd"`
	Status        string              `json:"status"`
	Reason        string              `json:"reason,omitempty"`
	SnapshotStake string              `json:"snapshotStake"`
	Tally         TallyJSON           `json:"tally"`
}

var kindNames = map[uint8]string{types.ProposalParamChange: "param_change", types.ProposalUpgrade: "upgrade", types.ProposalText: "text", types.ProposalColdkeySwap: "coldkey_swap"}

func proposalJSON(v View, pr GovProposal) ProposalJSON {
	t := pr.Tally
	if pr.Status == statusVoting {
		t = v.Tally(pr.ID)
	}
	out := ProposalJSON{
		ID: pr.ID, Proposer: pr.Proposer, Kind: kindNames[pr.Kind], Title: pr.Title, Description: pr.Description,
		Changes: pr.Changes, UpgradeName: pr.UpgradeName, UpgradeHeight: pr.UpgradeHeight, Deposit: rao(pr.Deposit),
		SubmitHeight: pr.SubmitHeight, VotingEnd: pr.VotingEnd, Status: statusName(pr.Status), Reason: pr.Reason,
		SnapshotStake: rao(pr.SnapshotStake), Tally: TallyJSON{rao(t.Yes), rao(t.No), rao(t.Abstain), rao(t.Veto)},
	}
	if pr.Kind == types.ProposalColdkeySwap {
		old, to := pr.SwapColdkey, pr.SwapTo
		out.SwapColdkey = &old
		if to != (types.Address{}) {
			out.SwapTo = &to
		}
	}
	return out
}

// Proposals lists proposals, optionally only those with a status
// ("voting", "passed", "rejected", "vetoed", "cancelled", "failed").
func (api *GovAPI) Proposals(status *string) ([]ProposalJSON, error) {
	out := []ProposalJSON{}
	valid := map[string]bool{"voting": true, "passed": true, "rejected": true, "vetoed": true, "cancelled": true, "failed": true}
	if status != nil && *status != "" && !valid[*status] {
		return nil, invalidParams("unknown status %q (voting, passed, rejected, vetoed, cancelled, failed)", *status)
	}
	v, err := api.b.View()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	for _, pr := range v.Proposals() {
		if status == nil || *status == "" || statusName(pr.Status) == *status {
			out = append(out, proposalJSON(v, pr))
		}
	}
	return out, nil
}

// Proposal returns one proposal with its tally.
func (api *GovAPI) Proposal(id uint64) (*ProposalJSON, error) {
	return withView(api.b, func(v View) (*ProposalJSON, error) {
		pr, ok := v.Proposal(id)
		if !ok {
			return nil, &Error{CodeNotFound, fmt.Sprintf("proposal %d does not exist", id)}
		}
		j := proposalJSON(v, pr)
		return &j, nil
	})
}

// VoteJSON is one vote.
type VoteJSON struct {
	Voter  types.Address `json:"voter"`
	Option string        `json:"option"`
}

var optionNames = map[uint8]string{types.VoteYes: "yes", types.VoteNo: "no", types.VoteAbstain: "abstain", types.VoteVeto: "veto"}

// Votes lists a proposal's votes.
func (api *GovAPI) Votes(id uint64) ([]VoteJSON, error) {
	return withView(api.b, func(v View) ([]VoteJSON, error) {
		if _, ok := v.Proposal(id); !ok {
			return nil, &Error{CodeNotFound, fmt.Sprintf("proposal %d does not exist", id)}
		}
		out := []VoteJSON{}
		for _, vote := range v.Votes(id) {
			out = append(out, VoteJSON{vote.Voter, optionNames[vote.Option]})
		}
		return out, nil
	})
}

// ParamsJSON is the protocol parameters in force and any scheduled upgrade.
type ParamsJSON struct {
	Params  Params   `json:"params"`
	Upgrade *Upgrade `json:"scheduledUpgrade"`
}

// Params returns the protocol parameters in force at the head.
func (api *GovAPI) Params() (*ParamsJSON, error) {
	return withView(api.b, func(v View) (*ParamsJSON, error) {
		out := &ParamsJSON{Params: v.Params()}
		if u, ok := v.ScheduledUpgrade(); ok {
			out.Upgrade = &u
		}
		return out, nil
	})
}
