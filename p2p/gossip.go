package p2p

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/taonet/taod/types"
)

// Topic labels in metrics.
const (
	labelTx        = "tx"
	labelConsensus = "consensus"
	labelBlock     = "block"
)

// topics are the joined gossip topics with their subscriptions.
type topics struct {
	tx, consensus, block          *pubsub.Topic
	txSub, consensusSub, blockSub *pubsub.Subscription
}

func (t *topics) close() {
	for _, s := range []*pubsub.Subscription{t.txSub, t.consensusSub, t.blockSub} {
		if s != nil {
			s.Cancel()
		}
	}
	for _, tp := range []*pubsub.Topic{t.tx, t.consensus, t.block} {
		if tp != nil {
			_ = tp.Close()
		}
	}
}

// msgID identifies a gossip message by its content. Messages are not signed
// by their publisher (StrictNoSign, see doc.go), so there is no (author,
// seqno) pair to identify them; the content hash also makes a batch or block
// that two nodes publish alike one message.
func msgID(m *pb.Message) string {
	sum := sha256.Sum256(m.Data)
	return string(sum[:20])
}

// nonceSource makes each consensus publication unique (see consensusNonceLen).
type nonceSource struct {
	next atomic.Uint64
}

func (n *nonceSource) init() error {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("p2p: nonce seed: %w", err)
	}
	n.next.Store(binary.BigEndian.Uint64(b[:]))
	return nil
}

func (n *nonceSource) take() uint64 { return n.next.Add(1) }

func (h *Host) startGossip() error {
	cfg := &h.cfg
	params, thresholds := scoreParams(h.names)
	h.trace = newTracer(h.met)
	ps, err := pubsub.NewGossipSub(h.ctx, h.host,
		// Every payload carries its own authentication (signed txs and votes,
		// blocks proven by commits), so the per-message Ed25519 envelope
		// signature would only cost CPU (DESIGN.md §5).
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(msgID),
		pubsub.WithMaxMessageSize(cfg.maxGossipBytes()+64<<10),
		pubsub.WithPeerOutboundQueueSize(cfg.QueueSize),
		pubsub.WithValidateQueueSize(cfg.QueueSize),
		// Our own messages go to every topic peer in good standing, not only
		// the mesh: lower latency for votes, and nothing is lost before the
		// first heartbeat has built a mesh (v0.19 defaults this off).
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerScore(params, thresholds),
		pubsub.WithPeerScoreInspect(pubsub.PeerScoreInspectFn(h.inspectScores), cfg.ScoreInspectInterval),
		pubsub.WithRawTracer(h.trace),
	)
	if err != nil {
		return fmt.Errorf("p2p: gossipsub: %w", err)
	}
	h.ps = ps

	join := func(name string, v pubsub.ValidatorEx, tp **pubsub.Topic, sub **pubsub.Subscription) error {
		if err := ps.RegisterTopicValidator(name, v); err != nil {
			return fmt.Errorf("p2p: validator for %s: %w", name, err)
		}
		t, err := ps.Join(name)
		if err != nil {
			return fmt.Errorf("p2p: join %s: %w", name, err)
		}
		*tp = t
		s, err := t.Subscribe(pubsub.WithBufferSize(cfg.QueueSize))
		if err != nil {
			return fmt.Errorf("p2p: subscribe %s: %w", name, err)
		}
		*sub = s
		return nil
	}
	if err := join(h.names.tx, h.validateTxBatch, &h.topics.tx, &h.topics.txSub); err != nil {
		return err
	}
	if err := join(h.names.consensus, h.validateConsensus, &h.topics.consensus, &h.topics.consensusSub); err != nil {
		return err
	}
	if err := join(h.names.blockAnno, h.validateBlock, &h.topics.block, &h.topics.blockSub); err != nil {
		return err
	}

	h.wg.Add(4)
	go h.deliver(h.topics.txSub, func(m *pubsub.Message) {
		txs, _ := m.ValidatorData.([]*types.Tx)
		h.met.txsIn.Add(float64(len(txs)))
		if h.hs.OnTxs != nil && len(txs) > 0 {
			h.hs.OnTxs(m.ReceivedFrom, txs)
		}
	})
	go h.deliver(h.topics.consensusSub, func(m *pubsub.Message) {
		if h.hs.OnConsensus != nil {
			h.hs.OnConsensus(m.ReceivedFrom, m.Data[consensusNonceLen:], m.ValidatorData)
		}
	})
	go h.deliver(h.topics.blockSub, func(m *pubsub.Message) {
		if b, ok := m.ValidatorData.(*types.Block); ok && h.hs.OnBlock != nil {
			h.hs.OnBlock(m.ReceivedFrom, b)
		}
	})
	go h.batchTxs()
	return nil
}

