package chain

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/taonet/taod/staking"
	"slices"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Failed-call errors of subnets.
var (
	ErrUnknownSubnet      = errors.New("chain: unknown subnet")
	ErrSubnetLimit        = errors.New("chain: subnet limit reached and every subnet is immune")
	ErrRegistrationClosed = errors.New("chain: this registration kind is closed on the subnet")
	ErrTooManyRegs        = errors.New("chain: registrations per block exceeded on the subnet")
	ErrAlreadyRegistered  = errors.New("chain: hotkey already registered on the subnet")
	ErrNotRegistered      = errors.New("chain: hotkey is not registered on the subnet")
	ErrBadWork            = errors.New("chain: proof of work does not meet the subnet difficulty")
	ErrStaleWork          = errors.New("chain: proof of work is for a block outside the allowed window")
	ErrNoPermit           = errors.New("chain: hotkey holds no validator permit on the subnet")
	ErrWeightsVersion     = errors.New("chain: weights version key below the subnet's weights_version")
	ErrCommitReveal       = errors.New("chain: the subnet uses commit-reveal: commit, then reveal your weights")
	ErrNoCommitReveal     = errors.New("chain: the subnet does not use commit-reveal")
	ErrNoWeightsCommit    = errors.New("chain: no pending weights commit")
	ErrRevealEarly        = errors.New("chain: reveal before reveal_delay blocks have passed")
	ErrRevealLate         = errors.New("chain: reveal window has closed")
	ErrRevealMismatch     = errors.New("chain: revealed weights do not match the commit")
	ErrNotSubnetOwner     = errors.New("chain: sender does not own the subnet")
	ErrNotRootMember      = errors.New("chain: hotkey is not a root network member")
	ErrRootFull           = errors.New("chain: root network is full and the hotkey's stake is not above the smallest member's")
)

func (x *blockCtx) subnet(netuid uint16) (SubnetInfo, error) {
	s, ok := subnetInfo(x.st, netuid)
	if !ok {
		return s, fmt.Errorf("%w: %d", ErrUnknownSubnet, netuid)
	}
	return s, nil
}

func (x *blockCtx) recycle(amount uint64) error {
	is, err := emission.Recycle(x.st.Issuance(), amount)
	if err != nil {
		return fmt.Errorf("chain: invariant broken: %w", err)
	}
	x.st.SetIssuance(is)
	return nil
}

func (x *blockCtx) debit(from types.Address, amount uint64, what string) error {
	acc := x.st.Account(from)
	if acc.Balance < amount {
		return fmt.Errorf("%w: %s costs %s TAO, balance %s TAO", ErrInsufficientBalance, what, types.FormatTAO(amount), types.FormatTAO(acc.Balance))
	}
	acc.Balance -= amount
	x.st.SetAccount(from, acc)
	return nil
}

func (x *blockCtx) credit(to types.Address, amount uint64) {
	acc := x.st.Account(to)
	acc.Balance += amount
	x.st.SetAccount(to, acc)
}

// NetworkLockCost is what creating a subnet costs at height.
func (c *Chain) NetworkLockCost(st *state.State, height uint64) uint64 {
	p, err := ParamsAt(st)
	if err != nil {
		p = c.params
	}
	return networkLockCost(st, p.Subnets, height)
}

func networkLockCost(st *state.State, p SubnetParams, height uint64) uint64 {
	r := netRegistry(st)
	return subnet.LockCost(r.LastLock, r.LastLockBlock, height, p.MinLock, p.LockReductionInterval)
}

func (x *blockCtx) registerNetwork(from types.Address, c *types.RegisterNetwork) error {
	p := x.p.Subnets
	cost := networkLockCost(x.st, p, x.height)
	if err := x.debit(from, cost, "creating a subnet"); err != nil {
		return err
	}
	if subnets := Subnets(x.st); len(subnets) >= p.SubnetLimit {
		victim, ok := x.pruneCandidate(subnets)
		if !ok {
			return fmt.Errorf("%w (%d)", ErrSubnetLimit, p.SubnetLimit)
		}
		x.pruneSubnet(victim)
	}
	setNetRegistry(x.st, NetworkRegistry{LastLock: cost, LastLockBlock: x.height})
	createSubnet(x.st, p, from, c.Name, cost, x.height)
	x.subnetsChanged = true
	return nil
}

