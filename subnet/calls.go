package subnet

import (
	"bytes"
	"fmt"
	"github.com/taonet/taod/staking"
	"slices"

	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

func (x *Block) subnet(netuid uint16) (Info, error) {
	s, ok := subnetInfo(x.State, netuid)
	if !ok {
		return s, fmt.Errorf("%w: %d", ErrUnknownSubnet, netuid)
	}
	return s, nil
}

// NetworkLockCost is what creating a subnet costs at height under p.
func NetworkLockCost(st *state.State, p Params, height uint64) uint64 {
	r := netRegistry(st)
	return LockCost(r.LastLock, r.LastLockBlock, height, p.MinLock, p.LockReductionInterval)
}

func (x *Block) RegisterNetwork(from types.Address, c *types.RegisterNetwork) error {
	p := x.Params
	cost := NetworkLockCost(x.State, p, x.Height)
	if err := staking.Debit(x.State, from, cost, "creating a subnet"); err != nil {
		return err
	}
	if subnets := All(x.State); len(subnets) >= p.SubnetLimit {
		victim, ok := x.pruneCandidate(subnets)
		if !ok {
			return fmt.Errorf("%w (%d)", ErrSubnetLimit, p.SubnetLimit)
		}
		x.pruneSubnet(victim)
	}
	setNetRegistry(x.State, NetworkRegistry{LastLock: cost, LastLockBlock: x.Height})
	s := Create(x.State, p, from, c.Name, cost, x.Height)
	x.Events.Emit(types.Event{Kind: types.EvSubnetCreated, Addr: from, Netuid: uint64(s.Netuid), Amount: cost})
	x.changed = true
	return nil
}

// pruneCandidate is the non-immune subnet with the lowest emission share,
// then the lowest last emission, then the highest netuid.
func (x *Block) pruneCandidate(subnets []Info) (Info, bool) {
	var best Info
	found := false
	for _, s := range subnets {
		if s.CreatedAt+x.Params.NetworkImmunity > x.Height {
			continue
		}
		if !found || s.Share < best.Share || s.Share == best.Share && (s.LastEmission < best.LastEmission || s.LastEmission == best.LastEmission && s.Netuid > best.Netuid) {
			best, found = s, true
		}
	}
	return best, found
}

// pruneSubnet deletes a subnet: its lock returns to the owner, its pending
// emission to the pool, and every neuron, weight, bond and commit goes.
func (x *Block) pruneSubnet(s Info) {
	x.Events.Emit(types.Event{Kind: types.EvSubnetPruned, Addr: s.Owner, Netuid: uint64(s.Netuid), Amount: s.Locked})
	if s.Owner != (types.Address{}) {
		staking.Credit(x.State, s.Owner, s.Locked)
	} else {
		x.State.SetPool(x.State.Pool() + s.Locked)
	}
	x.State.SetPool(x.State.Pool() + s.Pending)
	nb := u16b(s.Netuid)
	for _, p := range []byte{pNeuron, pUIDOf, pWeights, pBonds, pCommit} {
		var keys [][]byte
		x.State.Iterate(key(p, nb), func(k, _ []byte) bool {
			keys = append(keys, k)
			return true
		})
		for _, k := range keys {
			x.State.Set(k, nil)
		}
	}
	for _, m := range RootMembers(x.State) {
		w := RootWeightsOf(x.State, m)
		if i := slices.Index(w.Index, s.Netuid); i >= 0 {
			w.Index = slices.Delete(w.Index, i, i+1)
			w.Values = slices.Delete(w.Values, i, i+1)
			setSparse(x.State, key(pRootWeight, m[:]), w)
		}
	}
	x.State.Set(key(pSubnet, nb), nil)
	x.changed = true
}

// checkRegistration applies the rules both registration kinds share.
func (x *Block) checkRegistration(s *Info, hotkey, coldkey types.Address) error {
	if err := staking.CheckNotRetired(x.State, hotkey); err != nil {
		return err
	}
	if _, ok := UIDOf(x.State, s.Netuid, hotkey); ok {
		return fmt.Errorf("%w: %s on %d", ErrAlreadyRegistered, hotkey, s.Netuid)
	}
	if s.RegsBlock == x.Height && s.RegsThisBlk >= s.Hyper.MaxRegsPerBlock {
		return fmt.Errorf("%w (%d)", ErrTooManyRegs, s.Hyper.MaxRegsPerBlock)
	}
	if !staking.RegisterHotkey(x.State, x.Staking, hotkey, coldkey) {
		h, _ := staking.HotkeyOf(x.State, hotkey)
		return fmt.Errorf("%w: %s is owned by %s", staking.ErrNotOwner, hotkey, h.Owner)
	}
	return nil
}

func (x *Block) BurnedRegister(from types.Address, c *types.BurnedRegister) error {
	s, err := x.subnet(c.Netuid)
	if err != nil {
		return err
	}
	if s.Hyper.BurnRegistration == 0 {
		return fmt.Errorf("%w: burned registration on subnet %d", ErrRegistrationClosed, c.Netuid)
	}
	if err := staking.Debit(x.State, from, s.Burn, "registration"); err != nil {
		return err
	}
	if err := staking.Recycle(x.State, s.Burn); err != nil {
		return err
	}
	if err := x.checkRegistration(&s, c.Hotkey, from); err != nil {
		return err
	}
	if s.Burn > 0 {
		// The payer's record: the hotkey's registration event below names
		// the hotkey and the replaced neuron, not the paying coldkey.
		x.Events.Emit(types.Event{Kind: types.EvFeePaid, Addr: from, Amount: s.Burn, Ref: types.FeeRegistrationBurn})
	}
	x.registerNeuron(&s, c.Hotkey, s.Burn)
	return nil
}

// powWork checks a PowRegister's work; the sender is the hotkey.
func (x *Block) powWork(hotkey types.Address, c *types.PowRegister, s *Info) error {
	if c.BlockNumber >= x.Height || c.BlockNumber+x.Params.PowBlockWindow < x.Height {
		return fmt.Errorf("%w: block %d, current %d, window %d", ErrStaleWork, c.BlockNumber, x.Height, x.Params.PowBlockWindow)
	}
	bh, err := x.Blocks.BlockHash(c.BlockNumber)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStaleWork, err)
	}
	if !CheckWork(types.PowSeal(c.Netuid, hotkey, c.Coldkey, bh, c.Nonce), s.Difficulty) {
		return fmt.Errorf("%w (%d)", ErrBadWork, s.Difficulty)
	}
	return nil
}

