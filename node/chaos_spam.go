//go:build chaos

package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/p2p"
	"github.com/taonet/taod/types"
)

// The spammer fault ([chaos] spam): while on, the node floods its peers,
// through its own p2p host, with what an honest node never sends. Each kind
// aims at one defence of issue 11; the chaos suite's scenario 9 checks that
// the peers refuse it, ban the spammer and go on committing.
const (
	// spamOversizeEvery: one message in this many is oversized (hundreds
	// of KiB each; more would measure loopback bandwidth, not defences).
	spamOversizeEvery = 50
	// spamBatchTxs is the txs per spam tx batch (each costs a receiver a
	// signature recovery before its stateful check refuses it).
	spamBatchTxs = 8
	// spamGapMin is how far ahead of the account's nonce a gapped tx is at
	// least; spamGapSpread spreads them over queued slots (up to +64) and
	// beyond the pool's nonce window.
	spamGapMin    = 16
	spamGapSpread = 480
	// spamFundedKeys: dev keys 0..3 are funded in every testnet genesis and
	// unused by the chaos load (its senders are 4…), so their gapped txs
	// are held or refused by the pools, never executed.
	spamFundedKeys = 4
	// spamLieAhead is how far above our head a lying announcement claims.
	spamLieAhead = 3
	// spamReportEvery is how often the running counts are logged.
	spamReportEvery = 2 * time.Second
)

// spamKind is one kind of spam message.
type spamKind int

const (
	spamBadSignature  spamKind = iota // a vote in a real validator's name, random signature
	spamUnknownSigner                 // a well-signed vote by a key outside the set
	spamZeroBalance                   // txs from fresh keys with no balance
	spamGappedNonce                   // txs of funded accounts with nonces far ahead
	spamForgedBlock                   // a block at our head's height that is not the one committed
	spamLyingBlock                    // a block announced a few heights above our head
	spamOversized                     // just over a topic's limit, rotating over the topics
	spamKinds
)

// spamOpening is what the spammer sends first, once it has peers: every
// kind, the three oversized ones included, before the peers' scores reach
// the ban (about six rejected messages), so that each kind meets the peers'
// checks at least once.
var spamOpening = []spamKind{spamOversized, spamBadSignature, spamZeroBalance, spamOversized, spamUnknownSigner,
	spamGappedNonce, spamOversized, spamForgedBlock, spamLyingBlock}

// spamPeersSettle: the spammer starts once its count of consensus topic
// peers has not changed for this long (or spamPeersWait has passed), so its
// opening reaches every peer it will get.
const (
	spamPeersSettle = time.Second
	spamPeersWait   = 10 * time.Second
)

// spamKindNames label the counts in the log (the chaos suite reads them).
var spamKindNames = [spamKinds]string{"bad_signature", "unknown_signer", "zero_balance", "gapped_nonce", "forged_block", "lying_block", "oversized"}

// spammer builds and publishes the spam of one node.
type spammer struct {
	n         *Node
	chainID   uint64
	strangers []*ecdsa.PrivateKey // outside every validator set; no balance
	funded    []*ecdsa.PrivateKey
	seq       uint64 // makes every message distinct
	over      uint64 // oversized messages built: rotates their topic
}

// chaosFaults starts the faults that run beside the node: the spammer.
func (n *Node) chaosFaults(ctx context.Context, g *errgroup.Group) error {
	if !n.cfg.Chaos.Spam || n.host == nil {
		return nil
	}
	s := &spammer{n: n, chainID: n.chain.ChainID()}
	for range 8 {
		k, err := crypto.GenerateKey()
		if err != nil {
			return fmt.Errorf("node: chaos spam key: %w", err)
		}
		s.strangers = append(s.strangers, k)
	}
	for i := range spamFundedKeys {
		s.funded = append(s.funded, devkeys.Key(i))
	}
	rate := n.cfg.Chaos.SpamRate
	if rate == 0 {
		rate = spamDefaultRate
	}
	n.log.Warn("chaos: spammer on", zap.Int("msgs_per_s", rate))
	g.Go(func() error { s.run(ctx, rate); return nil })
	return nil
}

// run publishes rate messages per second until ctx ends, cycling over the
// kinds, one in spamOversizeEvery oversized.
func (s *spammer) run(ctx context.Context, rate int) {
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	report := time.NewTicker(spamReportEvery)
	defer report.Stop()
	var sent, failed [spamKinds]uint64
	peers := s.waitPeers(ctx)
	s.n.log.Warn("chaos: spam starts", zap.Int("consensus_peers", peers))
	logCounts := func(msg string) {
		fields := []zap.Field{zap.Uint64("failed", sum(failed[:]))}
		for k := range spamKinds {
			fields = append(fields, zap.Uint64(spamKindNames[k], sent[k]))
		}
		s.n.log.Warn(msg, fields...)
	}
	defer logCounts("chaos: spam stopped")
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-report.C:
			logCounts("chaos: spam")
			continue
		case <-tick.C:
		}
		k := spamKind(i % int(spamOversized))
		switch {
		case i < len(spamOpening):
			k = spamOpening[i]
		case i%spamOversizeEvery == spamOversizeEvery-1:
			k = spamOversized
		}
		topic, data, err := s.build(k)
		if err == nil {
			err = s.n.host.ChaosPublish(ctx, topic, data)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if failed[k] == 0 {
				s.n.log.Warn("chaos: spam message not sent", zap.String("kind", spamKindNames[k]), zap.Error(err))
			}
			failed[k]++
			continue
		}
		sent[k]++
	}
}

