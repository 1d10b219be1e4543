package client

import (
	"context"
	"fmt"
	"strconv"

	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Typed reads, one per JSON-RPC method, in the node's namespaces (tao_,
// subnet_, stake_, gov_, net_). They return the rpc package's JSON types;
// amounts the node sends as decimal strings are parsed to rao where the
// method's whole answer is an amount.

// parseRao reads an amount the node sent as a decimal string.
func parseRao(method, s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s returned %q", ErrBadReply, method, s)
	}
	return v, nil
}

func (c *Client) raoCall(ctx context.Context, method string, args ...any) (uint64, error) {
	var s string
	if err := c.Call(ctx, &s, method, args...); err != nil {
		return 0, err
	}
	return parseRao(method, s)
}

// ChainID returns the chain ID (read once, then cached: it never changes).
func (c *Client) ChainID(ctx context.Context) (uint64, error) {
	c.mu.Lock()
	id := c.mu.chainID
	c.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	if err := c.Call(ctx, &id, "tao_chainId"); err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.mu.chainID = id
	c.mu.Unlock()
	return id, nil
}

// BlockNumber returns the height of the last committed block.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	var n uint64
	err := c.Call(ctx, &n, "tao_blockNumber")
	return n, err
}

// Head returns the header of the last committed block.
func (c *Client) Head(ctx context.Context) (*rpc.HeaderJSON, error) {
	b, err := c.block(ctx, "tao_getBlockByNumber", "latest")
	if err != nil {
		return nil, err
	}
	return b.HeaderJSON, nil
}

// BlockByNumber returns a block with its transaction hashes; nil if there is
// none at that height yet.
func (c *Client) BlockByNumber(ctx context.Context, height uint64) (*rpc.BlockJSON, error) {
	return c.blockOrNil(ctx, "tao_getBlockByNumber", height)
}

// BlockByHash returns a block with its transaction hashes; nil if unknown.
func (c *Client) BlockByHash(ctx context.Context, hash types.Hash) (*rpc.BlockJSON, error) {
	return c.blockOrNil(ctx, "tao_getBlockByHash", hash)
}

func (c *Client) blockOrNil(ctx context.Context, method string, id any) (*rpc.BlockJSON, error) {
	var b *rpc.BlockJSON
	if err := c.Call(ctx, &b, method, id, false); err != nil {
		return nil, err
	}
	return b, nil
}

func (c *Client) block(ctx context.Context, method string, id any) (*rpc.BlockJSON, error) {
	b, err := c.blockOrNil(ctx, method, id)
	if err == nil && (b == nil || b.HeaderJSON == nil) {
		err = fmt.Errorf("%w: %s(%v) returned no block", ErrBadReply, method, id)
	}
	return b, err
}

// Balance returns an address's balance in rao at the head.
func (c *Client) Balance(ctx context.Context, addr types.Address) (uint64, error) {
	return c.raoCall(ctx, "tao_getBalance", addr, "latest")
}

// BalanceAt returns an address's balance in rao after block height.
func (c *Client) BalanceAt(ctx context.Context, addr types.Address, height uint64) (uint64, error) {
	return c.raoCall(ctx, "tao_getBalance", addr, height)
}

// NonceAt returns an address's next nonce after block height.
func (c *Client) NonceAt(ctx context.Context, addr types.Address, height uint64) (uint64, error) {
	var n uint64
	err := c.Call(ctx, &n, "tao_getNonce", addr, height)
	return n, err
}

// Nonce returns an address's next nonce at the head (committed txs only).
func (c *Client) Nonce(ctx context.Context, addr types.Address) (uint64, error) {
	var n uint64
	err := c.Call(ctx, &n, "tao_getNonce", addr, "latest")
	return n, err
}

// PendingNonce returns an address's next nonce counting its txs waiting in
// the node's pool.
func (c *Client) PendingNonce(ctx context.Context, addr types.Address) (uint64, error) {
	var n uint64
	err := c.Call(ctx, &n, "tao_getNonce", addr, "pending")
	return n, err
}

// Tx returns a committed or pooled transaction; nil if the node knows none.
func (c *Client) Tx(ctx context.Context, hash types.Hash) (*rpc.TxJSON, error) {
	var t *rpc.TxJSON
	err := c.Call(ctx, &t, "tao_getTransactionByHash", hash)
	return t, err
}

