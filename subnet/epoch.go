package subnet

import (
	"fmt"
	"github.com/taonet/taod/staking"

	"github.com/taonet/taod/subnet/yuma"
	"github.com/taonet/taod/types"
)

// EndBlock runs the per-block subnet work, in this order: the pool is
// shared out to subnets by their shares, registration costs adjust, due
// epochs run, and the shares are recomputed every root tempo (or when the
// set of subnets changed).
func (x *Block) EndBlock() error {
	subnets := All(x.State)
	if x.changed || x.Height%x.Params.RootTempo == 0 {
		if err := x.recomputeShares(subnets); err != nil {
			return err
		}
		subnets = All(x.State)
	}
	x.distributeEmission(subnets)
	for _, s := range All(x.State) {
		if x.Height >= s.LastAdjust+s.Hyper.AdjustmentInterval {
			h := s.Hyper
			s.Burn = AdjustCost(s.Burn, s.RegsInterval, h.TargetRegsPerInterval, h.MinBurn, h.MaxBurn)
			s.Difficulty = AdjustCost(s.Difficulty, s.RegsInterval, h.TargetRegsPerInterval, h.MinDifficulty, h.MaxDifficulty)
			s.RegsInterval, s.LastAdjust = 0, x.Height
			setSubnetInfo(x.State, s)
		}
		if (x.Height+uint64(s.Netuid))%s.Hyper.Tempo == 0 {
			if err := x.runEpoch(s); err != nil {
				return fmt.Errorf("chain: epoch of subnet %d at %d: %w", s.Netuid, x.Height, err)
			}
		}
	}
	return nil
}

// distributeEmission moves the pool to the subnets' pending emission by
// share, floored; the remainder stays in the pool for the next block.
func (x *Block) distributeEmission(subnets []Info) {
	pool := x.State.Pool()
	if pool == 0 || len(subnets) == 0 {
		return
	}
	var paid uint64
	for _, s := range subnets {
		amt := staking.MulDiv(pool, s.Share, ShareScale)
		if amt == 0 {
			continue
		}
		s.Pending += amt
		paid += amt
		setSubnetInfo(x.State, s)
	}
	x.State.SetPool(pool - paid)
}

// runEpoch runs Yuma on a subnet and pays its pending emission: the owner
// cut to the owner's balance, miners' incentive as stake on their hotkeys,
// validators' dividends through CreditReward (take, then nominators). The
// rounding dust stays pending for the next epoch.
func (x *Block) runEpoch(s Info) error {
	n := int(s.N)
	s.LastEpoch = x.Height
	if n == 0 {
		setSubnetInfo(x.State, s)
		return nil
	}
	in := yuma.Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		Bonds:               make([][]uint16, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		CurrentBlock:        x.Height,
		Params: yuma.Params{
			Kappa:              uint16(s.Hyper.Kappa),
			BondsMovingAverage: s.Hyper.BondsMovingAverage,
			ActivityCutoff:     s.Hyper.ActivityCutoff,
			MaxValidators:      int(s.Hyper.MaxValidators),
			Tempo:              s.Hyper.Tempo,
		},
	}
	neurons := make([]Neuron, n)
	nb := u16b(s.Netuid)
	for i := 0; i < n; i++ {
		nr, _ := getNeuron(x.State, s.Netuid, uint16(i))
		neurons[i] = nr
		h, _ := staking.HotkeyOf(x.State, nr.Hotkey)
		in.Stake[i] = h.TotalStake
		in.Weights[i] = getSparse(x.State, key(pWeights, nb, u16b(uint16(i)))).dense(n)
		in.Bonds[i] = getSparse(x.State, key(pBonds, nb, u16b(uint16(i)))).dense(n)
		in.LastUpdate[i] = nr.LastUpdate
		in.BlockAtRegistration[i] = nr.RegisteredAt
	}
	total := s.Pending
	var ownerCut uint64
	if s.Owner != (types.Address{}) {
		ownerCut = staking.MulDiv(total, uint64(x.Params.OwnerCut), types.PPM)
	}
	in.Emission = total - ownerCut
	out, err := yuma.Epoch(in)
	if err != nil {
		return err
	}
	if ownerCut > 0 {
		staking.Credit(x.State, s.Owner, ownerCut)
		x.Events.Emit(types.Event{Kind: types.EvReward, Addr: s.Owner, Netuid: uint64(s.Netuid), Amount: ownerCut, Ref: types.RewardOwnerCut})
	}
	table := types.EpochTable{Netuid: s.Netuid, Height: x.Height, Rows: make([]types.EpochRow, n)}
	for i := 0; i < n; i++ {
		nr := neurons[i]
		if inc := out.IncentiveEmission[i]; inc > 0 {
			h, _ := staking.HotkeyOf(x.State, nr.Hotkey)
			staking.CreditStake(x.State, h.Owner, nr.Hotkey, inc)
		}
		if div := out.DividendEmission[i]; div > 0 {
			owner, take, err := staking.CreditRewardSplit(x.State, nr.Hotkey, div)
			if err != nil {
				return err
			}
			// Two events per paid validator (at most max_validators per
			// epoch): its dividends, and the take its owner kept of them.
			// Miners' incentive is in the epoch's table only.
			x.Events.Emit(types.Event{Kind: types.EvReward, Addr: nr.Hotkey, Peer: owner, Netuid: uint64(s.Netuid), UID: uint64(i), Amount: div, Ref: types.RewardDividends})
			if take > 0 {
				x.Events.Emit(types.Event{Kind: types.EvReward, Addr: owner, Peer: nr.Hotkey, Netuid: uint64(s.Netuid), UID: uint64(i), Amount: take, Ref: types.RewardTake})
			}
		}
		nr.Rank, nr.Trust, nr.Consensus = out.Ranks[i].U16(), out.Trust[i].U16(), out.Consensus[i].U16()
		nr.Incentive, nr.Dividends, nr.ValidatorTrust = out.Incentive[i].U16(), out.Dividends[i].U16(), out.ValidatorTrust[i].U16()
		nr.Permit, nr.Active = out.ValidatorPermits[i], out.Active[i]
		nr.Emission = out.IncentiveEmission[i] + out.DividendEmission[i]
		setNeuron(x.State, s.Netuid, uint16(i), nr)
		table.Rows[i] = types.EpochRow{UID: uint16(i), Hotkey: nr.Hotkey, Incentive: nr.Incentive, Dividends: nr.Dividends, Emission: nr.Emission}
		var row []uint16
		if i < len(out.Bonds) {
			row = out.Bonds[i]
		}
		setSparse(x.State, key(pBonds, nb, u16b(uint16(i))), sparseOf(row))
	}
	s.Pending = out.Dust
	s.LastEmission = total - out.Dust
	setSubnetInfo(x.State, s)
	x.Events.EmitEpoch(table, total-out.Dust)
	return nil
}