// deliver hands the subscription's messages from peers to fn; our own
// publications come back on the subscription and are skipped.
func (h *Host) deliver(sub *pubsub.Subscription, fn func(*pubsub.Message)) {
	defer h.wg.Done()
	for {
		m, err := sub.Next(h.ctx)
		if err != nil {
			return // closed
		}
		if m.ReceivedFrom == h.ID() {
			continue
		}
		fn(m)
	}
}

func result(v Verdict) pubsub.ValidationResult {
	switch v {
	case Accept:
		return pubsub.ValidationAccept
	case Reject:
		return pubsub.ValidationReject
	}
	return pubsub.ValidationIgnore
}

// judged records a validation result in the metrics.
func (h *Host) judged(topic string, v Verdict) pubsub.ValidationResult {
	h.met.msgsIn.WithLabelValues(topic, v.String()).Inc()
	return result(v)
}

// validateTxBatch decodes every tx of a batch and asks CheckTx about it. A
// batch is rejected if it is oversized, undecodable or holds any rejected tx;
// ignored if no tx is accepted; accepted otherwise, with the accepted txs as
// validator data for delivery.
func (h *Host) validateTxBatch(_ context.Context, from PeerID, m *pubsub.Message) pubsub.ValidationResult {
	if from == h.ID() {
		return pubsub.ValidationAccept // our own batch, built from txs the node checked
	}
	if len(m.Data) > h.cfg.MaxTxBatchBytes {
		return h.judged(labelTx, Reject)
	}
	if !h.txBudget.allow(from) {
		// The peer has made us check too many txs we did not admit: drop
		// its batches unchecked (no blame: ignored txs are no proof of
		// malice) until its budget refills.
		h.met.throttled.Inc()
		return h.judged(labelTx, Ignore)
	}
	raws, err := decodeTxBatch(m.Data)
	if err != nil {
		return h.judged(labelTx, Reject)
	}
	accepted := make([]*types.Tx, 0, len(raws))
	ignored := 0
	defer func() { h.txBudget.spend(from, ignored) }()
	for _, raw := range raws {
		tx, err := h.hs.Txs.Decode(raw)
		if err != nil {
			return h.judged(labelTx, Reject)
		}
		v := Accept
		if h.hs.CheckTx != nil {
			v = h.hs.CheckTx(tx)
		}
		switch v {
		case Reject:
			return h.judged(labelTx, Reject)
		case Accept:
			accepted = append(accepted, tx)
		default:
			ignored++
		}
	}
	if len(accepted) == 0 {
		return h.judged(labelTx, Ignore)
	}
	m.ValidatorData = accepted
	return h.judged(labelTx, Accept)
}

func (h *Host) validateConsensus(_ context.Context, from PeerID, m *pubsub.Message) pubsub.ValidationResult {
	if from == h.ID() {
		return pubsub.ValidationAccept
	}
	if len(m.Data) <= consensusNonceLen || len(m.Data) > h.cfg.MaxConsensusMsgBytes+consensusNonceLen {
		return h.judged(labelConsensus, Reject)
	}
	v := Accept
	if h.hs.CheckConsensus != nil {
		var checked any
		if v, checked = h.hs.CheckConsensus(from, m.Data[consensusNonceLen:]); v == Accept {
			m.ValidatorData = checked
		}
	}
	return h.judged(labelConsensus, v)
}

func (h *Host) validateBlock(_ context.Context, from PeerID, m *pubsub.Message) pubsub.ValidationResult {
	if from == h.ID() {
		return pubsub.ValidationAccept
	}
	if len(m.Data) > h.cfg.MaxBlockMsgBytes {
		return h.judged(labelBlock, Reject)
	}
	if h.hs.HaveBlock != nil {
		// A block we hold costs a header decode and a lookup, not a body
		// decode. Its body goes unchecked, and unblamed: ignored, not relayed.
		if hd, err := types.DecodeHeader(m.Data); err == nil && hd.ChainID == h.cfg.ChainID && h.hs.HaveBlock(hd.Height, hd.Hash()) {
			h.met.knownBlocks.Inc()
			return h.judged(labelBlock, Ignore)
		}
	}
	b, err := types.DecodeBlockWith(m.Data, h.hs.Txs)
	if err != nil || b.Header.ChainID != h.cfg.ChainID || b.CheckBody() != nil {
		return h.judged(labelBlock, Reject)
	}
	v := Accept
	if h.hs.CheckBlock != nil {
		v = h.hs.CheckBlock(from, b)
	}
	if v == Accept {
		m.ValidatorData = b
	}
	return h.judged(labelBlock, v)
}

// BroadcastTx queues tx for the next gossip batch. It never blocks: with the
// queue full it returns ErrTxQueueFull, which the node should pass on to the
// submitter as "busy" rather than buffer without bound.
func (h *Host) BroadcastTx(tx *types.Tx) error {
	if err := h.running(); err != nil {
		return err
	}
	select {
	case h.txq <- tx.Bytes():
		return nil
	default:
		h.met.txsDropped.Inc()
		return ErrTxQueueFull
	}
}