// Receipt returns a committed transaction's receipt; nil while it is pending
// or unknown.
func (c *Client) Receipt(ctx context.Context, hash types.Hash) (*rpc.ReceiptJSON, error) {
	var r *rpc.ReceiptJSON
	err := c.Call(ctx, &r, "tao_getTransactionReceipt", hash)
	return r, err
}

// TotalIssuance returns minted minus recycled rao.
func (c *Client) TotalIssuance(ctx context.Context) (uint64, error) {
	return c.raoCall(ctx, "tao_totalIssuance")
}

// EmissionSchedule returns the block reward and the next halving.
func (c *Client) EmissionSchedule(ctx context.Context) (*rpc.EmissionSchedule, error) {
	var s rpc.EmissionSchedule
	err := c.Call(ctx, &s, "tao_emissionSchedule")
	return &s, err
}

// Proof returns an account with its Merkle proof against the head's state root.
func (c *Client) Proof(ctx context.Context, addr types.Address) (*rpc.Proof, error) {
	var p rpc.Proof
	err := c.Call(ctx, &p, "tao_getProof", addr, "latest")
	return &p, err
}

// Subnets lists every subnet.
func (c *Client) Subnets(ctx context.Context) ([]rpc.SubnetJSON, error) {
	var s []rpc.SubnetJSON
	err := c.Call(ctx, &s, "subnet_list")
	return s, err
}

// Subnet returns one subnet's summary.
func (c *Client) Subnet(ctx context.Context, netuid uint16) (*rpc.SubnetJSON, error) {
	var s rpc.SubnetJSON
	err := c.Call(ctx, &s, "subnet_info", netuid)
	return &s, err
}

// Hyperparams returns a subnet's hyperparameters.
func (c *Client) Hyperparams(ctx context.Context, netuid uint16) (*subnet.Hyperparams, error) {
	var h subnet.Hyperparams
	err := c.Call(ctx, &h, "subnet_hyperparams", netuid)
	return &h, err
}

// Metagraph returns every neuron of a subnet, indexed by UID.
func (c *Client) Metagraph(ctx context.Context, netuid uint16) ([]rpc.NeuronJSON, error) {
	var m []rpc.NeuronJSON
	err := c.Call(ctx, &m, "subnet_metagraph", netuid)
	return m, err
}

// MetagraphSnapshot returns a subnet's neurons and hyperparameters read
// from one head state, with that block's height and hash
// (subnet_snapshot): unlike Metagraph, Hyperparams and BlockNumber called
// one after another, it cannot straddle a new block.
func (c *Client) MetagraphSnapshot(ctx context.Context, netuid uint16) (*rpc.MetagraphSnapshotJSON, error) {
	var m rpc.MetagraphSnapshotJSON
	err := c.Call(ctx, &m, "subnet_snapshot", netuid)
	return &m, err
}

// Neuron returns one UID of a subnet with its weights.
func (c *Client) Neuron(ctx context.Context, netuid, uid uint16) (*rpc.NeuronDetail, error) {
	var n rpc.NeuronDetail
	err := c.Call(ctx, &n, "subnet_neuron", netuid, uid)
	return &n, err
}

// Bonds returns a neuron's bond row as the last epoch stored it, as
// [uid, bond] pairs (subnet_bonds).
func (c *Client) Bonds(ctx context.Context, netuid, uid uint16) ([][2]uint16, error) {
	var b [][2]uint16
	err := c.Call(ctx, &b, "subnet_bonds", netuid, uid)
	return b, err
}

// Weights returns every UID's weight row of a subnet, indexed by UID, read
// from one block (subnet_weights): one call instead of one subnet_neuron
// per UID.
func (c *Client) Weights(ctx context.Context, netuid uint16) (*rpc.WeightMatrixJSON, error) {
	var m rpc.WeightMatrixJSON
	err := c.Call(ctx, &m, "subnet_weights", netuid)
	return &m, err
}