// recomputeShares runs Yuma over the root network to set each subnet's
// share of the block emission: members (by stake) weight subnets, and a
// subnet's share is its incentive. While no member has stake or weights,
// every subnet gets an equal share.
func (x *Block) recomputeShares(subnets []Info) error {
	if len(subnets) == 0 {
		return nil
	}
	members := RootMembers(x.State)
	m, k := len(members), len(subnets)
	n := m + k
	col := make(map[uint16]int, k)
	for j, s := range subnets {
		col[s.Netuid] = m + j
	}
	in := yuma.Input{
		Stake:               make([]uint64, n),
		Weights:             make([][]uint16, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		CurrentBlock:        x.Height,
		Emission:            ShareScale,
		Params:              yuma.DefaultParams(),
	}
	in.Params.MaxValidators = x.Params.RootMaxValidators
	in.Params.Tempo = x.Params.RootTempo
	in.Params.ActivityCutoff = x.Params.Defaults.ActivityCutoff * 10
	weighted := false
	for i, hk := range members {
		h, _ := staking.HotkeyOf(x.State, hk)
		mem, _ := rootMember(x.State, hk)
		in.Stake[i] = h.TotalStake
		in.LastUpdate[i] = mem.LastUpdate
		in.BlockAtRegistration[i] = mem.RegisteredAt
		w := RootWeightsOf(x.State, hk)
		if len(w.Index) > 0 && h.TotalStake > 0 {
			row := make([]uint16, n)
			for t, netuid := range w.Index {
				if c, ok := col[netuid]; ok {
					row[c] = w.Values[t]
					weighted = true
				}
			}
			in.Weights[i] = row
		}
	}
	for j, s := range subnets {
		in.LastUpdate[m+j] = s.CreatedAt
		in.BlockAtRegistration[m+j] = s.CreatedAt
	}
	shares := make([]uint64, k)
	var sum uint64
	if weighted {
		out, err := yuma.Epoch(in)
		if err != nil {
			return err
		}
		for j := range subnets {
			shares[j] = uint64(out.Incentive[m+j]) >> 30 // Fixed has 62 fractional bits; shares 32
			sum += shares[j]
		}
	}
	if sum == 0 {
		for j := range shares {
			shares[j] = ShareScale / uint64(k)
		}
	}
	for j, s := range subnets {
		s.Share = shares[j]
		setSubnetInfo(x.State, s)
	}
	return nil
}
