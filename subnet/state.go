package subnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/internal/statekey"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Info is a subnet's record.
type Info struct {
	Netuid       uint16
	Name         string
	Owner        types.Address // zero: none (no owner cut)
	Locked       uint64        // rao locked at creation, returned when pruned
	CreatedAt    uint64
	Hyper        Hyperparams
	Burn         uint64 // current BurnedRegister cost
	Difficulty   uint64 // current PowRegister difficulty
	RegsInterval uint64 // registrations since the last adjustment
	RegsBlock    uint64 // height RegsThisBlock counts
	RegsThisBlk  uint64
	LastAdjust   uint64
	Pending      uint64 // emission accrued for the next epoch, rao
	LastEpoch    uint64
	N            uint16 // UIDs in use: 0 … N-1
	Share        uint64 // share of block emission, out of ShareScale
	LastEmission uint64 // rao paid at the last epoch
}

// ShareScale is the denominator of subnet emission shares.
const ShareScale = 1 << 32

// NetworkRegistry tracks subnet creation for the lock cost.
type NetworkRegistry struct {
	LastLock      uint64
	LastLockBlock uint64
}

func subnetInfo(st *state.State, netuid uint16) (Info, bool) {
	return statekey.Record[Info](st, key(pSubnet, u16b(netuid)), "subnet")
}

func setSubnetInfo(st *state.State, s Info) {
	b, _ := rlp.EncodeToBytes(&s)
	st.Set(key(pSubnet, u16b(s.Netuid)), b)
}

// Get returns a subnet's record.
func Get(st *state.State, netuid uint16) (Info, bool) { return subnetInfo(st, netuid) }

// All lists every subnet, by netuid.
func All(st *state.State) []Info {
	var out []Info
	st.Iterate([]byte{pSubnet}, func(k, v []byte) bool {
		var s Info
		if len(k) == 3 && rlp.DecodeBytes(v, &s) == nil {
			out = append(out, s)
		}
		return true
	})
	return out
}

func netRegistry(st *state.State) NetworkRegistry {
	r, _ := statekey.Record[NetworkRegistry](st, keyNetRegistry, "network registry")
	return r
}

func setNetRegistry(st *state.State, r NetworkRegistry) {
	b, _ := rlp.EncodeToBytes(&r)
	st.Set(keyNetRegistry, b)
}

// Create writes a new subnet at the lowest free netuid ≥ 1.
func Create(st *state.State, p Params, owner types.Address, name string, locked, height uint64) Info {
	netuid := uint16(1)
	for {
		if _, ok := subnetInfo(st, netuid); !ok {
			break
		}
		netuid++
	}
	s := Info{
		Netuid: netuid, Name: name, Owner: owner, Locked: locked, CreatedAt: height,
		Hyper: p.Defaults, Burn: p.Defaults.MinBurn, Difficulty: p.Defaults.MinDifficulty,
		LastAdjust: height, LastEpoch: height,
	}
	setSubnetInfo(st, s)
	return s
}

// Axon is a neuron's announced endpoint.
type Axon struct {
	IP       []byte
	Port     uint16
	Protocol uint8
	Version  uint32
	Block    uint64
}

// Neuron is a UID of a  Yuma results are u16 proportions of 65535,
// as subtensor stores them.
type Neuron struct {
	Hotkey         types.Address
	RegisteredAt   uint64
	LastUpdate     uint64 // block of the last weights
	Axon           Axon
	Rank           uint16
	Trust          uint16
	Consensus      uint16
	Incentive      uint16
	Dividends      uint16
	ValidatorTrust uint16
	Permit         bool
	Active         bool
	Emission       uint64 // rao earned at the last epoch
}

func neuronKey(netuid, uid uint16) []byte { return key(pNeuron, u16b(netuid), u16b(uid)) }

func getNeuron(st *state.State, netuid, uid uint16) (Neuron, bool) {
	return statekey.Record[Neuron](st, neuronKey(netuid, uid), "neuron")
}

func setNeuron(st *state.State, netuid, uid uint16, n Neuron) {
	b, _ := rlp.EncodeToBytes(&n)
	st.Set(neuronKey(netuid, uid), b)
}