// pruneCandidate is the non-immune subnet with the lowest emission share,
// then the lowest last emission, then the highest netuid.
func (x *blockCtx) pruneCandidate(subnets []SubnetInfo) (SubnetInfo, bool) {
	var best SubnetInfo
	found := false
	for _, s := range subnets {
		if s.CreatedAt+x.p.Subnets.NetworkImmunity > x.height {
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
func (x *blockCtx) pruneSubnet(s SubnetInfo) {
	if s.Owner != (types.Address{}) {
		x.credit(s.Owner, s.Locked)
	} else {
		x.st.SetPool(x.st.Pool() + s.Locked)
	}
	x.st.SetPool(x.st.Pool() + s.Pending)
	nb := u16b(s.Netuid)
	for _, p := range []byte{pNeuron, pUIDOf, pWeights, pBonds, pCommit} {
		var keys [][]byte
		x.st.Iterate(key(p, nb), func(k, _ []byte) bool {
			keys = append(keys, k)
			return true
		})
		for _, k := range keys {
			x.st.Set(k, nil)
		}
	}
	for _, m := range RootMembers(x.st) {
		w := RootWeightsOf(x.st, m)
		if i := slices.Index(w.Index, s.Netuid); i >= 0 {
			w.Index = slices.Delete(w.Index, i, i+1)
			w.Values = slices.Delete(w.Values, i, i+1)
			setSparse(x.st, key(pRootWeight, m[:]), w)
		}
	}
	x.st.Set(key(pSubnet, nb), nil)
	x.subnetsChanged = true
}

// checkRegistration applies the rules both registration kinds share.
func (x *blockCtx) checkRegistration(s *SubnetInfo, hotkey, coldkey types.Address) error {
	if _, ok := UIDOf(x.st, s.Netuid, hotkey); ok {
		return fmt.Errorf("%w: %s on %d", ErrAlreadyRegistered, hotkey, s.Netuid)
	}
	if s.RegsBlock == x.height && s.RegsThisBlk >= s.Hyper.MaxRegsPerBlock {
		return fmt.Errorf("%w (%d)", ErrTooManyRegs, s.Hyper.MaxRegsPerBlock)
	}
	if !staking.RegisterHotkey(x.st, x.p.Staking, hotkey, coldkey) {
		h, _ := staking.HotkeyOf(x.st, hotkey)
		return fmt.Errorf("%w: %s is owned by %s", staking.ErrNotOwner, hotkey, h.Owner)
	}
	return nil
}

func (x *blockCtx) burnedRegister(from types.Address, c *types.BurnedRegister) error {
	s, err := x.subnet(c.Netuid)
	if err != nil {
		return err
	}
	if s.Hyper.BurnRegistration == 0 {
		return fmt.Errorf("%w: burned registration on subnet %d", ErrRegistrationClosed, c.Netuid)
	}
	if err := x.debit(from, s.Burn, "registration"); err != nil {
		return err
	}
	if err := x.recycle(s.Burn); err != nil {
		return err
	}
	if err := x.checkRegistration(&s, c.Hotkey, from); err != nil {
		return err
	}
	x.registerNeuron(&s, c.Hotkey)
	return nil
}

// powWork checks a PowRegister's work; the sender is the hotkey.
func (x *blockCtx) powWork(hotkey types.Address, c *types.PowRegister, s *SubnetInfo) error {
	if c.BlockNumber >= x.height || c.BlockNumber+x.p.Subnets.PowBlockWindow < x.height {
		return fmt.Errorf("%w: block %d, current %d, window %d", ErrStaleWork, c.BlockNumber, x.height, x.p.Subnets.PowBlockWindow)
	}
	bh, err := x.c.store.BlockHash(c.BlockNumber)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStaleWork, err)
	}
	if !subnet.CheckWork(types.PowSeal(c.Netuid, hotkey, c.Coldkey, bh, c.Nonce), s.Difficulty) {
		return fmt.Errorf("%w (%d)", ErrBadWork, s.Difficulty)
	}
	return nil
}

func (x *blockCtx) powRegister(from types.Address, c *types.PowRegister) error {
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
	x.registerNeuron(&s, from)
	return nil
}

// registerNeuron gives hotkey a UID: a new one while the subnet has room,
// else the slot of the neuron ChoosePrune picks.
func (x *blockCtx) registerNeuron(s *SubnetInfo, hotkey types.Address) {
	nb := u16b(s.Netuid)
	var uid uint16
	if uint64(s.N) < s.Hyper.MaxUIDs {
		uid = s.N
		s.N++
	} else {
		cands := make([]subnet.PruneCandidate, s.N)
		for i := range cands {
			n, _ := getNeuron(x.st, s.Netuid, uint16(i))
			cands[i] = subnet.PruneCandidate{UID: uint16(i), RegisteredAt: n.RegisteredAt, Score: n.Emission}
		}
		uid, _ = subnet.ChoosePrune(cands, x.height, s.Hyper.ImmunityPeriod)
		old, _ := getNeuron(x.st, s.Netuid, uid)
		x.st.Set(key(pUIDOf, nb, old.Hotkey[:]), nil)
		x.st.Set(key(pCommit, nb, old.Hotkey[:]), nil)
		x.st.Set(key(pWeights, nb, u16b(uid)), nil)
		x.st.Set(key(pBonds, nb, u16b(uid)), nil)
	}
	setNeuron(x.st, s.Netuid, uid, Neuron{Hotkey: hotkey, RegisteredAt: x.height, LastUpdate: x.height})
	x.st.Set(key(pUIDOf, nb, hotkey[:]), u16b(uid))
	if s.RegsBlock != x.height {
		s.RegsBlock, s.RegsThisBlk = x.height, 0
	}
	s.RegsThisBlk++
	s.RegsInterval++
	setSubnetInfo(x.st, *s)
}

func (x *blockCtx) neuronOf(netuid uint16, hotkey types.Address) (SubnetInfo, uint16, Neuron, error) {
	s, err := x.subnet(netuid)
	if err != nil {
		return s, 0, Neuron{}, err
	}
	uid, ok := UIDOf(x.st, netuid, hotkey)
	if !ok {
		return s, 0, Neuron{}, fmt.Errorf("%w: %s on %d", ErrNotRegistered, hotkey, netuid)
	}
	n, _ := getNeuron(x.st, netuid, uid)
	return s, uid, n, nil
}

func (x *blockCtx) serveAxon(from types.Address, c *types.ServeAxon) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if n.Axon.Block != 0 && x.height < n.Axon.Block+s.Hyper.ServingRateLimit {
		return fmt.Errorf("%w: axon served at block %d, next from %d", staking.ErrRateLimited, n.Axon.Block, n.Axon.Block+s.Hyper.ServingRateLimit)
	}
	n.Axon = Axon{IP: bytes.Clone(c.IP), Port: c.Port, Protocol: c.Protocol, Version: c.Version, Block: x.height}
	setNeuron(x.st, c.Netuid, uid, n)
	return nil
}