// waitPeers waits until the host's consensus topic peers stop changing and
// returns their count.
func (s *spammer) waitPeers(ctx context.Context) int {
	start := time.Now()
	last, since := -1, time.Now()
	for {
		_, n, _ := s.n.host.TopicPeers()
		if n != last {
			last, since = n, time.Now()
		}
		if n > 0 && time.Since(since) >= spamPeersSettle || time.Since(start) >= spamPeersWait {
			return n
		}
		select {
		case <-ctx.Done():
			return n
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func sum(xs []uint64) uint64 {
	var t uint64
	for _, x := range xs {
		t += x
	}
	return t
}

// build returns the topic and bytes of one message of kind k.
func (s *spammer) build(k spamKind) (string, []byte, error) {
	s.seq++
	head, _ := s.n.chain.Head()
	h := head.Height + 1 // the height under way: inside every peer's window
	switch k {
	case spamBadSignature, spamUnknownSigner:
		v := &types.Vote{Type: types.Prevote, Height: h, BlockHash: s.junkHash()}
		if k == spamUnknownSigner {
			if err := v.Sign(s.chainID, s.strangers[s.seq%uint64(len(s.strangers))]); err != nil {
				return "", nil, err
			}
		} else {
			set, err := s.n.chain.ValidatorSet(h)
			if err != nil || len(set.Validators) == 0 {
				return "", nil, fmt.Errorf("node: chaos spam: validator set of height %d: %v", h, err)
			}
			v.Validator = set.Validators[s.seq%uint64(len(set.Validators))].Address
			v.Signature = make([]byte, 65)
			_, _ = rand.Read(v.Signature)
		}
		b, err := consensus.Message{Vote: v}.Encode()
		if err != nil {
			return "", nil, err
		}
		return p2p.ChaosTopicConsensus, s.n.host.ChaosConsensusFrame(b), nil
	case spamZeroBalance, spamGappedNonce:
		raws := make([][]byte, 0, spamBatchTxs)
		for j := range spamBatchTxs {
			var to types.Address
			junk := s.junkHash()
			copy(to[:], junk[:])
			d := types.TxData{ChainID: s.chainID, Call: &types.Transfer{To: to, Amount: 1}}
			var key *ecdsa.PrivateKey
			if k == spamZeroBalance {
				key = s.strangers[(s.seq+uint64(j))%uint64(len(s.strangers))]
				d.Nonce = s.seq
			} else {
				key = s.funded[(s.seq+uint64(j))%uint64(len(s.funded))]
				acc := s.n.chain.State().Account(crypto.PubkeyToAddress(key.PublicKey))
				d.Nonce = acc.Nonce + spamGapMin + (s.seq*spamBatchTxs+uint64(j))%spamGapSpread
			}
			tx, err := chain.SignPayingMinFee(s.n.chain.Params(), d, key)
			if err != nil {
				return "", nil, err
			}
			raws = append(raws, tx.Bytes())
		}
		b, err := p2p.ChaosTxBatch(raws)
		return p2p.ChaosTopicTx, b, err
	case spamForgedBlock, spamLyingBlock:
		hdr := types.Header{ChainID: s.chainID, Height: max(head.Height, 1), Time: head.Time, ParentHash: s.junkHash(),
			TxRoot: types.TxRoot(nil), EvidenceHash: types.EvidenceHash(nil)}
		if k == spamLyingBlock {
			hdr.Height = head.Height + spamLieAhead
		}
		commit := &types.Commit{Height: hdr.Height - 1, BlockHash: hdr.ParentHash}
		hdr.LastCommitHash = commit.Hash()
		b, err := types.NewBlock(hdr, nil, commit, nil).Encode()
		return p2p.ChaosTopicBlock, b, err
	case spamOversized:
		txLimit, consLimit, blockLimit := s.n.host.ChaosLimits()
		s.over++
		switch s.over % 3 {
		case 0:
			return p2p.ChaosTopicTx, s.junk(txLimit + 1), nil
		case 1:
			return p2p.ChaosTopicConsensus, s.n.host.ChaosConsensusFrame(s.junk(consLimit + 1)), nil
		default:
			return p2p.ChaosTopicBlock, s.junk(blockLimit + 1), nil
		}
	}
	return "", nil, fmt.Errorf("node: chaos spam: kind %d", k)
}

// junkHash is a hash no one committed.
func (s *spammer) junkHash() types.Hash {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], s.seq)
	return types.Keccak256([]byte("chaos spam"), b[:])
}

// junk is n bytes, distinct per message (gossip dedups by content).
func (s *spammer) junk(n int) []byte {
	b := make([]byte, n)
	binary.BigEndian.PutUint64(b, s.seq)
	return b
}