// NeuronAt returns a subnet's neuron by UID.
func NeuronAt(st *state.State, netuid, uid uint16) (Neuron, bool) { return getNeuron(st, netuid, uid) }

// UIDOf returns a hotkey's UID on a
func UIDOf(st *state.State, netuid uint16, hotkey types.Address) (uint16, bool) {
	b := st.Get(key(pUIDOf, u16b(netuid), hotkey[:]))
	if len(b) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(b), true
}

// Sparse is a sparse u16 vector by index (weights or bonds).
type Sparse struct {
	Index  []uint16
	Values []uint16
}

func getSparse(st *state.State, k []byte) Sparse {
	var s Sparse
	if b := st.Get(k); len(b) != 0 {
		var err error
		if s, err = decodeSparse(b); err != nil {
			panic(fmt.Sprintf("chain: corrupt sparse row %x: %v", k, err))
		}
	}
	return s
}

// decodeSparse is rlp.DecodeBytes(b, &Sparse{}) without reflection: an
// epoch reads every weight and bond row of a subnet, and the generic
// decoder was 40% of a 4,096-UID epoch. It accepts and refuses exactly
// what rlp.DecodeBytes does (canonical sizes and integers, each value in
// u16, two lists, nothing after them); a test holds it to that.
func decodeSparse(b []byte) (Sparse, error) {
	var s Sparse
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return s, err
	}
	if len(rest) != 0 {
		return s, rlp.ErrMoreThanOneValue
	}
	if s.Index, content, err = splitU16List(content); err != nil {
		return s, err
	}
	if s.Values, content, err = splitU16List(content); err != nil {
		return s, err
	}
	if len(content) != 0 {
		return s, errors.New("rlp: input list has too many elements for subnet.Sparse")
	}
	return s, nil
}

// splitU16List reads a list of u16 integers off the front of b.
func splitU16List(b []byte) ([]uint16, []byte, error) {
	if len(b) == 0 {
		return nil, nil, errors.New("rlp: too few elements for subnet.Sparse")
	}
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, nil, err
	}
	// Each value takes 1 to 3 bytes; size the slice for the common case.
	out := make([]uint16, 0, len(content)/2+1)
	for len(content) > 0 {
		// The canonical encodings of a u16 directly; anything else (a
		// malformed or out-of-range value) through rlp, for its verdict.
		switch c := content[0]; {
		case c == 0x80: // the empty string is 0 (a 0x00 byte is not canonical)
			out = append(out, 0)
			content = content[1:]
			continue
		case c != 0 && c < 0x80: // a byte below 0x80 is itself
			out = append(out, uint16(c))
			content = content[1:]
			continue
		case c == 0x81 && len(content) >= 2 && content[1] >= 0x80:
			out = append(out, uint16(content[1]))
			content = content[2:]
			continue
		case c == 0x82 && len(content) >= 3 && content[1] != 0:
			out = append(out, uint16(content[1])<<8|uint16(content[2]))
			content = content[3:]
			continue
		}
		var v uint64
		if v, content, err = rlp.SplitUint64(content); err != nil {
			return nil, nil, err
		}
		if v > 0xFFFF {
			return nil, nil, errors.New("rlp: input string too long for uint16")
		}
		out = append(out, uint16(v))
	}
	return out, rest, nil
}

func setSparse(st *state.State, k []byte, s Sparse) {
	if len(s.Index) == 0 {
		st.Set(k, nil)
		return
	}
	b, _ := rlp.EncodeToBytes(&s)
	st.Set(k, b)
}

// WeightsOf returns a neuron's weights.
func WeightsOf(st *state.State, netuid, uid uint16) Sparse {
	return getSparse(st, key(pWeights, u16b(netuid), u16b(uid)))
}

// BondsOf returns a neuron's bonds as the last epoch left them (sparse,
// u16 per column UID).
func BondsOf(st *state.State, netuid, uid uint16) Sparse {
	return getSparse(st, key(pBonds, u16b(netuid), u16b(uid)))
}