// bootstrapping reports whether no neuron of the subnet has stake: then any
// registered neuron may set weights (DESIGN.md §1, fair launch).
func (x *blockCtx) bootstrapping(s *SubnetInfo) bool {
	for uid := uint16(0); uid < s.N; uid++ {
		n, _ := getNeuron(x.st, s.Netuid, uid)
		if h, _ := staking.HotkeyOf(x.st, n.Hotkey); h.TotalStake > 0 {
			return false
		}
	}
	return true
}

// checkWeightsCall applies the rules SetWeights and RevealWeights share.
func (x *blockCtx) checkWeightsCall(s *SubnetInfo, uid uint16, n *Neuron, uids, weights []uint16, version uint64) error {
	if !n.Permit && !x.bootstrapping(s) {
		return fmt.Errorf("%w: uid %d on %d", ErrNoPermit, uid, s.Netuid)
	}
	if version < s.Hyper.WeightsVersion {
		return fmt.Errorf("%w: %d < %d", ErrWeightsVersion, version, s.Hyper.WeightsVersion)
	}
	return subnet.CheckWeights(s.Hyper, int(s.N), uid, uids, weights)
}

func (x *blockCtx) storeWeights(netuid, uid uint16, n Neuron, uids, weights []uint16) {
	setSparse(x.st, key(pWeights, u16b(netuid), u16b(uid)), sortedSparse(uids, weights))
	n.LastUpdate = x.height
	setNeuron(x.st, netuid, uid, n)
}

func (x *blockCtx) setWeights(from types.Address, c *types.SetWeights) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if s.Hyper.CommitReveal != 0 {
		return ErrCommitReveal
	}
	if x.height < n.LastUpdate+s.Hyper.WeightsRateLimit && n.LastUpdate != n.RegisteredAt {
		return fmt.Errorf("%w: weights set at block %d, next from %d", staking.ErrRateLimited, n.LastUpdate, n.LastUpdate+s.Hyper.WeightsRateLimit)
	}
	if err := x.checkWeightsCall(&s, uid, &n, c.UIDs, c.Weights, c.VersionKey); err != nil {
		return err
	}
	x.storeWeights(c.Netuid, uid, n, c.UIDs, c.Weights)
	return nil
}

