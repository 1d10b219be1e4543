package sim

import (
	"errors"
	"slices"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/types"
)

const walPath = "/data/consensus.wal"

var (
	genesisHash = types.Keccak256([]byte("sim genesis"))
	errTorn     = errors.New("sim: power lost during write")
)

// node is one simulated process: the driver loop around an engine, with a
// durable store (blocks and validator sets, kept across crashes) and a WAL on
// a MemFS.
type node struct {
	i         int
	id        identity
	byzantine bool

	eng *consensus.Engine
	fs  *wal.MemFS
	wal *wal.WAL
	up  bool

	restartAt         uint64
	downtime          uint64
	tearNext          bool // crash while writing the next WAL record
	crashAfterPersist bool // crash after the next WAL write, before sending

	// Durable store.
	blocks []*consensus.Decision     // blocks[h-1] decided height h
	sets   []*consensus.ValidatorSet // sets[h] governs height h, for h ≤ next()

	// Volatile.
	pending map[uint64]*consensus.Decision // synced decisions for later heights
	pool    []types.Evidence
	evSeen  map[evKey]bool // pooled or decided
}

// next is the height the node is deciding.
func (n *node) next() uint64 { return uint64(len(n.blocks)) + 1 }

func (n *node) headHash() types.Hash {
	if len(n.blocks) == 0 {
		return genesisHash
	}
	return n.blocks[len(n.blocks)-1].Block.Hash()
}

// restart opens the node's WAL, replays it into a new engine and starts the
// height after the store's head, as a real node does at boot.
func (w *world) restart(n *node) {
	ww, rep, err := wal.Open(n.fs, walPath)
	if err != nil {
		w.fail("wal", "node %d: %v", n.i, err)
		return
	}
	if rep.Warning != nil {
		w.res.TornTails++
	}
	n.wal = ww
	var recs []consensus.Record
	for _, b := range rep.Records {
		r, err := consensus.DecodeRecord(b)
		if err != nil {
			w.fail("wal", "node %d: record: %v", n.i, err)
			return
		}
		recs = append(recs, r)
	}
	eng, err := consensus.New(consensus.Config{ChainID: chainID, Signer: signer{n.id}, Verifier: w.verifier, Timeouts: w.opts.Timeouts})
	if err != nil {
		w.fail("wal", "node %d: %v", n.i, err)
		return
	}
	if err := eng.Restore(recs); err != nil {
		w.fail("wal", "node %d: restore: %v", n.i, err)
		return
	}
	h := n.next()
	var lc *types.Commit
	if h > 1 {
		lc = n.blocks[h-2].Commit
	}
	if err := eng.NewHeight(consensus.HeightParams{Height: h, Validators: n.sets[h], LastCommit: lc, NextValidators: w.spec.vals(h + 1)}); err != nil {
		w.fail("wal", "node %d: %v", n.i, err)
		return
	}
	n.eng, n.up = eng, true
	w.process(n)
}

// crash stops the node. With torn, the bytes of an interrupted write reach
// the disk; otherwise everything not synced is lost.
func (w *world) crash(n *node, torn bool) {
	n.up, n.eng, n.wal = false, nil, nil
	var keep func(string, int) int
	if torn {
		keep = func(_ string, unsynced int) int { return unsynced }
	}
	n.fs.Crash(keep)
	n.pending = map[uint64]*consensus.Decision{}
	n.pool, n.evSeen = nil, map[evKey]bool{}
	for _, d := range n.blocks {
		for _, ev := range d.Block.Evidence {
			n.evSeen[keyOf(ev)] = true
		}
	}
	n.restartAt = w.now + max(n.downtime, 1)
	w.res.Crashes++
}