func (x *Block) PowRegister(from types.Address, c *types.PowRegister) error {
	s, err := x.subnet(c.Netuid)
	if err != nil {
		return err
	}
	if s.Hyper.PowRegistration == 0 {
		return fmt.Errorf("%w: proof-of-work registration on subnet %d", ErrRegistrationClosed, c.Netuid)
	}
	if err := x.powWork(from, c, &s); err != nil {
		return err
	}
	if err := x.checkRegistration(&s, from, c.Coldkey); err != nil {
		return err
	}
	x.registerNeuron(&s, from, 0)
	return nil
}

// registerNeuron gives hotkey a UID: a new one while the subnet has room,
// else the slot of the neuron ChoosePrune picks. burn is what the
// registration paid (0 for proof of work), reported in its event.
func (x *Block) registerNeuron(s *Info, hotkey types.Address, burn uint64) {
	nb := u16b(s.Netuid)
	var (
		uid      uint16
		replaced types.Address
	)
	if uint64(s.N) < s.Hyper.MaxUIDs {
		uid = s.N
		s.N++
	} else {
		cands := make([]PruneCandidate, s.N)
		for i := range cands {
			n, _ := getNeuron(x.State, s.Netuid, uint16(i))
			cands[i] = PruneCandidate{UID: uint16(i), RegisteredAt: n.RegisteredAt, Score: n.Emission}
		}
		uid, _ = ChoosePrune(cands, x.Height, s.Hyper.ImmunityPeriod)
		old, _ := getNeuron(x.State, s.Netuid, uid)
		replaced = old.Hotkey
		x.State.Set(key(pUIDOf, nb, old.Hotkey[:]), nil)
		x.State.Set(key(pCommit, nb, old.Hotkey[:]), nil)
		x.State.Set(key(pWeights, nb, u16b(uid)), nil)
		x.State.Set(key(pBonds, nb, u16b(uid)), nil)
	}
	setNeuron(x.State, s.Netuid, uid, Neuron{Hotkey: hotkey, RegisteredAt: x.Height, LastUpdate: x.Height})
	x.State.Set(key(pUIDOf, nb, hotkey[:]), u16b(uid))
	x.Events.Emit(types.Event{Kind: types.EvNeuronRegistered, Addr: hotkey, Peer: replaced, Netuid: uint64(s.Netuid), UID: uint64(uid), Amount: burn})
	if s.RegsBlock != x.Height {
		s.RegsBlock, s.RegsThisBlk = x.Height, 0
	}
	s.RegsThisBlk++
	s.RegsInterval++
	setSubnetInfo(x.State, *s)
}

