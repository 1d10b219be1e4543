package chain

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"os"

	"github.com/taonet/taod/emission"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Params are the protocol parameters fixed at genesis (governance will make
// some of them changeable on chain).
type Params struct {
	// BlockTimeMs is the target interval between blocks.
	BlockTimeMs uint64 `json:"block_time_ms"`
	// MaxClockDriftMs bounds how far ahead of a validator's clock a header's
	// time may be.
	MaxClockDriftMs uint64 `json:"max_clock_drift_ms"`
	// BaseFeePerWeight is the minimum fee in rao per weight unit.
	BaseFeePerWeight uint64 `json:"base_fee_per_weight"`
	// MaxBlockWeight bounds the summed weight of a block's transactions.
	MaxBlockWeight uint64 `json:"max_block_weight"`
	// MaxBlockTxs bounds the number of transactions in a block.
	MaxBlockTxs int `json:"max_block_txs"`
	// MaxBlockBytes bounds a block's counted bytes (BlockBytes: its txs'
	// envelopes with framing, and its evidence). At most MaxBlockBytesLimit,
	// from which every p2p size limit is derived, so no value governance can
	// set makes a valid block unsendable.
	MaxBlockBytes uint64 `json:"max_block_bytes"`
	// ByteWeight is the weight charged per byte of a tx's envelope on top of
	// its call's weight: fee ≥ base_fee_per_weight × (weight + len × byte_weight).
	// At most types.EthByteGas, the rate Ethereum-signed txs pay (ethtx.go).
	ByteWeight uint64 `json:"byte_weight"`
	// MaxFreePercent bounds the share, in percent, of max_block_weight and of
	// max_block_bytes that fee-free calls may use in one block.
	MaxFreePercent uint64 `json:"max_free_percent"`
	// Staking governs stake, the validator set and slashing.
	Staking staking.Params `json:"staking"`
	// Subnets governs subnets, registration and the root network.
	Subnets subnet.Params `json:"subnets"`
	// Gov governs governance.
	Gov gov.Params `json:"gov"`
}

// DefaultParams are mainnet's.
func DefaultParams() Params {
	return Params{
		BlockTimeMs:      12_000,
		MaxClockDriftMs:  1_000,
		BaseFeePerWeight: 1,
		MaxBlockWeight:   types.TransferWeight * 20_000,
		MaxBlockTxs:      20_000,
		MaxBlockBytes:    4 << 20,
		ByteWeight:       types.EthByteGas,
		MaxFreePercent:   25,
		Staking:          staking.DefaultParams(),
		Subnets:          subnet.DefaultParams(),
		Gov:              gov.DefaultParams(),
	}
}

// Validate checks that the parameters make a working chain.
func (p Params) Validate() error {
	switch {
	case p.BlockTimeMs == 0:
		return errors.New("chain: block_time_ms must be positive")
	case p.MaxClockDriftMs == 0:
		return errors.New("chain: max_clock_drift_ms must be positive")
	case p.MaxBlockTxs <= 0 || p.MaxBlockWeight < types.TransferWeight:
		return errors.New("chain: block limits must admit at least one transfer")
	case p.MaxBlockBytes < MinBlockBytes || p.MaxBlockBytes > MaxBlockBytesLimit:
		return fmt.Errorf("chain: max_block_bytes %d outside [%d, %d] (one maximal tx; the bound p2p limits are derived from)", p.MaxBlockBytes, MinBlockBytes, MaxBlockBytesLimit)
	case p.ByteWeight < 1 || p.ByteWeight > types.EthByteGas:
		return fmt.Errorf("chain: byte_weight %d outside [1, %d] (Ethereum-signed txs pay %d per byte)", p.ByteWeight, types.EthByteGas, types.EthByteGas)
	case p.MaxFreePercent < 1 || p.MaxFreePercent > 100:
		return fmt.Errorf("chain: max_free_percent %d outside [1, 100]", p.MaxFreePercent)
	case p.Staking.MaxBFTValidators > MaxBFTValidatorsLimit:
		return fmt.Errorf("chain: max_bft_validators %d above %d (the largest commit p2p limits are derived from)", p.Staking.MaxBFTValidators, MaxBFTValidatorsLimit)
	}
	if err := p.Staking.Validate(); err != nil {
		return err
	}
	if err := p.Subnets.Validate(); err != nil {
		return err
	}
	return p.Gov.Validate()
}

// Alloc is a genesis balance.
type Alloc struct {
	Address types.Address `json:"address"`
	Balance uint64        `json:"balance,string"`
}

// Genesis defines a chain: its ID, parameters, initial balances and the
// bootstrap validators with fixed power.
type Genesis struct {
	ChainID    uint64            `json:"chain_id"`
	Preset     string            `json:"preset"`
	Time       uint64            `json:"time_ms"`
	Params     Params            `json:"params"`
	Alloc      []Alloc           `json:"alloc"`
	Validators []types.Validator `json:"validators"`
	// Subnets are created at genesis, netuid 1 upwards (mainnet: subnet 1,
	// owned by nobody, so a fair launch has somewhere to mine).
	Subnets []GenesisSubnet `json:"subnets"`
}

// GenesisSubnet is a subnet created at genesis.
type GenesisSubnet struct {
	Name  string        `json:"name"`
	Owner types.Address `json:"owner"` // zero: no owner, no owner cut
}

// Validate checks a genesis for mistakes that would make a broken chain.
func (g *Genesis) Validate() error {
	if g.ChainID == 0 {
		return errors.New("chain: genesis chain_id must be non-zero")
	}
	if err := g.Params.Validate(); err != nil {
		return err
	}
	if len(g.Validators) == 0 {
		return errors.New("chain: genesis needs at least one bootstrap validator")
	}
	if len(g.Validators) > MaxBFTValidatorsLimit {
		return fmt.Errorf("chain: genesis lists %d validators, at most %d (the largest commit p2p limits are derived from)", len(g.Validators), MaxBFTValidatorsLimit)
	}
	seen := map[types.Address]bool{}
	for _, v := range g.Validators {
		if v.Power == 0 || seen[v.Address] {
			return fmt.Errorf("chain: genesis validator %s has zero power or is listed twice", v.Address)
		}
		seen[v.Address] = true
	}
	var total uint64
	seen = map[types.Address]bool{}
	for _, a := range g.Alloc {
		if seen[a.Address] {
			return fmt.Errorf("chain: genesis allocates to %s twice", a.Address)
		}
		seen[a.Address] = true
		if a.Balance > emission.MaxSupply-total {
			return fmt.Errorf("chain: genesis allocations exceed the %d TAO cap", emission.MaxSupply/types.RaoPerTAO)
		}
		total += a.Balance
	}
	return nil
}

// LoadGenesis reads a genesis JSON file.
func LoadGenesis(path string) (*Genesis, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("chain: read genesis: %w", err)
	}
	g := new(Genesis)
	if err := json.Unmarshal(b, g); err != nil {
		return nil, fmt.Errorf("chain: parse genesis %s: %w", path, err)
	}
	return g, g.Validate()
}