// process is the driver loop of DESIGN.md §4 for one node: handle Ready in
// the documented order until the engine has nothing more to say.
func (w *world) process(n *node) {
	for n.up && w.err == nil && n.eng.HasReady() {
		rd := n.eng.Ready()

		// 1. Persist own signed messages, fsynced, before anything is sent.
		if len(rd.Persist) > 0 && !n.byzantine && !w.opts.DisableWAL {
			bufs := make([][]byte, len(rd.Persist))
			for i, r := range rd.Persist {
				b, err := r.Encode()
				if err != nil {
					w.fail("wal", "node %d: encode record: %v", n.i, err)
					return
				}
				bufs[i] = b
			}
			if n.tearNext {
				n.tearNext = false
				n.fs.FailWrite = func(_ string, p []byte) (int, error) { return w.rng.IntN(len(p)), errTorn }
				err := n.wal.Append(bufs...)
				n.fs.FailWrite = nil
				if !errors.Is(err, errTorn) {
					w.fail("wal", "node %d: torn append returned %v", n.i, err)
					return
				}
				w.crash(n, true)
				return
			}
			if err := n.wal.Append(bufs...); err != nil {
				w.fail("wal", "node %d: append: %v", n.i, err)
				return
			}
			if n.crashAfterPersist {
				n.crashAfterPersist = false
				w.crash(n, false)
				return
			}
		}

		// 2. Send.
		for _, m := range rd.Broadcast {
			w.broadcast(n, m)
		}

		// 3. Evidence to the pool.
		for _, ev := range rd.Evidence {
			w.checkAccusation(n, ev)
			if k := keyOf(ev); !n.evSeen[k] {
				n.evSeen[k] = true
				n.pool = append(n.pool, ev)
			}
		}

		// 4. Execute proposals.
		for _, b := range rd.ToValidate {
			ok := w.validateBlock(n, b) == nil
			if err := n.eng.Step(consensus.Validated{Height: b.Height(), Hash: b.Hash(), Valid: ok}); err != nil {
				w.fail("rejected", "node %d: Validated: %v", n.i, err)
			}
		}

		// 5. Build a proposal.
		if req := rd.NeedProposal; req != nil && req.Height == n.next() {
			ev := slices.Clone(n.pool[:min(len(n.pool), 4)]) // the pool changes; the block must not
			invalid := n.byzantine && w.rng.IntN(3) == 0
			b := buildBlock(n, req, ev, invalid, 0)
			if err := n.eng.Step(consensus.ProposalBlock{Height: req.Height, Round: req.Round, Block: b}); err != nil {
				w.fail("rejected", "node %d: ProposalBlock: %v", n.i, err)
			}
		}

		// 6. Apply and store a decided block, then start the next height.
		if d := rd.Commit; d != nil {
			w.commit(n, d)
		}
		n.eng.Advance(rd)
	}
}

func (w *world) commit(n *node, d *consensus.Decision) {
	h := d.Block.Height()
	hash := d.Block.Hash()
	if h != n.next() {
		w.fail("commit", "node %d decided height %d while at %d", n.i, h, n.next())
		return
	}
	if prev, ok := w.decided[h]; ok && prev != hash {
		w.fail("safety", "node %d decided %s at height %d (round %d); another node decided %s", n.i, hash, h, d.Commit.Round, prev)
		return
	} else if !ok {
		w.decided[h] = hash
	}
	if err := consensus.VerifyCommit(w.verifier, n.sets[h], h, hash, d.Commit); err != nil {
		w.fail("commit", "node %d decided height %d with a bad commit: %v", n.i, h, err)
		return
	}
	if err := w.validateBlock(n, d.Block); err != nil {
		w.fail("commit", "node %d decided an invalid block at height %d: %v", n.i, h, err)
		return
	}
	for _, ev := range d.Block.Evidence {
		w.checkAccusation(n, ev)
		k := keyOf(ev)
		if !w.evidenced[k] {
			w.evidenced[k] = true
			w.res.Evidence++
		}
		n.evSeen[k] = true
	}
	n.pool = slices.DeleteFunc(n.pool, func(ev types.Evidence) bool { return w.evidencedIn(d.Block, ev) })

	next, err := n.sets[h].Next(w.spec.vals(h + 1))
	if err != nil {
		w.fail("commit", "node %d: next validator set: %v", n.i, err)
		return
	}
	n.blocks = append(n.blocks, d)
	n.sets = append(n.sets, next)
	w.res.Decisions++
	w.res.MaxRound = max(w.res.MaxRound, d.Commit.Round)
	w.res.Trace = types.Keccak256(w.res.Trace[:], []byte{byte(n.i)}, u64(w.now), u64(h), hash[:])

	// The block is durable: the WAL's records below the next height are
	// no longer needed.
	if h%16 == 0 && n.wal != nil && !w.opts.DisableWAL && !n.byzantine {
		err := n.wal.Compact(func(b []byte) bool {
			r, err := consensus.DecodeRecord(b)
			return err != nil || r.Height() > h
		})
		if err != nil {
			w.fail("wal", "node %d: compact: %v", n.i, err)
			return
		}
	}
	if err := n.eng.NewHeight(consensus.HeightParams{Height: h + 1, Validators: next, LastCommit: d.Commit, NextValidators: w.spec.vals(h + 2)}); err != nil {
		w.fail("commit", "node %d: %v", n.i, err)
		return
	}
	if pd := n.pending[h+1]; pd != nil {
		delete(n.pending, h+1)
		if err := n.eng.Step(*pd); err != nil {
			w.fail("rejected", "node %d rejected a synced decision for %d: %v", n.i, h+1, err)
		}
	}
	for k := range n.pending {
		if k <= h+1 {
			delete(n.pending, k) // order-independent
		}
	}
}