func (x *Block) neuronOf(netuid uint16, hotkey types.Address) (Info, uint16, Neuron, error) {
	s, err := x.subnet(netuid)
	if err != nil {
		return s, 0, Neuron{}, err
	}
	uid, ok := UIDOf(x.State, netuid, hotkey)
	if !ok {
		return s, 0, Neuron{}, fmt.Errorf("%w: %s on %d", ErrNotRegistered, hotkey, netuid)
	}
	n, _ := getNeuron(x.State, netuid, uid)
	return s, uid, n, nil
}

func (x *Block) ServeAxon(from types.Address, c *types.ServeAxon) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if n.Axon.Block != 0 && x.Height < n.Axon.Block+s.Hyper.ServingRateLimit {
		return fmt.Errorf("%w: axon served at block %d, next from %d", staking.ErrRateLimited, n.Axon.Block, n.Axon.Block+s.Hyper.ServingRateLimit)
	}
	n.Axon = Axon{IP: bytes.Clone(c.IP), Port: c.Port, Protocol: c.Protocol, Version: c.Version, Block: x.Height}
	setNeuron(x.State, c.Netuid, uid, n)
	return nil
}

// bootstrapping reports whether no neuron of the subnet has stake: then any
// registered neuron may set weights (DESIGN.md §1, fair launch).
func (x *Block) bootstrapping(s *Info) bool {
	for uid := uint16(0); uid < s.N; uid++ {
		n, _ := getNeuron(x.State, s.Netuid, uid)
		if h, _ := staking.HotkeyOf(x.State, n.Hotkey); h.TotalStake > 0 {
			return false
		}
	}
	return true
}

// checkWeightsCall applies the rules SetWeights and RevealWeights share.
func (x *Block) checkWeightsCall(s *Info, uid uint16, n *Neuron, uids, weights []uint16, version uint64) error {
	if !n.Permit && !x.bootstrapping(s) {
		return fmt.Errorf("%w: uid %d on %d", ErrNoPermit, uid, s.Netuid)
	}
	if version < s.Hyper.WeightsVersion {
		return fmt.Errorf("%w: %d < %d", ErrWeightsVersion, version, s.Hyper.WeightsVersion)
	}
	return CheckWeights(s.Hyper, int(s.N), uid, uids, weights)
}

func (x *Block) storeWeights(netuid, uid uint16, n Neuron, uids, weights []uint16) {
	setSparse(x.State, key(pWeights, u16b(netuid), u16b(uid)), sortedSparse(uids, weights))
	n.LastUpdate = x.Height
	setNeuron(x.State, netuid, uid, n)
}

func (x *Block) SetWeights(from types.Address, c *types.SetWeights) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if s.Hyper.CommitReveal != 0 {
		return ErrCommitReveal
	}
	if x.Height < n.LastUpdate+s.Hyper.WeightsRateLimit && n.LastUpdate != n.RegisteredAt {
		return fmt.Errorf("%w: weights set at block %d, next from %d", staking.ErrRateLimited, n.LastUpdate, n.LastUpdate+s.Hyper.WeightsRateLimit)
	}
	if err := x.checkWeightsCall(&s, uid, &n, c.UIDs, c.Weights, c.VersionKey); err != nil {
		return err
	}
	x.storeWeights(c.Netuid, uid, n, c.UIDs, c.Weights)
	return nil
}

func (x *Block) CommitWeights(from types.Address, c *types.CommitWeights) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if s.Hyper.CommitReveal == 0 {
		return ErrNoCommitReveal
	}
	if !n.Permit && !x.bootstrapping(&s) {
		return fmt.Errorf("%w: uid %d on %d", ErrNoPermit, uid, s.Netuid)
	}
	k := key(pCommit, u16b(c.Netuid), from[:])
	if b := x.State.Get(k); len(b) != 0 {
		prev := decodeCommit(k, b)
		if x.Height < prev.Block+s.Hyper.WeightsRateLimit {
			return fmt.Errorf("%w: committed at block %d, next from %d", staking.ErrRateLimited, prev.Block, prev.Block+s.Hyper.WeightsRateLimit)
		}
	}
	setCommit(x.State, k, WeightsCommit{Hash: c.Hash, Block: x.Height})
	return nil
}

