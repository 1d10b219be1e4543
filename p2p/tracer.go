package p2p

import (
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// tracer follows gossipsub's mesh membership and counts the messages
// gossipsub drops: the losses DESIGN.md §5 warns about (full outbound queues,
// full validation queue, full subscription buffers) are otherwise silent.
// Pubsub calls it from its event loop, so it only takes a short lock.
type tracer struct {
	met *metrics

	mu struct {
		sync.Mutex
		mesh map[string]map[peer.ID]struct{} // our mesh peers by topic
	}
}

var _ pubsub.RawTracer = (*tracer)(nil)

func newTracer(met *metrics) *tracer {
	t := &tracer{met: met}
	t.mu.mesh = make(map[string]map[peer.ID]struct{})
	return t
}

func (t *tracer) meshSize(topic string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.mu.mesh[topic])
}

func (t *tracer) Graft(p peer.ID, topic string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.mu.mesh[topic]
	if m == nil {
		m = make(map[peer.ID]struct{})
		t.mu.mesh[topic] = m
	}
	m[p] = struct{}{}
}

func (t *tracer) Prune(p peer.ID, topic string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.mu.mesh[topic], p)
}

// OnClosedOutboundStream is how pubsub reports a peer gone: it leaves every
// mesh without a Prune.
func (t *tracer) OnClosedOutboundStream(p peer.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range t.mu.mesh {
		delete(m, p)
	}
}

func (t *tracer) Leave(topic string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.mu.mesh, topic)
}

func (t *tracer) RejectMessage(_ *pubsub.Message, reason string) {
	switch reason {
	case pubsub.RejectValidationQueueFull, pubsub.RejectValidationThrottled:
		t.met.drops.WithLabelValues("validation").Inc()
	}
}

func (t *tracer) DropRPC(*pubsub.RPC, peer.ID) { t.met.drops.WithLabelValues("outbound").Inc() }
func (t *tracer) UndeliverableMessage(*pubsub.Message) {
	t.met.drops.WithLabelValues("subscription").Inc()
}

func (t *tracer) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (t *tracer) Join(string)                                          {}
func (t *tracer) ValidateMessage(*pubsub.Message)                      {}
func (t *tracer) DeliverMessage(*pubsub.Message)                       {}
func (t *tracer) DuplicateMessage(*pubsub.Message)                     {}
func (t *tracer) ThrottlePeer(peer.ID)                                 {}
func (t *tracer) RecvRPC(*pubsub.RPC)                                  {}
func (t *tracer) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (t *tracer) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
