//go:build chaos

package node

import (
	"errors"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/types"
)

// chaosBuilt reports whether the fault switches are compiled in.
const chaosBuilt = true

var errNoChaos = errors.New("node: unreachable")

// faults returns the extra messages a faulty node sends with m: with
// Equivocate, a second, conflicting signed vote for every own vote (a
// double sign the others turn into evidence).
func (n *Node) faults(m consensus.Message) []consensus.Message {
	if !n.cfg.Chaos.Equivocate || m.Vote == nil || n.valKey == nil || m.Vote.Validator != crypto.PubkeyToAddress(n.valKey.PublicKey) {
		return nil
	}
	v := *m.Vote
	v.BlockHash = types.Keccak256(v.BlockHash[:], []byte("equivocate"))
	if err := v.Sign(n.chain.ChainID(), n.valKey); err != nil {
		return nil
	}
	return []consensus.Message{{Vote: &v}}
}

// clockSkewMs is how far this node's clock runs ahead (ClockSkewMs).
func (n *Node) clockSkewMs() int64 { return n.cfg.Chaos.ClockSkewMs }
