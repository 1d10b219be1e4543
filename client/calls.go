package client

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"net"

	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// Builders for every call kind (types.Call). They fill the call from plain
// arguments and compute what a call derives (a commit hash, a binding
// proof, a proof of work); Send validates and signs. Amounts are in rao.

// Transfer sends amount rao to to. Signed by the payer (coldkey).
func Transfer(to types.Address, amount uint64) *types.Transfer {
	return &types.Transfer{To: to, Amount: amount}
}

// AddStake stakes amount rao of the coldkey's balance on hotkey.
func AddStake(hotkey types.Address, amount uint64) *types.AddStake {
	return &types.AddStake{Hotkey: hotkey, Amount: amount}
}

// RemoveStake starts unbonding amount rao of the coldkey's stake on hotkey.
func RemoveStake(hotkey types.Address, amount uint64) *types.RemoveStake {
	return &types.RemoveStake{Hotkey: hotkey, Amount: amount}
}

// SetTake sets the delegate commission of a hotkey the coldkey owns, in ppm.
func SetTake(hotkey types.Address, ppm uint32) *types.SetTake {
	return &types.SetTake{Hotkey: hotkey, Take: ppm}
}

// BindConsensusKey binds consensus (a node's validator key) to hotkey,
// both signing over the chain ID and the coldkey that sends the call.
func BindConsensusKey(chainID uint64, coldkey types.Address, hotkey, consensus *ecdsa.PrivateKey) (*types.BindConsensusKey, error) {
	return types.SignBind(chainID, coldkey, hotkey, consensus)
}

// Unjail releases a jailed hotkey after its jail period; sent by its owner.
func Unjail(hotkey types.Address) *types.Unjail { return &types.Unjail{Hotkey: hotkey} }

// SwapHotkey moves everything old carries (registrations with their UIDs,
// stake and nominations, take, consensus-key binding, pending commits,
// unbonding) to next, a hotkey never used on chain, and retires old for
// good. Sent by old's owner coldkey, which pays staking.hotkey_swap_burn.
func SwapHotkey(old, next types.Address) *types.SwapHotkey {
	return &types.SwapHotkey{Old: old, New: next}
}

// RegisterNetwork creates a subnet owned by the sender, locking the current
// lock cost (LockCost) from its balance.
func RegisterNetwork(name string) *types.RegisterNetwork {
	return &types.RegisterNetwork{Name: name}
}

// BurnedRegister registers hotkey on netuid, burning the subnet's burn cost
// from the sending coldkey's balance.
func BurnedRegister(netuid uint16, hotkey types.Address) *types.BurnedRegister {
	return &types.BurnedRegister{Netuid: netuid, Hotkey: hotkey}
}

// ServeAxon announces the sending neuron's endpoint; an IPv4 address is
// sent as 4 bytes.
func ServeAxon(netuid uint16, ip net.IP, port uint16, protocol uint8, version uint32) *types.ServeAxon {
	b := []byte(ip)
	if v4 := ip.To4(); v4 != nil {
		b = v4
	}
	return &types.ServeAxon{Netuid: netuid, IP: b, Port: port, Protocol: protocol, Version: version}
}

// SetWeights sets the sending validator hotkey's weights over uids.
func SetWeights(netuid uint16, uids, weights []uint16, versionKey uint64) *types.SetWeights {
	return &types.SetWeights{Netuid: netuid, UIDs: uids, Weights: weights, VersionKey: versionKey}
}

// CommitWeights commits hotkey (the sender) to weights revealed later with
// RevealWeights and the same salt and version key.
func CommitWeights(hotkey types.Address, netuid uint16, uids, weights []uint16, salt []byte, versionKey uint64) *types.CommitWeights {
	return &types.CommitWeights{Netuid: netuid, Hash: types.WeightsCommitHash(hotkey, netuid, uids, weights, salt, versionKey)}
}

// RevealWeights reveals weights committed with CommitWeights.
func RevealWeights(netuid uint16, uids, weights []uint16, salt []byte, versionKey uint64) *types.RevealWeights {
	return &types.RevealWeights{Netuid: netuid, UIDs: uids, Weights: weights, Salt: salt, VersionKey: versionKey}
}

// RootRegister admits hotkey (owned by the sending coldkey) to the root network.
func RootRegister(hotkey types.Address) *types.RootRegister {
	return &types.RootRegister{Hotkey: hotkey}
}

// SetRootWeights sets the sending root member's weights over subnets.
func SetRootWeights(netuids, weights []uint16) *types.SetRootWeights {
	return &types.SetRootWeights{Netuids: netuids, Weights: weights}
}

// SetHyperparam sets one hyperparameter of a subnet the sender owns.
func SetHyperparam(netuid uint16, name string, value uint64) *types.SetHyperparam {
	return &types.SetHyperparam{Netuid: netuid, Name: name, Value: value}
}

// ProposeParams proposes protocol parameter changes (dotted JSON paths).
func ProposeParams(title, description string, deposit uint64, changes ...types.ParamChange) *types.Propose {
	return &types.Propose{ProposalKind: types.ProposalParamChange, Title: title, Description: description, Changes: changes, Deposit: deposit}
}

// ProposeUpgrade proposes a software-upgrade halt at height.
func ProposeUpgrade(title, description string, deposit uint64, name string, height uint64) *types.Propose {
	return &types.Propose{ProposalKind: types.ProposalUpgrade, Title: title, Description: description, UpgradeName: name, UpgradeHeight: height, Deposit: deposit}
}

// ProposeText proposes a signalling text.
func ProposeText(title, description string, deposit uint64) *types.Propose {
	return &types.Propose{ProposalKind: types.ProposalText, Title: title, Description: description, Deposit: deposit}
}

// Vote votes on a proposal (types.VoteYes, VoteNo, VoteAbstain, VoteVeto).
func Vote(id uint64, option uint8) *types.GovVote {
	return &types.GovVote{ProposalID: id, Option: option}
}

// CancelProposal withdraws the sender's proposal.
func CancelProposal(id uint64) *types.CancelProposal {
	return &types.CancelProposal{ProposalID: id}
}

// MinePowRegister finds a PowRegister for hotkey (the sender) on netuid for
// coldkey against the head block and the subnet's current difficulty. It
// stops with ctx; progress, if not nil, is called every 65,536 hashes.
func (c *Client) MinePowRegister(ctx context.Context, netuid uint16, hotkey, coldkey types.Address, progress func(hashes uint64)) (*types.PowRegister, error) {
	info, err := c.Subnet(ctx, netuid)
	if err != nil {
		return nil, err
	}
	head, err := c.Head(ctx)
	if err != nil {
		return nil, err
	}
	for nonce := uint64(0); ; nonce++ {
		if subnet.CheckWork(types.PowSeal(netuid, hotkey, coldkey, head.Hash, nonce), info.Difficulty) {
			return &types.PowRegister{Netuid: netuid, Coldkey: coldkey, BlockNumber: head.Number, Nonce: nonce}, nil
		}
		if nonce%65536 == 65535 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("client: mining on subnet %d (difficulty %d): %w", netuid, info.Difficulty, err)
			}
			if progress != nil {
				progress(nonce + 1)
			}
		}
	}
}
