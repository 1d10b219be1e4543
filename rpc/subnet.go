package rpc

import (
	"fmt"
	"net"

	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// SubnetAPI is the subnet_ namespace: subnets, hyperparameters, metagraphs
// and the root network.
type SubnetAPI struct{ b Backend }

// SubnetJSON summarises a subnet.
type SubnetJSON struct {
	Netuid          uint16         `json:"netuid"`
	Name            string         `json:"name"`
	Owner           *types.Address `json:"owner"`
	Locked          string         `json:"locked"`
	CreatedAt       uint64         `json:"createdAt"`
	Neurons         uint16         `json:"neurons"`
	MaxUIDs         uint64         `json:"maxUids"`
	Tempo           uint64         `json:"tempo"`
	BurnCost        string         `json:"burnCost"`
	Difficulty      uint64         `json:"difficulty"`
	PendingEmission string         `json:"pendingEmission"`
	LastEpoch       uint64         `json:"lastEpoch"`
	LastEmission    string         `json:"lastEmission"`
	EmissionShare   string         `json:"emissionShare"` // decimal fraction of block emission
	CommitReveal    bool           `json:"commitReveal"`
}

func subnetJSON(s SubnetInfo) SubnetJSON {
	out := SubnetJSON{
		Netuid: s.Netuid, Name: s.Name, Locked: rao(s.Locked), CreatedAt: s.CreatedAt, Neurons: s.N,
		MaxUIDs: s.Hyper.MaxUIDs, Tempo: s.Hyper.Tempo, BurnCost: rao(s.Burn), Difficulty: s.Difficulty,
		PendingEmission: rao(s.Pending), LastEpoch: s.LastEpoch, LastEmission: rao(s.LastEmission),
		EmissionShare: fraction(s.Share, shareScale), CommitReveal: s.Hyper.CommitReveal != 0,
	}
	if s.Owner != (types.Address{}) {
		o := s.Owner
		out.Owner = &o
	}
	return out
}

// fraction renders num/den (den a power of two up to 2^32) as a decimal with 9 places.
func fraction(num, den uint64) string {
	scaled := num * 1_000_000_000 / den
	return fmt.Sprintf("%d.%09d", scaled/1_000_000_000, scaled%1_000_000_000)
}

func u16frac(v uint16) string { return fraction(uint64(v), 65535) }

func subnetIn(v View, netuid uint16) (SubnetInfo, error) {
	s, ok := v.Subnet(netuid)
	if !ok {
		return s, &Error{CodeNotFound, fmt.Sprintf("subnet %d does not exist", netuid)}
	}
	return s, nil
}

// List returns every subnet.
func (api *SubnetAPI) List() ([]SubnetJSON, error) {
	return withView(api.b, func(v View) ([]SubnetJSON, error) {
		out := []SubnetJSON{}
		for _, s := range v.Subnets() {
			out = append(out, subnetJSON(s))
		}
		return out, nil
	})
}

// Info returns one subnet.
func (api *SubnetAPI) Info(netuid uint16) (*SubnetJSON, error) {
	return withView(api.b, func(v View) (*SubnetJSON, error) {
		s, err := subnetIn(v, netuid)
		if err != nil {
			return nil, err
		}
		j := subnetJSON(s)
		return &j, nil
	})
}

// Hyperparams returns a subnet's hyperparameters.
func (api *SubnetAPI) Hyperparams(netuid uint16) (*subnet.Hyperparams, error) {
	return withView(api.b, func(v View) (*subnet.Hyperparams, error) {
		s, err := subnetIn(v, netuid)
		if err != nil {
			return nil, err
		}
		return &s.Hyper, nil
	})
}

// AxonJSON is a served endpoint.
type AxonJSON struct {
	IP       string `json:"ip"`
	Port     uint16 `json:"port"`
	Protocol uint8  `json:"protocol"`
	Version  uint32 `json:"version"`
	Block    uint64 `json:"block"`
}

// NeuronJSON is one UID of a metagraph. Yuma values are decimal fractions.
type NeuronJSON struct {
	UID            uint16        `json:"uid"`
	Hotkey         types.Address `json:"hotkey"`
	Coldkey        types.Address `json:"coldkey"`
	Stake          string        `json:"stake"`
	Rank           string        `json:"rank"`
	Trust          string        `json:"trust"`
	Consensus      string        `json:"consensus"`
	Incentive      string        `json:"incentive"`
	Dividends      string        `json:"dividends"`
	Emission       string        `json:"emission"`
	ValidatorTrust string        `json:"validatorTrust"`
	Permit         bool          `json:"validatorPermit"`
	Active         bool          `json:"active"`
	RegisteredAt   uint64        `json:"registeredAt"`
	LastUpdate     uint64        `json:"lastUpdate"`
	Axon           *AxonJSON     `json:"axon"`
}

func neuronJSON(uid uint16, n Neuron, hk HotkeyInfo) NeuronJSON {
	j := NeuronJSON{
		UID: uid, Hotkey: n.Hotkey, Coldkey: hk.Owner, Stake: rao(hk.TotalStake),
		Rank: u16frac(n.Rank), Trust: u16frac(n.Trust), Consensus: u16frac(n.Consensus),
		Incentive: u16frac(n.Incentive), Dividends: u16frac(n.Dividends), Emission: rao(n.Emission),
		ValidatorTrust: u16frac(n.ValidatorTrust), Permit: n.Permit, Active: n.Active,
		RegisteredAt: n.RegisteredAt, LastUpdate: n.LastUpdate,
	}
	if n.Axon.Port != 0 {
		j.Axon = &AxonJSON{IP: net.IP(n.Axon.IP).String(), Port: n.Axon.Port, Protocol: n.Axon.Protocol, Version: n.Axon.Version, Block: n.Axon.Block}
	}
	return j
}

// Metagraph returns every neuron of a subnet with its Yuma state.
func (api *SubnetAPI) Metagraph(netuid uint16) ([]NeuronJSON, error) {
	return withView(api.b, func(v View) ([]NeuronJSON, error) {
		if _, err := subnetIn(v, netuid); err != nil {
			return nil, err
		}
		neurons := v.Neurons(netuid)
		out := make([]NeuronJSON, len(neurons))
		for i, n := range neurons {
			hk, _ := v.Hotkey(n.Hotkey)
			out[i] = neuronJSON(uint16(i), n, hk)
		}
		return out, nil
	})
}

// NeuronDetail is a neuron with its weights.
type NeuronDetail struct {
	NeuronJSON
	Weights [][2]uint16 `json:"weights"` // [uid, weight] pairs
}

// Neuron returns one UID of a subnet with its weights.
func (api *SubnetAPI) Neuron(netuid, uid uint16) (*NeuronDetail, error) {
	return withView(api.b, func(v View) (*NeuronDetail, error) {
		if _, err := subnetIn(v, netuid); err != nil {
			return nil, err
		}
		n, ok := v.Neuron(netuid, uid)
		if !ok {
			return nil, &Error{CodeNotFound, fmt.Sprintf("subnet %d has no uid %d", netuid, uid)}
		}
		hk, _ := v.Hotkey(n.Hotkey)
		d := &NeuronDetail{NeuronJSON: neuronJSON(uid, n, hk), Weights: pairs(v.Weights(netuid, uid))}
		return d, nil
	})
}

// pairs lists a sparse row as [index, value] pairs.
func pairs(w Sparse) [][2]uint16 {
	out := [][2]uint16{}
	for i, u := range w.Index {
		out = append(out, [2]uint16{u, w.Values[i]})
	}
	return out
}

// RootMemberJSON is a root network member.
type RootMemberJSON struct {
	Hotkey  types.Address `json:"hotkey"`
	Stake   string        `json:"stake"`
	Weights [][2]uint16   `json:"weights"` // [netuid, weight] pairs
}

// Root lists the root network's members and their weights.
func (api *SubnetAPI) Root() ([]RootMemberJSON, error) {
	return withView(api.b, func(v View) ([]RootMemberJSON, error) {
		out := []RootMemberJSON{}
		for _, m := range v.RootMembers() {
			hk, _ := v.Hotkey(m)
			out = append(out, RootMemberJSON{Hotkey: m, Stake: rao(hk.TotalStake), Weights: pairs(v.RootWeights(m))})
		}
		return out, nil
	})
}

// LockCost returns what creating a subnet costs in the next block, in rao.
func (api *SubnetAPI) LockCost() (string, error) {
	return withView(api.b, func(v View) (string, error) { return rao(v.NetworkLockCost()), nil })
}

// MetagraphSnapshotJSON is a subnet's metagraph with the block it was read
// at and the hyperparameters in force there, all from one state.
type MetagraphSnapshotJSON struct {
	Block       uint64             `json:"block"`
	BlockHash   types.Hash         `json:"blockHash"`
	Hyperparams subnet.Hyperparams `json:"hyperparams"`
	Neurons     []NeuronJSON       `json:"neurons"`
}

// Snapshot returns what subnet_metagraph and subnet_hyperparams return,
// read from the same head state, with that head's height and hash: a
// client that syncs from it knows exactly which block its view is of (three
// separate calls may straddle a new block).
func (api *SubnetAPI) Snapshot(netuid uint16) (*MetagraphSnapshotJSON, error) {
	return withView(api.b, func(v View) (*MetagraphSnapshotJSON, error) {
		s, err := subnetIn(v, netuid)
		if err != nil {
			return nil, err
		}
		head := v.Head()
		neurons := v.Neurons(netuid)
		out := &MetagraphSnapshotJSON{Block: head.Height, BlockHash: head.Hash, Hyperparams: s.Hyper, Neurons: make([]NeuronJSON, len(neurons))}
		for i, n := range neurons {
			hk, _ := v.Hotkey(n.Hotkey)
			out.Neurons[i] = neuronJSON(uint16(i), n, hk)
		}
		return out, nil
	})
}
