package attack

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	lcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/taonet/taod/types"
)

// The wire of p2p/doc.go, written out here on purpose: a Byzantine peer must
// not depend on the host's own encoders, which would refuse what it sends.

// hello is the handshake record: RLP([chain ID, genesis hash, head, version]).
type hello struct {
	ChainID     uint64
	GenesisHash types.Hash
	Head        uint64
	Version     string
}

// syncRequest is a block sync request: RLP([from, count]).
type syncRequest struct {
	From  uint64
	Count uint64
}

// writeFrame writes a uvarint length and b.
func writeFrame(w io.Writer, b []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// readFrame reads one frame of at most limit bytes.
func readFrame(r *bufio.Reader, limit uint64) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("frame of %d bytes over %d", n, limit)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}

// protoNames are the chain's protocol and topic names.
type protoNames struct {
	hello, sync              protocol.ID
	tx, consensus, blockAnno string
}

func namesFor(g types.Hash) protoNames {
	p := "/taod/" + hex.EncodeToString(g[:8])
	return protoNames{
		hello: protocol.ID(p + "/hello/1"), sync: protocol.ID(p + "/sync/1"),
		tx: p + "/tx", consensus: p + "/consensus", blockAnno: p + "/block",
	}
}

// observerIP is where passive observers connect from.
const observerIP = "127.0.0.77"

// byzOpts shapes a Byzantine peer.
type byzOpts struct {
	// ip to listen and dial from (default attackerIP: never the honest
	// nodes' 127.0.0.1, so that a fix banning a misbehaving peer's IP
	// cannot hit an honest node and skew another assertion).
	ip string
	// head is the height claimed in every Hello (default 0).
	head func() uint64
	// serveSync, if set, answers the sync protocol (the lying or stalling
	// server); otherwise sync streams are reset.
	serveSync func(s network.Stream)
	// observe subscribes to every topic and keeps what arrives (a passive
	// observer counting what honest nodes relay).
	observe bool
	// bare skips gossip: a connection and the handshake only (cheap, for
	// floods of identities).
	bare bool
}

// byz is a Byzantine peer: its own libp2p host and gossipsub router,
// speaking taod's protocols with whatever content the test wants.
type byz struct {
	t       *testing.T
	nw      *honestNet
	opts    byzOpts
	names   protoNames
	chainID uint64
	genesis types.Hash

	h      host.Host
	ps     *pubsub.PubSub
	ctx    context.Context
	cancel context.CancelFunc
	topics map[string]*pubsub.Topic
	seq    atomic.Uint64

	mu       sync.Mutex
	received map[string][][]byte // by topic, payloads seen (observe only)
}

// newByz starts a Byzantine peer with a fresh peer ID, failing the test
// if it cannot (call it on the test's goroutine; tryByz elsewhere).
func newByz(t *testing.T, nw *honestNet, o byzOpts) *byz {
	t.Helper()
	b, err := tryByz(t, nw, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tryByz starts a Byzantine peer with a fresh peer ID; it is closed when
// the test ends.
func tryByz(t *testing.T, nw *honestNet, o byzOpts) (*byz, error) {
	switch {
	case o.ip != "":
	case o.observe:
		o.ip = observerIP // apart from the attackers: their IP may be banned
	default:
		o.ip = attackerIP
	}
	if o.head == nil {
		o.head = func() uint64 { return 0 }
	}
	priv, _, err := lcrypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("byzantine peer key: %w", err)
	}
	h, err := libp2p.New(
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(fmt.Sprintf("/ip4/%s/tcp/0", o.ip)),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.ResourceManager(&network.NullResourceManager{}),
	)
	if err != nil {
		return nil, fmt.Errorf("byzantine peer host: %w", err)
	}
	b := &byz{t: t, nw: nw, opts: o, names: namesFor(nw.genesis()), chainID: nw.chainID(), genesis: nw.genesis(),
		h: h, topics: map[string]*pubsub.Topic{}, received: map[string][][]byte{}}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	t.Cleanup(b.close)

	h.SetStreamHandler(b.names.hello, b.handleHello)
	h.SetStreamHandler(b.names.sync, func(s network.Stream) {
		if o.serveSync != nil {
			o.serveSync(s)
			return
		}
		s.Reset()
	})
	if o.bare {
		return b, nil
	}
	// The shortest message history: what the attacker published is not
	// kept for gossip beyond one heartbeat, so the test process's RSS is
	// the honest nodes' more than the attacker's.
	gp := pubsub.DefaultGossipSubParams()
	gp.HistoryLength, gp.HistoryGossip = 1, 1
	b.ps, err = pubsub.NewGossipSub(b.ctx, h,
		pubsub.WithGossipSubParams(gp),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(func(m *pb.Message) string { s := sha256.Sum256(m.Data); return string(s[:20]) }),
		pubsub.WithMaxMessageSize(32<<20),
		pubsub.WithFloodPublish(true),
		// A short queue: what a slow honest node does not read is dropped
		// here rather than held in the test process, whose RSS is measured.
		pubsub.WithPeerOutboundQueueSize(64),
		pubsub.WithValidateQueueSize(8192),
	)
	if err != nil {
		return nil, fmt.Errorf("byzantine peer gossipsub: %w", err)
	}
	for _, name := range []string{b.names.tx, b.names.consensus, b.names.blockAnno} {
		tp, err := b.ps.Join(name)
		if err != nil {
			return nil, fmt.Errorf("byzantine peer: join %s: %w", name, err)
		}
		b.topics[name] = tp
		if o.observe {
			sub, err := tp.Subscribe(pubsub.WithBufferSize(8192))
			if err != nil {
				return nil, fmt.Errorf("byzantine peer: subscribe %s: %w", name, err)
			}
			go b.collect(name, sub)
		}
	}
	return b, nil
}

func (b *byz) close() {
	b.cancel()
	_ = b.h.Close()
}

// ID is the Byzantine peer's ID.
func (b *byz) ID() peer.ID { return b.h.ID() }

// handleHello answers an honest node's handshake with our claimed head.
func (b *byz) handleHello(s network.Stream) {
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(5 * time.Second))
	out, _ := rlp.EncodeToBytes(&hello{ChainID: b.chainID, GenesisHash: b.genesis, Head: b.opts.head(), Version: "byzantine"})
	if err := writeFrame(s, out); err != nil {
		s.Reset()
		return
	}
	if _, err := readFrame(bufio.NewReader(s), 512); err != nil {
		s.Reset()
	}
}

