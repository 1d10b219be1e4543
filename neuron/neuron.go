package neuron

import (
	"net"
	"strconv"

	"github.com/taonet/taod/types"
)

// Scale is the fixed-point unit of a neuron's Yuma scores: 1.0 is Scale
// (the RPC renders scores as decimals with nine places).
const Scale = 1_000_000_000

// Axon is a neuron's served endpoint as the chain records it (ServeAxon).
type Axon struct {
	IP       net.IP
	Port     uint16
	Protocol uint8
	Version  uint32
	Block    uint64 // block of the last ServeAxon
}

// Addr is the axon's host:port, or "" when the neuron serves nothing.
func (a Axon) Addr() string {
	if a.Port == 0 || len(a.IP) == 0 {
		return ""
	}
	return net.JoinHostPort(a.IP.String(), strconv.Itoa(int(a.Port)))
}

// Neuron is one UID of a subnet as a metagraph holds it. Scores (Rank … ValidatorTrust)
// are fractions in units of 1/Scale, from the subnet's last epoch.
type Neuron struct {
	UID     uint16
	Hotkey  types.Address
	Coldkey types.Address
	Stake   uint64 // rao staked on the hotkey
	Permit  bool   // validator permit
	Active  bool

	Rank, Trust, Consensus, Incentive, Dividends, ValidatorTrust uint64
	Emission                                                     uint64 // rao, last epoch

	RegisteredAt, LastUpdate uint64
	Axon                     Axon
}

// Lookup finds registered neurons by hotkey. A metagraph satisfies it; the
// axon uses it to admit callers and the dendrite's callers to find axons.
type Lookup interface {
	ByHotkey(types.Address) (Neuron, bool)
}