func (w *world) evidencedIn(b *types.Block, ev types.Evidence) bool {
	for _, x := range b.Evidence {
		if keyOf(x) == keyOf(ev) {
			return true
		}
	}
	return false
}

func (w *world) checkAccusation(n *node, ev types.Evidence) {
	for _, m := range w.nodes {
		if m.id.addr == ev.A.Validator && !m.byzantine {
			w.fail("evidence", "node %d accuses honest node %d of double signing at height %d round %d", n.i, m.i, ev.A.Height, ev.A.Round)
		}
	}
}

func u64(x uint64) []byte {
	return []byte{byte(x >> 56), byte(x >> 48), byte(x >> 40), byte(x >> 32), byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}
}

// broadcast sends m to every other node. Honest nodes' messages are checked
// for double signing; byzantine nodes show half of the peers a conflicting
// message.
func (w *world) broadcast(n *node, m consensus.Message) {
	if !n.byzantine {
		w.checkSigned(n, m)
		b := w.encode(m)
		for _, p := range w.nodes {
			if p != n {
				w.send(n.i, p.i, event{msg: b})
			}
		}
		return
	}
	orig, alt := w.encode(m), w.encode(w.equivocate(n, m))
	for _, p := range w.nodes {
		if p == n {
			continue
		}
		b := orig
		if w.rng.IntN(2) == 0 {
			b = alt
		}
		w.send(n.i, p.i, event{msg: b})
	}
}

func (w *world) encode(m consensus.Message) []byte {
	b, err := m.Encode()
	if err != nil {
		w.fail("rejected", "encode: %v", err)
	}
	return b
}

func (w *world) checkSigned(n *node, m consensus.Message) {
	var (
		k    signedKey
		hash types.Hash
	)
	if p := m.Proposal; p != nil {
		k, hash = signedKey{p.Proposer, p.Height, p.Round, 0}, p.BlockHash
	} else {
		v := m.Vote
		k, hash = signedKey{v.Validator, v.Height, v.Round, v.Type}, v.BlockHash
	}
	if prev, ok := w.signed[k]; ok && prev != hash {
		step := "proposal"
		if k.typ != 0 {
			step = k.typ.String()
		}
		w.fail("double-sign", "honest node %d signed two %ss at height %d round %d: %s and %s", n.i, step, k.height, k.round, prev, hash)
		return
	}
	w.signed[k] = hash
}

// equivocate makes a byzantine node's conflicting twin of m.
func (w *world) equivocate(n *node, m consensus.Message) consensus.Message {
	s := signer{n.id}
	if m.Vote != nil {
		v := *m.Vote
		if v.BlockHash == (types.Hash{}) || w.rng.IntN(2) == 0 {
			v.BlockHash = types.Keccak256(u64(w.rng.Uint64()))
		} else {
			v.BlockHash = types.Hash{}
		}
		_ = s.SignVote(&v)
		return consensus.Message{Vote: &v}
	}
	p := *m.Proposal
	req := &consensus.ProposalRequest{Height: p.Height, Round: p.Round, LastCommit: m.Block.LastCommit}
	alt := buildBlock(n, req, m.Block.Evidence, w.rng.IntN(2) == 0, 1+byte(w.rng.IntN(200)))
	p.BlockHash, p.POLRound = alt.Hash(), consensus.NoRound
	_ = s.SignProposal(&p)
	return consensus.Message{Proposal: &p, Block: alt}
}