// batchTxs collects queued txs into batches and publishes them (DESIGN.md
// §5: one tx per message caps gossip near 1,000 msg/s; batches of ~100 move
// tens of thousands of tx/s). The rate limiter waits here, so under overload
// the queue fills and BroadcastTx pushes back.
func (h *Host) batchTxs() {
	defer h.wg.Done()
	limit := rate.NewLimiter(rate.Limit(h.cfg.TxBatchRate), max(1, int(h.cfg.TxBatchRate/10)))
	var (
		batch = make([][]byte, 0, h.cfg.TxBatchMaxTxs)
		size  = batchOverhead
		timer = time.NewTimer(time.Hour)
	)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) == 0 {
			return
		}
		if err := h.publishBatch(limit, batch); err != nil && h.ctx.Err() == nil {
			h.log.Warn("publish tx batch", zap.Int("txs", len(batch)), zap.Error(err))
		}
		batch, size = batch[:0], batchOverhead
	}
	for {
		select {
		case <-h.ctx.Done():
			return
		case raw := <-h.txq:
			if size+len(raw)+batchOverhead > h.cfg.MaxTxBatchBytes {
				flush()
			}
			batch = append(batch, raw)
			size += len(raw) + batchOverhead
			if len(batch) == 1 {
				timer.Reset(h.cfg.TxBatchInterval)
			}
			if len(batch) >= h.cfg.TxBatchMaxTxs {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

func (h *Host) publishBatch(limit *rate.Limiter, batch [][]byte) error {
	data, err := encodeTxBatch(batch)
	if err != nil {
		return err
	}
	if err := limit.Wait(h.ctx); err != nil {
		return err
	}
	if err := h.topics.tx.Publish(h.ctx, data); err != nil {
		return err
	}
	h.met.msgsOut.WithLabelValues(labelTx).Inc()
	h.met.txsOut.Add(float64(len(batch)))
	return nil
}

// PublishConsensus gossips one consensus message (the engine's encoding) on
// the consensus topic, unbatched. Each call is a distinct gossip message even
// for equal bytes, so a re-broadcast is not dropped as a duplicate; receivers
// deduplicate by content. It waits for the publish rate limit.
func (h *Host) PublishConsensus(ctx context.Context, msg []byte) error {
	if err := h.running(); err != nil {
		return err
	}
	if len(msg) == 0 || len(msg) > h.cfg.MaxConsensusMsgBytes {
		return fmt.Errorf("%w: consensus message of %d bytes (max %d)", ErrMessageTooBig, len(msg), h.cfg.MaxConsensusMsgBytes)
	}
	data := make([]byte, consensusNonceLen+len(msg))
	binary.BigEndian.PutUint64(data, h.nonce.take())
	copy(data[consensusNonceLen:], msg)
	if err := h.consLimit.Wait(ctx); err != nil {
		return err
	}
	if err := h.topics.consensus.Publish(ctx, data); err != nil {
		return fmt.Errorf("p2p: publish consensus: %w", err)
	}
	h.met.msgsOut.WithLabelValues(labelConsensus).Inc()
	return nil
}

// PublishBlock announces a committed block on the block topic.
func (h *Host) PublishBlock(ctx context.Context, b *types.Block) error {
	if err := h.running(); err != nil {
		return err
	}
	data, err := b.Encode()
	if err != nil {
		return fmt.Errorf("p2p: encode block %d: %w", b.Height(), err)
	}
	if len(data) > h.cfg.MaxBlockMsgBytes {
		return fmt.Errorf("%w: block %d is %d bytes (max %d)", ErrMessageTooBig, b.Height(), len(data), h.cfg.MaxBlockMsgBytes)
	}
	if err := h.consLimit.Wait(ctx); err != nil {
		return err
	}
	if err := h.topics.block.Publish(ctx, data); err != nil {
		if errors.Is(err, pubsub.ErrTopicClosed) {
			return ErrClosed
		}
		return fmt.Errorf("p2p: publish block: %w", err)
	}
	h.met.msgsOut.WithLabelValues(labelBlock).Inc()
	return nil
}

// TopicPeers reports how many peers we know to subscribe to each topic.
func (h *Host) TopicPeers() (tx, consensus, block int) {
	if h.running() != nil {
		return 0, 0, 0
	}
	return len(h.topics.tx.ListPeers()), len(h.topics.consensus.ListPeers()), len(h.topics.block.ListPeers())
}

// MeshPeers reports the size of our gossipsub mesh on each topic: the peers
// that forward every message to us. A message reaches a node only through
// meshes (or flood publishing from its author), so health checks and tests
// wait on these, not on TopicPeers.
func (h *Host) MeshPeers() (tx, consensus, block int) {
	if h.running() != nil {
		return 0, 0, 0
	}
	return h.trace.meshSize(h.names.tx), h.trace.meshSize(h.names.consensus), h.trace.meshSize(h.names.blockAnno)
}