// Save writes the genesis as indented JSON.
func (g *Genesis) Save(path string) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// build executes the genesis allocations into st and returns block 0.
func (g *Genesis) build(st *state.State) (*types.Block, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	var total uint64
	for _, a := range g.Alloc {
		st.SetAccount(a.Address, state.Account{Balance: a.Balance})
		total += a.Balance
	}
	st.SetIssuance(total)
	writeParams(st, g.Params)
	for _, sn := range g.Subnets {
		subnet.Create(st, g.Params.Subnets, sn.Owner, sn.Name, 0, 0)
	}
	staking.WriteGenesisSet(st, g.Validators)
	root, err := st.Root()
	if err != nil {
		return nil, err
	}
	vh := types.ValidatorsHash(g.Validators)
	h := types.Header{
		ChainID:            g.ChainID,
		Height:             0,
		Time:               g.Time,
		TxRoot:             types.EmptyRoot,
		ReceiptsRoot:       types.EmptyRoot,
		StateRoot:          root,
		ValidatorsHash:     vh,
		NextValidatorsHash: vh,
		LastCommitHash:     (*types.Commit)(nil).Hash(),
		EvidenceHash:       types.EvidenceHash(nil),
	}
	return types.NewBlock(h, nil, &types.Commit{}, nil), nil
}

// keyParams holds the protocol parameters in force, as JSON (Params has
// signed integer fields RLP cannot carry; encoding/json is deterministic for
// structs).
var keyParams = []byte("gparams")

func writeParams(st *state.State, p Params) {
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("chain: encode params: %v", err))
	}
	st.Set(keyParams, b)
}

// ParamsAt reads the protocol parameters in force in st.
func ParamsAt(st interface{ Get([]byte) []byte }) (Params, error) {
	var p Params
	b := st.Get(keyParams)
	if len(b) == 0 {
		return p, fmt.Errorf("%w: no protocol parameters in state", state.ErrCorrupt)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%w: protocol parameters: %v", state.ErrCorrupt, err)
	}
	return p, nil
}
