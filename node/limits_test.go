package node

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// Weakness 1 (issue 11): p2p refused consensus messages over 4 MiB while a
// valid block had no byte limit. The node now derives every p2p limit from
// the chain's code bounds: a proposal of the largest block any parameters
// allow (max_block_bytes at its bound, filled with maximal txs), with a
// commit and a proof of lock from the most validators allowed, fits every
// limit and decodes; limits below it are refused at start.
func TestP2PLimitsCarryLargestProposal(t *testing.T) {
	if err := checkSizeLimits(); err != nil {
		t.Fatal(err)
	}
	pc := p2p.DefaultConfig()
	pc.NodeKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pc.GenesisHash = types.Hash{1}
	pc.EnsureDefaults()
	pc.Blocks = blockLimits()
	if err := pc.Validate(); !errors.Is(err, p2p.ErrConfig) || !strings.Contains(err.Error(), "largest valid block") {
		t.Fatalf("4 MiB limits with 8 MiB blocks: %v", err)
	}
	pc.DeriveBlockLimits(blockLimits())
	if err := pc.Validate(); err != nil {
		t.Fatalf("derived limits: %v", err)
	}

	p := chain.DefaultParams()
	call := &types.Propose{ProposalKind: types.ProposalParamChange, Title: "t", Changes: []types.ParamChange{{Key: "k", Value: strings.Repeat("x", types.MaxTxSize-160)}}}
	tx, err := chain.SignPayingMinFee(p, types.TxData{ChainID: ^uint64(0), Nonce: ^uint64(0), Call: call}, devkeys.Key(0))
	if err != nil {
		t.Fatal(err)
	}
	var txs []*types.Tx
	for uint64(len(txs)+1)*chain.TxBytes(tx) <= chain.MaxBlockBytesLimit {
		txs = append(txs, tx)
	}
	full := types.Hash(bytes.Repeat([]byte{0xff}, 32))
	sig := bytes.Repeat([]byte{0x7f}, 65)
	h := types.Header{ChainID: ^uint64(0), Height: ^uint64(0), Time: ^uint64(0), ParentHash: full, Proposer: devkeys.Address(0),
		TxRoot: full, ReceiptsRoot: full, StateRoot: full, ValidatorsHash: full, NextValidatorsHash: full, LastCommitHash: full, EvidenceHash: full}
	commit := &types.Commit{Height: ^uint64(0), Round: ^uint32(0), BlockHash: full}
	var pol []*types.Vote
	for i := range chain.MaxBFTValidatorsLimit {
		commit.Signatures = append(commit.Signatures, types.CommitSig{Validator: devkeys.Address(i), Signature: sig})
		pol = append(pol, &types.Vote{Type: types.Prevote, Height: ^uint64(0), Round: ^uint32(0), BlockHash: full, Validator: devkeys.Address(i), Signature: sig})
	}
	blk := types.NewBlock(h, txs, commit, nil)
	enc, err := blk.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) > pc.MaxBlockMsgBytes || len(enc) <= 8<<20-types.MaxTxSize {
		t.Fatalf("block of %d bytes: block message limit %d", len(enc), pc.MaxBlockMsgBytes)
	}
	prop := &consensus.Proposal{Height: ^uint64(0), Round: ^uint32(0) - 1, POLRound: ^uint32(0) - 2, BlockHash: full, Proposer: devkeys.Address(0), Signature: sig}
	msg, err := consensus.Message{Proposal: prop, Block: blk, POL: pol}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(msg) > pc.MaxConsensusMsgBytes {
		t.Fatalf("proposal message of %d bytes, consensus limit %d", len(msg), pc.MaxConsensusMsgBytes)
	}
	if _, err := consensus.DecodeMessage(msg); err != nil {
		t.Fatalf("the largest proposal does not decode: %v", err)
	}
	t.Logf("largest proposal %d bytes; limits: consensus %d, block %d, sync response %d", len(msg), pc.MaxConsensusMsgBytes, pc.MaxBlockMsgBytes, pc.MaxSyncResponseBytes)
}