// connect dials honest node i and waits until it lists us as a peer that
// passed the handshake; it reports whether that happened within wait.
func (b *byz) connect(i int, wait time.Duration) bool {
	hn := b.nw.nodes[i]
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	if err := b.h.Connect(ctx, hn.n.Host().AddrInfo()); err != nil {
		return false
	}
	for ctx.Err() == nil {
		for _, p := range hn.n.Host().Peers() {
			if p.ID == b.ID() {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// mustConnect connects to honest node i and waits until it is a gossip
// peer on every topic, so that publishing reaches it.
func (b *byz) mustConnect(i int) {
	b.t.Helper()
	if !b.connect(i, 10*time.Second) {
		b.t.Fatalf("byzantine peer: could not connect to %s", b.nw.nodes[i].name)
	}
	want := b.nw.nodes[i].n.Host().ID()
	deadline := time.Now().Add(10 * time.Second)
	for _, tp := range b.topics {
		for !contains(tp.ListPeers(), want) {
			if time.Now().After(deadline) {
				b.t.Fatalf("byzantine peer: %s never joined our view of a topic", b.nw.nodes[i].name)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func contains(ps []peer.ID, p peer.ID) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// connected reports whether honest node i still has a connection to us.
func (b *byz) connected(i int) bool {
	return b.h.Network().Connectedness(b.nw.nodes[i].n.Host().ID()) == network.Connected
}

// publish sends raw bytes on a topic (errors are expected once banned).
func (b *byz) publish(topic string, data []byte) error {
	return b.topics[topic].Publish(b.ctx, data)
}

// publishConsensus sends a consensus message with a fresh 8-byte nonce, as
// the host does, so each is a new gossip message.
func (b *byz) publishConsensus(msg []byte) error {
	data := make([]byte, 8+len(msg))
	binary.BigEndian.PutUint64(data, b.seq.Add(1)^uint64(time.Now().UnixNano()))
	copy(data[8:], msg)
	return b.publish(b.names.consensus, data)
}

// publishTxs sends raw tx envelopes as one batch: RLP list of byte strings.
func (b *byz) publishTxs(raws [][]byte) error {
	data, err := rlp.EncodeToBytes(raws)
	if err != nil {
		return err
	}
	return b.publish(b.names.tx, data)
}

// publishBlock announces a block.
func (b *byz) publishBlock(blk *types.Block) error {
	data, err := blk.Encode()
	if err != nil {
		return err
	}
	return b.publish(b.names.blockAnno, data)
}

func (b *byz) collect(topic string, sub *pubsub.Subscription) {
	for {
		m, err := sub.Next(b.ctx)
		if err != nil {
			return
		}
		b.mu.Lock()
		b.received[topic] = append(b.received[topic], m.Data)
		b.mu.Unlock()
	}
}

// seen returns the payloads received on topic so far (observe only).
func (b *byz) seen(topic string) [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.received[topic]...)
}

// openSync opens a sync stream to honest node i.
func (b *byz) openSync(i int) (network.Stream, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return b.h.NewStream(ctx, b.nw.nodes[i].n.Host().ID(), b.names.sync)
}

// newKey is a fresh secp256k1 key: an unknown signer or an unfunded sender.
func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		must(err)
	}
	return k
}

// junkSig is 65 random bytes shaped like a signature.
func junkSig() []byte {
	sig := make([]byte, 65)
	_, _ = rand.Read(sig)
	sig[64] &= 1
	return sig
}

// must stops on an error that signing or encoding well-formed values cannot
// return (a failing system random source). The attack helpers that call it
// run on goroutines other than the test's, where t.Fatal is not allowed;
// each test runs in its own child process (inChild), so the panic fails
// that test only.
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("attack: impossible error: %v", err))
	}
}