func (x *blockCtx) commitWeights(from types.Address, c *types.CommitWeights) error {
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
	var prev WeightsCommit
	if b := x.st.Get(k); len(b) != 0 {
		decodeRLP(b, &prev)
		if x.height < prev.Block+s.Hyper.WeightsRateLimit {
			return fmt.Errorf("%w: committed at block %d, next from %d", staking.ErrRateLimited, prev.Block, prev.Block+s.Hyper.WeightsRateLimit)
		}
	}
	x.st.Set(k, encodeRLP(&WeightsCommit{Hash: c.Hash, Block: x.height}))
	return nil
}

func (x *blockCtx) revealWeights(from types.Address, c *types.RevealWeights) error {
	s, uid, n, err := x.neuronOf(c.Netuid, from)
	if err != nil {
		return err
	}
	if s.Hyper.CommitReveal == 0 {
		return ErrNoCommitReveal
	}
	k := key(pCommit, u16b(c.Netuid), from[:])
	b := x.st.Get(k)
	if len(b) == 0 {
		return ErrNoWeightsCommit
	}
	var cm WeightsCommit
	decodeRLP(b, &cm)
	open, end := cm.Block+s.Hyper.RevealDelay, cm.Block+s.Hyper.RevealDelay+s.Hyper.RevealWindow
	switch {
	case x.height < open:
		return fmt.Errorf("%w: committed at %d, reveal from block %d", ErrRevealEarly, cm.Block, open)
	case x.height >= end:
		return fmt.Errorf("%w: it closed at block %d", ErrRevealLate, end)
	case types.WeightsCommitHash(from, c.Netuid, c.UIDs, c.Weights, c.Salt, c.VersionKey) != cm.Hash:
		return ErrRevealMismatch
	}
	if err := x.checkWeightsCall(&s, uid, &n, c.UIDs, c.Weights, c.VersionKey); err != nil {
		return err
	}
	x.st.Set(k, nil)
	x.storeWeights(c.Netuid, uid, n, c.UIDs, c.Weights)
	return nil
}

func (x *blockCtx) rootRegister(from types.Address, c *types.RootRegister) error {
	h, ok := staking.HotkeyOf(x.st, c.Hotkey)
	switch {
	case !ok:
		return fmt.Errorf("%w: %s", staking.ErrUnknownHotkey, c.Hotkey)
	case h.Owner != from:
		return fmt.Errorf("%w: %s is owned by %s", staking.ErrNotOwner, c.Hotkey, h.Owner)
	}
	if _, ok := rootMember(x.st, c.Hotkey); ok {
		return fmt.Errorf("%w: %s on the root network", ErrAlreadyRegistered, c.Hotkey)
	}
	members := RootMembers(x.st)
	if len(members) >= x.p.Subnets.RootMaxValidators {
		// Replace the smallest staker (ties: the highest address) if the newcomer has more.
		var low types.Address
		var lowStake uint64
		for i, m := range members {
			mh, _ := staking.HotkeyOf(x.st, m)
			if i == 0 || mh.TotalStake < lowStake || mh.TotalStake == lowStake && m.Cmp(low) > 0 {
				low, lowStake = m, mh.TotalStake
			}
		}
		if h.TotalStake <= lowStake {
			return fmt.Errorf("%w (%s TAO)", ErrRootFull, types.FormatTAO(lowStake))
		}
		x.st.Set(key(pRootMember, low[:]), nil)
		x.st.Set(key(pRootWeight, low[:]), nil)
	}
	setRootMember(x.st, c.Hotkey, RootMember{RegisteredAt: x.height, LastUpdate: x.height})
	return nil
}

func (x *blockCtx) setRootWeights(from types.Address, c *types.SetRootWeights) error {
	m, ok := rootMember(x.st, from)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotRootMember, from)
	}
	limit := x.p.Subnets.Defaults.WeightsRateLimit
	if m.LastUpdate != m.RegisteredAt && x.height < m.LastUpdate+limit {
		return fmt.Errorf("%w: root weights set at block %d, next from %d", staking.ErrRateLimited, m.LastUpdate, m.LastUpdate+limit)
	}
	var sum uint64
	for i, netuid := range c.Netuids {
		if _, ok := subnetInfo(x.st, netuid); !ok {
			return fmt.Errorf("%w: %d", ErrUnknownSubnet, netuid)
		}
		sum += uint64(c.Weights[i])
	}
	if sum == 0 {
		return subnet.ErrZeroWeights
	}
	setSparse(x.st, key(pRootWeight, from[:]), sortedSparse(c.Netuids, c.Weights))
	m.LastUpdate = x.height
	setRootMember(x.st, from, m)
	return nil
}

func (x *blockCtx) setHyperparam(from types.Address, c *types.SetHyperparam) error {
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
	setSubnetInfo(x.st, s)
	return nil
}
