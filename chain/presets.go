package chain

import (
	"fmt"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"

	"github.com/taonet/taod/types"
)

// Chain IDs of the presets. Numeric, shared by tao_chainId and eth_chainId.
const (
	MainnetChainID uint64 = 945
	DevnetChainID  uint64 = 9450
	TestChainID    uint64 = 9451
)

// Presets names the genesis presets `taod init --preset` accepts.
var Presets = []string{"mainnet", "devnet", "test"}

// Preset returns a named genesis. validators are the bootstrap validators'
// consensus-key addresses; funded receive balance each (ignored by mainnet,
// which is a fair launch: no allocations, every rao is minted).
func Preset(name string, timeMs uint64, validators []types.Address, funded []types.Address, balance uint64) (*Genesis, error) {
	g := &Genesis{Preset: name, Time: timeMs, Params: DefaultParams()}
	for _, v := range validators {
		g.Validators = append(g.Validators, types.Validator{Address: v, Power: 10})
	}
	switch name {
	case "mainnet":
		g.ChainID = MainnetChainID
		g.Subnets = []GenesisSubnet{{Name: "apex"}}
		return g, g.Validate()
	case "devnet":
		g.ChainID = DevnetChainID
		g.Params.BlockTimeMs = 1_000
		g.Params.MaxBlockTxs = 10_000
		g.Params.MaxBlockWeight = 10_000 * types.TransferWeight
		g.Params.MaxBlockBytes = 2 << 20
		g.Params.Staking = staking.TestParams()
		g.Params.Staking.ConsensusEpoch = 20
		g.Params.Staking.UnbondingPeriod = 100
		g.Params.Subnets = subnet.TestParams()
		g.Params.Subnets.Defaults.Tempo = 20
		g.Params.Gov = gov.Params{MinDeposit: types.RaoPerTAO, VotingPeriod: 100, Quorum: 334_000, Threshold: 500_000, VetoThreshold: 334_000}
		if len(funded) > 0 {
			g.Subnets = []GenesisSubnet{{Name: "apex", Owner: funded[0]}}
		}
	case "test":
		g.ChainID = TestChainID
		g.Params.BlockTimeMs = 200
		// Blocks must stay small enough to propose and validate well inside
		// a round's timeouts: 2,000 transfers per 200 ms is 10,000 tx/s.
		g.Params.MaxBlockTxs = 2_000
		g.Params.MaxBlockWeight = 2_000 * types.TransferWeight
		// 256 KiB holds the 2,000 transfers (~230 KB) and keeps a block of
		// the largest txs (seven 32 KiB proposals) within what four
		// validators on one 2-core machine propagate and execute in a
		// 200 ms round (test/attack: TestAttackOversizedTxs).
		g.Params.MaxBlockBytes = 256 << 10
		g.Params.Staking = staking.TestParams()
		g.Params.Subnets = subnet.TestParams()
		g.Params.Gov = gov.Params{MinDeposit: types.RaoPerTAO, VotingPeriod: 10, Quorum: 334_000, Threshold: 500_000, VetoThreshold: 334_000}
	default:
		return nil, fmt.Errorf("chain: unknown preset %q (have %v)", name, Presets)
	}
	for _, a := range funded {
		g.Alloc = append(g.Alloc, Alloc{Address: a, Balance: balance})
	}
	return g, g.Validate()
}