// WeightsCommit returns hotkey's weights commit awaiting its reveal on a
// subnet, with the blocks a reveal may land in; nil when it has none
// (subnet_weightsCommit).
func (c *Client) WeightsCommit(ctx context.Context, netuid uint16, hotkey types.Address) (*rpc.WeightsCommitJSON, error) {
	var cm *rpc.WeightsCommitJSON
	err := c.Call(ctx, &cm, "subnet_weightsCommit", netuid, hotkey)
	return cm, err
}

// RootMembers lists the root network's members and their weights.
func (c *Client) RootMembers(ctx context.Context) ([]rpc.RootMemberJSON, error) {
	var m []rpc.RootMemberJSON
	err := c.Call(ctx, &m, "subnet_root")
	return m, err
}

// LockCost returns what creating a subnet costs in the next block, in rao.
func (c *Client) LockCost(ctx context.Context) (uint64, error) {
	return c.raoCall(ctx, "subnet_lockCost")
}

// Stake returns coldkey's stake on hotkey, in rao.
func (c *Client) Stake(ctx context.Context, coldkey, hotkey types.Address) (uint64, error) {
	return c.raoCall(ctx, "stake_getStake", coldkey, hotkey)
}

// Hotkey returns a hotkey's record and nominators; nil if the chain knows
// no such hotkey.
func (c *Client) Hotkey(ctx context.Context, hotkey types.Address) (*rpc.HotkeyJSON, error) {
	var h *rpc.HotkeyJSON
	err := c.Call(ctx, &h, "stake_ofHotkey", hotkey)
	return h, err
}

// Delegates lists every hotkey with stake.
func (c *Client) Delegates(ctx context.Context) ([]*rpc.HotkeyJSON, error) {
	var d []*rpc.HotkeyJSON
	err := c.Call(ctx, &d, "stake_delegates")
	return d, err
}

// StakesOf lists a coldkey's stake positions.
func (c *Client) StakesOf(ctx context.Context, coldkey types.Address) ([]rpc.PositionJSON, error) {
	var p []rpc.PositionJSON
	err := c.Call(ctx, &p, "stake_stakesOf", coldkey)
	return p, err
}

// Unbonding lists a coldkey's unbonding stake.
func (c *Client) Unbonding(ctx context.Context, coldkey types.Address) ([]rpc.UnbondingJSON, error) {
	var u []rpc.UnbondingJSON
	err := c.Call(ctx, &u, "stake_unbonding", coldkey)
	return u, err
}

// Validators returns the BFT validator set at the head.
func (c *Client) Validators(ctx context.Context) (*rpc.ValidatorsJSON, error) {
	var v rpc.ValidatorsJSON
	err := c.Call(ctx, &v, "stake_validators", "latest")
	return &v, err
}

// ValidatorsAt returns the BFT validator set of block height.
func (c *Client) ValidatorsAt(ctx context.Context, height uint64) (*rpc.ValidatorsJSON, error) {
	var v rpc.ValidatorsJSON
	err := c.Call(ctx, &v, "stake_validators", height)
	return &v, err
}

// Proposals lists governance proposals; status "" lists all.
func (c *Client) Proposals(ctx context.Context, status string) ([]rpc.ProposalJSON, error) {
	var p []rpc.ProposalJSON
	var arg any
	if status != "" {
		arg = status
	}
	err := c.Call(ctx, &p, "gov_proposals", arg)
	return p, err
}

// Proposal returns one proposal with its tally.
func (c *Client) Proposal(ctx context.Context, id uint64) (*rpc.ProposalJSON, error) {
	var p rpc.ProposalJSON
	err := c.Call(ctx, &p, "gov_proposal", id)
	return &p, err
}

// Votes lists a proposal's votes.
func (c *Client) Votes(ctx context.Context, id uint64) ([]rpc.VoteJSON, error) {
	var v []rpc.VoteJSON
	err := c.Call(ctx, &v, "gov_votes", id)
	return v, err
}

// Params returns the protocol parameters in force and any scheduled upgrade.
func (c *Client) Params(ctx context.Context) (*rpc.ParamsJSON, error) {
	var p rpc.ParamsJSON
	err := c.Call(ctx, &p, "gov_params")
	return &p, err
}

// Health returns the node's sync and peer health.
func (c *Client) Health(ctx context.Context) (*rpc.Health, error) {
	var h rpc.Health
	err := c.Call(ctx, &h, "net_health")
	return &h, err
}
