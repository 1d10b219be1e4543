package types

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// Weights of the subnet calls. SetWeights and friends grow with the number of UIDs.
const (
	RegisterNetworkWeight uint64 = 200_000
	RegisterWeight        uint64 = 100_000
	ServeAxonWeight       uint64 = 30_000
	WeightsBaseWeight     uint64 = 30_000
	WeightsPerUIDWeight   uint64 = 500
	RootRegisterWeight    uint64 = 100_000
	HyperparamWeight      uint64 = 30_000

	// MaxWeightsLen bounds the UIDs in one weights call.
	MaxWeightsLen = 4096
	// MaxSaltLen bounds a reveal's salt.
	MaxSaltLen = 64
	// MaxNameLen bounds names in calls.
	MaxNameLen = 64
)

var (
	ErrWeightsLength = errors.New("types: uids and weights must have the same length")
	ErrWeightsSize   = fmt.Errorf("types: at most %d weights per call", MaxWeightsLen)
	ErrDuplicateUID  = errors.New("types: duplicate uid in weights")
	ErrBadAxon       = errors.New("types: axon IP must be 4 or 16 bytes and the port non-zero")
	ErrBadName       = fmt.Errorf("types: name longer than %d bytes", MaxNameLen)
	ErrSaltSize      = fmt.Errorf("types: salt longer than %d bytes", MaxSaltLen)
)

// RegisterNetwork creates a subnet owned by the sender, locking the network
// lock cost from its balance.
type RegisterNetwork struct {
	Name string
}

func (*RegisterNetwork) Kind() CallKind { return CallRegisterNetwork }
func (*RegisterNetwork) Weight() uint64 { return RegisterNetworkWeight }
func (c *RegisterNetwork) Validate() error {
	if len(c.Name) > MaxNameLen {
		return ErrBadName
	}
	return nil
}

// BurnedRegister registers Hotkey on a subnet, burning the subnet's current
// registration cost from the sender's (coldkey's) balance.
type BurnedRegister struct {
	Netuid uint16
	Hotkey Address
}

func (*BurnedRegister) Kind() CallKind  { return CallBurnedRegister }
func (*BurnedRegister) Weight() uint64  { return RegisterWeight }
func (*BurnedRegister) Validate() error { return nil }

// PowRegister registers the sender (a hotkey) on a subnet for Coldkey by
// proof of work: keccak256(PowSeal(netuid, hotkey, coldkey, blockHash, nonce))
// must be below the subnet's difficulty target. Fee-free.
type PowRegister struct {
	Netuid      uint16
	Coldkey     Address
	BlockNumber uint64
	Nonce       uint64
}

func (*PowRegister) Kind() CallKind  { return CallPowRegister }
func (*PowRegister) Weight() uint64  { return RegisterWeight }
func (*PowRegister) Validate() error { return nil }

// PowSeal is the preimage of a registration's work.
func PowSeal(netuid uint16, hotkey, coldkey Address, blockHash Hash, nonce uint64) Hash {
	b, _ := rlp.EncodeToBytes([]any{"taod/pow", netuid, hotkey, coldkey, blockHash, nonce})
	return Keccak256(b)
}

// ServeAxon announces the sender neuron's endpoint on a subnet.
type ServeAxon struct {
	Netuid   uint16
	IP       []byte // 4 (IPv4) or 16 (IPv6) bytes
	Port     uint16
	Protocol uint8
	Version  uint32
}

func (*ServeAxon) Kind() CallKind { return CallServeAxon }
func (*ServeAxon) Weight() uint64 { return ServeAxonWeight }
func (c *ServeAxon) Validate() error {
	if (len(c.IP) != 4 && len(c.IP) != 16) || c.Port == 0 {
		return ErrBadAxon
	}
	return nil
}

func validateWeights(uids, weights []uint16) error {
	if len(uids) != len(weights) {
		return ErrWeightsLength
	}
	if len(uids) > MaxWeightsLen {
		return ErrWeightsSize
	}
	seen := make(map[uint16]bool, len(uids))
	for _, u := range uids {
		if seen[u] {
			return fmt.Errorf("%w: %d", ErrDuplicateUID, u)
		}
		seen[u] = true
	}
	return nil
}

func weightsWeight(n int) uint64 { return WeightsBaseWeight + WeightsPerUIDWeight*uint64(n) }

// SetWeights sets the sender validator's (hotkey's) weights on a subnet.
type SetWeights struct {
	Netuid     uint16
	UIDs       []uint16
	Weights    []uint16
	VersionKey uint64
}

func (*SetWeights) Kind() CallKind    { return CallSetWeights }
func (c *SetWeights) Weight() uint64  { return weightsWeight(len(c.UIDs)) }
func (c *SetWeights) Validate() error { return validateWeights(c.UIDs, c.Weights) }

// CommitWeights commits to weights revealed later (commit-reveal subnets).
type CommitWeights struct {
	Netuid uint16
	Hash   Hash // WeightsCommitHash of the weights to reveal
}

func (*CommitWeights) Kind() CallKind  { return CallCommitWeights }
func (*CommitWeights) Weight() uint64  { return WeightsBaseWeight }
func (*CommitWeights) Validate() error { return nil }

// RevealWeights reveals committed weights.
type RevealWeights struct {
	Netuid     uint16
	UIDs       []uint16
	Weights    []uint16
	Salt       []byte
	VersionKey uint64
}

func (*RevealWeights) Kind() CallKind   { return CallRevealWeights }
func (c *RevealWeights) Weight() uint64 { return weightsWeight(len(c.UIDs)) }
func (c *RevealWeights) Validate() error {
	if len(c.Salt) > MaxSaltLen {
		return ErrSaltSize
	}
	return validateWeights(c.UIDs, c.Weights)
}

// WeightsCommitHash is keccak256(RLP(hotkey, netuid, uids, weights, salt, version_key)).
func WeightsCommitHash(hotkey Address, netuid uint16, uids, weights []uint16, salt []byte, versionKey uint64) Hash {
	if uids == nil {
		uids = []uint16{}
	}
	if weights == nil {
		weights = []uint16{}
	}
	if salt == nil {
		salt = []byte{}
	}
	b, _ := rlp.EncodeToBytes([]any{hotkey, netuid, uids, weights, salt, versionKey})
	return Keccak256(b)
}

// RootRegister admits Hotkey (owned by the sender) to the root network.
type RootRegister struct {
	Hotkey Address
}

func (*RootRegister) Kind() CallKind  { return CallRootRegister }
func (*RootRegister) Weight() uint64  { return RootRegisterWeight }
func (*RootRegister) Validate() error { return nil }

// SetRootWeights sets the sender root member's (hotkey's) weights over subnets.
type SetRootWeights struct {
	Netuids []uint16
	Weights []uint16
}

func (*SetRootWeights) Kind() CallKind    { return CallSetRootWeights }
func (c *SetRootWeights) Weight() uint64  { return weightsWeight(len(c.Netuids)) }
func (c *SetRootWeights) Validate() error { return validateWeights(c.Netuids, c.Weights) }

// SetHyperparam sets one of a subnet's hyperparameters; sent by its owner.
type SetHyperparam struct {
	Netuid uint16
	Name   string
	Value  uint64
}

func (*SetHyperparam) Kind() CallKind { return CallSetHyperparam }
func (*SetHyperparam) Weight() uint64 { return HyperparamWeight }
func (c *SetHyperparam) Validate() error {
	if len(c.Name) > MaxNameLen {
		return ErrBadName
	}
	return nil
}
