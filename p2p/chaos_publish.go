//go:build chaos

package p2p

import (
	"context"
	"encoding/binary"
	"fmt"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// This file exists only in chaos builds (-tags chaos): it lets the node's
// spammer fault (node.ChaosConfig.Spam) publish what an honest host never
// would, so that the chaos suite can check that its peers refuse it.
// Release builds never carry it.

// Gossip topics for ChaosPublish.
const (
	ChaosTopicTx        = labelTx
	ChaosTopicConsensus = labelConsensus
	ChaosTopicBlock     = labelBlock
)

// ChaosPublish publishes data on a gossip topic (ChaosTopic*) as given: no
// size check, no rate limit, no validation (our own validator accepts our
// own messages; only pubsub's overall message size still applies). Consensus
// data must start with the 8-byte publication nonce (ChaosConsensusFrame).
func (h *Host) ChaosPublish(ctx context.Context, topic string, data []byte) error {
	if err := h.running(); err != nil {
		return err
	}
	var t *pubsub.Topic
	switch topic {
	case ChaosTopicTx:
		t = h.topics.tx
	case ChaosTopicConsensus:
		t = h.topics.consensus
	case ChaosTopicBlock:
		t = h.topics.block
	default:
		return fmt.Errorf("p2p: chaos publish: unknown topic %q", topic)
	}
	if err := t.Publish(ctx, data); err != nil {
		return fmt.Errorf("p2p: chaos publish on %s: %w", topic, err)
	}
	h.met.msgsOut.WithLabelValues(topic).Inc()
	return nil
}

// ChaosConsensusFrame prefixes msg with a fresh publication nonce, as
// PublishConsensus does, so that equal messages are distinct publications.
func (h *Host) ChaosConsensusFrame(msg []byte) []byte {
	data := make([]byte, consensusNonceLen+len(msg))
	binary.BigEndian.PutUint64(data, h.nonce.take())
	copy(data[consensusNonceLen:], msg)
	return data
}

// ChaosTxBatch encodes raw transactions as one tx gossip message.
func ChaosTxBatch(raws [][]byte) ([]byte, error) { return encodeTxBatch(raws) }

// ChaosLimits are the per-topic sizes receivers refuse above: a tx batch, a
// consensus message (without its nonce) and a block announcement.
func (h *Host) ChaosLimits() (txBatch, consensus, block int) {
	return h.cfg.MaxTxBatchBytes, h.cfg.MaxConsensusMsgBytes, h.cfg.MaxBlockMsgBytes
}
