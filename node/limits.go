package node

import (
	"fmt"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// blockLimits bounds every valid block and proof of lock of any chain this
// binary runs, from the chain's code bounds (max_block_bytes and
// max_bft_validators cannot exceed them, at genesis or by governance).
func blockLimits() p2p.BlockLimits {
	return p2p.BlockLimits{MaxBlockBytes: chain.MaxEncodedBlockSize(), MaxVotes: chain.MaxBFTValidatorsLimit}
}

// checkSizeLimits refuses to start a node whose decoders could not take the
// largest valid block: a block the chain accepts that a peer's decoder or
// this node's WAL refuses would halt the chain. The p2p limits are checked
// by p2p.Config.Validate against the same bounds.
func checkSizeLimits() error {
	l := blockLimits()
	switch {
	case l.MaxBlockBytes > types.MaxBlockSize:
		return fmt.Errorf("node: the largest valid block (%d bytes) exceeds what blocks decode at (%d)", l.MaxBlockBytes, types.MaxBlockSize)
	case l.ConsensusMsgBytes() > consensus.MaxMessageSize:
		return fmt.Errorf("node: a proposal of the largest valid block (%d bytes) exceeds what consensus messages decode at (%d)", l.ConsensusMsgBytes(), consensus.MaxMessageSize)
	case l.ConsensusMsgBytes() > wal.MaxRecordSize:
		return fmt.Errorf("node: a proposal of the largest valid block (%d bytes) exceeds the WAL record limit (%d)", l.ConsensusMsgBytes(), wal.MaxRecordSize)
	}
	return nil
}