func (x *Block) RevealWeights(from types.Address, c *types.RevealWeights) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if s.Hyper.CommitReveal == 0 {
		return ErrNoCommitReveal
	}
	k := key(pCommit, u16b(c.Netuid), from[:])
	b := x.State.Get(k)
	if len(b) == 0 {
		return ErrNoWeightsCommit
	}
	cm := decodeCommit(k, b)
	committer := from
	if cm.Committer != (types.Address{}) {
		committer = cm.Committer
	}
	open, end := s.Hyper.RevealSpan(cm.Block)
	switch {
	case x.Height < open:
		return fmt.Errorf("%w: committed at %d, reveal from block %d", ErrRevealEarly, cm.Block, open)
	case x.Height >= end:
		return fmt.Errorf("%w: it closed at block %d", ErrRevealLate, end)
	case types.WeightsCommitHash(committer, c.Netuid, c.UIDs, c.Weights, c.Salt, c.VersionKey) != cm.Hash:
		return ErrRevealMismatch
	}
	if err := x.checkWeightsCall(&s, uid, &n, c.UIDs, c.Weights, c.VersionKey); err != nil {
		return err
	}
	x.State.Set(k, nil)
	x.storeWeights(c.Netuid, uid, n, c.UIDs, c.Weights)
	return nil
}

func (x *Block) RootRegister(from types.Address, c *types.RootRegister) error {
	h, err := staking.OwnedHotkey(x.State, c.Hotkey, from)
	if err != nil {
		return err
	}
	if _, ok := rootMember(x.State, c.Hotkey); ok {
		return fmt.Errorf("%w: %s on the root network", ErrAlreadyRegistered, c.Hotkey)
	}
	members := RootMembers(x.State)
	if len(members) >= x.Params.RootMaxValidators {
		// Replace the smallest staker (ties: the highest address) if the newcomer has more.
		var low types.Address
		var lowStake uint64
		for i, m := range members {
			mh, _ := staking.HotkeyOf(x.State, m)
			if i == 0 || mh.TotalStake < lowStake || mh.TotalStake == lowStake && m.Cmp(low) > 0 {
				low, lowStake = m, mh.TotalStake
			}
		}
		if h.TotalStake <= lowStake {
			return fmt.Errorf("%w (%s TAO)", ErrRootFull, types.FormatTAO(lowStake))
		}
		x.State.Set(key(pRootMember, low[:]), nil)
		x.State.Set(key(pRootWeight, low[:]), nil)
	}
	setRootMember(x.State, c.Hotkey, RootMember{RegisteredAt: x.Height, LastUpdate: x.Height})
	return nil
}

func (x *Block) SetRootWeights(from types.Address, c *types.SetRootWeights) error {
	m, ok := rootMember(x.State, from)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotRootMember, from)
	}
	limit := x.Params.Defaults.WeightsRateLimit
	if m.LastUpdate != m.RegisteredAt && x.Height < m.LastUpdate+limit {
		return fmt.Errorf("%w: root weights set at block %d, next from %d", staking.ErrRateLimited, m.LastUpdate, m.LastUpdate+limit)
	}
	var sum uint64
	for i, netuid := range c.Netuids {
		if _, ok := subnetInfo(x.State, netuid); !ok {
			return fmt.Errorf("%w: %d", ErrUnknownSubnet, netuid)
		}
		sum += uint64(c.Weights[i])
	}
	if sum == 0 {
		return ErrZeroWeights
	}
	setSparse(x.State, key(pRootWeight, from[:]), sortedSparse(c.Netuids, c.Weights))
	m.LastUpdate = x.Height
	setRootMember(x.State, from, m)
	return nil
}

func (x *Block) SetHyperparam(from types.Address, c *types.SetHyperparam) error {
	s, err := x.subnet(c.Netuid)
	if err != nil {
		return err
	}
	if s.Owner != from || from == (types.Address{}) {
		return fmt.Errorf("%w: subnet %d is owned by %s", ErrNotSubnetOwner, c.Netuid, s.Owner)
	}
	if err := s.Hyper.Set(c.Name, c.Value, true); err != nil {
		return err
	}
	// The current costs follow new bounds at once, not at the next
	// adjustment: registration must never cost outside [min, max].
	s.Burn = min(max(s.Burn, s.Hyper.MinBurn), s.Hyper.MaxBurn)
	s.Difficulty = min(max(s.Difficulty, s.Hyper.MinDifficulty), s.Hyper.MaxDifficulty)
	setSubnetInfo(x.State, s)
	return nil
}

// WeightsPermitted reports whether hotkey may set, commit or reveal weights
// on netuid as far as who it is goes: a neuron holding a validator permit,
// or any neuron while the subnet bootstraps (chain lets such calls go
// fee-free).
func (x *Block) WeightsPermitted(netuid uint16, hotkey types.Address) bool {
	s, _, n, err := x.neuronOf(netuid, hotkey)
	return err == nil && (n.Permit || x.bootstrapping(&s))
}