// dense expands a sparse row to n values (nil when empty).
func (s Sparse) dense(n int) []uint16 {
	if len(s.Index) == 0 {
		return nil
	}
	row := make([]uint16, n)
	for i, j := range s.Index {
		if int(j) < n {
			row[j] = s.Values[i]
		}
	}
	return row
}

// sortedSparse builds a sparse row from (index, value) pairs in any order:
// sorted by index, zero values left out.
func sortedSparse(index, values []uint16) Sparse {
	order := make([]int, len(index))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return int(index[a]) - int(index[b]) })
	var s Sparse
	for _, i := range order {
		if values[i] != 0 {
			s.Index = append(s.Index, index[i])
			s.Values = append(s.Values, values[i])
		}
	}
	return s
}

func sparseOf(row []uint16) Sparse {
	var s Sparse
	for j, v := range row {
		if v != 0 {
			s.Index = append(s.Index, uint16(j))
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// WeightsCommit is a pending commit.
type WeightsCommit struct {
	Hash  types.Hash
	Block uint64
	// Committer is the hotkey the hash was made for when a hotkey swap
	// moved the commit (zero: the hotkey it is stored under). The reveal
	// checks the hash against it, so a commit survives the swap.
	Committer types.Address `rlp:"optional"`
}

// CommitOf returns hotkey's weights commit on netuid awaiting its reveal,
// if it has one. A commit stays until it is revealed or replaced, so one
// whose reveal window has closed is still returned.
func CommitOf(st *state.State, netuid uint16, hotkey types.Address) (WeightsCommit, bool) {
	k := key(pCommit, u16b(netuid), hotkey[:])
	b := st.Get(k)
	if len(b) == 0 {
		return WeightsCommit{}, false
	}
	return decodeCommit(k, b), true
}

// RevealSpan is the blocks a reveal of a commit made at block committed may
// land in: from open to end-1 (RevealWeights refuses before open and from end).
func (h *Hyperparams) RevealSpan(committed uint64) (open, end uint64) {
	return committed + h.RevealDelay, committed + h.RevealDelay + h.RevealWindow
}

func decodeCommit(k, b []byte) WeightsCommit {
	var cm WeightsCommit
	if err := rlp.DecodeBytes(b, &cm); err != nil {
		panic(fmt.Sprintf("chain: corrupt weights commit %x: %v", k, err))
	}
	return cm
}

func setCommit(st *state.State, k []byte, cm WeightsCommit) {
	b, _ := rlp.EncodeToBytes(&cm)
	st.Set(k, b)
}

// RootMember is a member of the root network.
type RootMember struct {
	RegisteredAt uint64
	LastUpdate   uint64
}

// RootMembers lists the root network's members by hotkey.
func RootMembers(st *state.State) []types.Address {
	var out []types.Address
	st.Iterate([]byte{pRootMember}, func(k, _ []byte) bool {
		if len(k) == addressKeyLen { // anything else is not a member record
			out = append(out, types.Address(k[1:21]))
		}
		return true
	})
	return out
}

func rootMember(st *state.State, hk types.Address) (RootMember, bool) {
	return statekey.Record[RootMember](st, key(pRootMember, hk[:]), "root member")
}

func setRootMember(st *state.State, hk types.Address, m RootMember) {
	b, _ := rlp.EncodeToBytes(&m)
	st.Set(key(pRootMember, hk[:]), b)
}

// RootWeightsOf returns a root member's weights over netuids.
func RootWeightsOf(st *state.State, hk types.Address) Sparse {
	return getSparse(st, key(pRootWeight, hk[:]))
}

// Neurons lists a subnet's neurons by UID in one scan.
func Neurons(st *state.State, netuid uint16) []Neuron {
	var out []Neuron
	st.Iterate(key(pNeuron, u16b(netuid)), func(k, v []byte) bool {
		var n Neuron
		// Anything else under the prefix is not a neuron record.
		if len(k) == 1+2+2 && rlp.DecodeBytes(v, &n) == nil {
			out = append(out, n)
		}
		return true
	})
	return out
}

// IsRootMember reports whether hotkey is a member of the root network.
func IsRootMember(st *state.State, hotkey types.Address) bool {
	_, ok := rootMember(st, hotkey)
	return ok
}
