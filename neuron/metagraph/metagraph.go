package metagraph

import (
	"sync/atomic"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Snapshot is one immutable view of a subnet: its neurons by UID, an index
// by hotkey, and its hyperparameters, as of Block. Never modify it.
type Snapshot struct {
	Netuid   uint16
	Block    uint64 // chain height the snapshot was read at (0: set by hand)
	Hyper    subnet.Hyperparams
	Neurons  []neuron.Neuron // index is the UID
	byHotkey map[types.Address]uint16
}

// NewSnapshot indexes neurons (neurons[i].UID must be i; it is set if not).
func NewSnapshot(netuid uint16, block uint64, hyper subnet.Hyperparams, neurons []neuron.Neuron) *Snapshot {
	s := &Snapshot{Netuid: netuid, Block: block, Hyper: hyper, Neurons: neurons, byHotkey: make(map[types.Address]uint16, len(neurons))}
	for i := range neurons {
		neurons[i].UID = uint16(i)
		s.byHotkey[neurons[i].Hotkey] = uint16(i)
	}
	return s
}

// ByHotkey finds a neuron by hotkey.
func (s *Snapshot) ByHotkey(a types.Address) (neuron.Neuron, bool) {
	uid, ok := s.byHotkey[a]
	if !ok {
		return neuron.Neuron{}, false
	}
	return s.Neurons[uid], true
}

// ByUID finds a neuron by UID.
func (s *Snapshot) ByUID(uid uint16) (neuron.Neuron, bool) {
	if int(uid) >= len(s.Neurons) {
		return neuron.Neuron{}, false
	}
	return s.Neurons[uid], true
}

// Metagraph is a subnet's view, replaced whole by each sync: readers get a
// consistent snapshot without locks, and the axon's admission checks never
// wait for a sync.
type Metagraph struct {
	netuid uint16
	snap   atomic.Pointer[Snapshot]
}

// New returns an empty metagraph of netuid (no neurons until Set or Sync).
func New(netuid uint16) *Metagraph {
	m := &Metagraph{netuid: netuid}
	m.snap.Store(NewSnapshot(netuid, 0, subnet.Default(), nil))
	return m
}

// Netuid is the subnet the metagraph follows.
func (m *Metagraph) Netuid() uint16 { return m.netuid }

// Set replaces the view by hand (tests, simulations, or another source).
func (m *Metagraph) Set(block uint64, hyper subnet.Hyperparams, neurons []neuron.Neuron) {
	m.snap.Store(NewSnapshot(m.netuid, block, hyper, neurons))
}

// Snapshot returns the current view.
func (m *Metagraph) Snapshot() *Snapshot { return m.snap.Load() }

// ByHotkey finds a neuron by hotkey in the current view.
func (m *Metagraph) ByHotkey(a types.Address) (neuron.Neuron, bool) { return m.snap.Load().ByHotkey(a) }

// ByUID finds a neuron by UID in the current view.
func (m *Metagraph) ByUID(uid uint16) (neuron.Neuron, bool) { return m.snap.Load().ByUID(uid) }

// Neurons returns the current view's neurons by UID (shared: do not modify).
func (m *Metagraph) Neurons() []neuron.Neuron { return m.snap.Load().Neurons }

// Block is the height of the current view.
func (m *Metagraph) Block() uint64 { return m.snap.Load().Block }

// Hyperparams are the subnet's hyperparameters in the current view.
func (m *Metagraph) Hyperparams() subnet.Hyperparams { return m.snap.Load().Hyper }
