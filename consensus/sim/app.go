package sim

import (
	"crypto/ecdsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/node/driver"
	"github.com/taonet/taod/types"
)

const chainID = 0x51

// invalidMark in a header's receipts root marks a block every honest
// validator rejects: byzantine proposers make such blocks.
var invalidMark = types.Keccak256([]byte("sim: invalid block"))

// identity is a node's consensus key: a real secp256k1 key, or, for speed, a
// secret that MACs what it signs (a keyed hash only the simulator can check;
// nodes never forge each other's signatures, so a MAC is enough to exercise
// the protocol).
type identity struct {
	addr   types.Address
	key    *ecdsa.PrivateKey // real crypto
	secret [32]byte          // MAC
}

func newIdentity(seed uint64, i int, real bool) identity {
	d := crypto.Keccak256([]byte(fmt.Sprintf("sim node %d", i)))
	id := identity{}
	if real {
		k, err := crypto.ToECDSA(d)
		if err != nil {
			panic(err) // a keccak digest is a valid scalar with overwhelming probability
		}
		id.key, id.addr = k, crypto.PubkeyToAddress(k.PublicKey)
		return id
	}
	copy(id.secret[:], crypto.Keccak256(d, []byte("secret")))
	copy(id.addr[:], d[12:])
	return id
}

func (id identity) mac(h types.Hash) []byte { return crypto.Keccak256(id.secret[:], h[:]) }

// signer implements consensus.Signer for an identity.
type signer struct{ id identity }

func (s signer) Address() types.Address { return s.id.addr }

func (s signer) SignVote(v *types.Vote) error {
	if s.id.key != nil {
		return v.Sign(chainID, s.id.key)
	}
	v.Validator, v.Signature = s.id.addr, s.id.mac(v.SignHash(chainID))
	return nil
}

func (s signer) SignProposal(p *consensus.Proposal) error {
	if s.id.key != nil {
		return p.Sign(chainID, s.id.key)
	}
	p.Proposer, p.Signature = s.id.addr, s.id.mac(p.SignHash(chainID))
	return nil
}

// verifier implements consensus.Verifier for the simulation's identities.
type verifier struct {
	real bool
	ids  map[types.Address]identity // lookups only
}

var errBadMAC = errors.New("sim: bad signature")

func (v verifier) check(addr types.Address, h types.Hash, sig []byte) error {
	id, ok := v.ids[addr]
	if !ok || subtle.ConstantTimeCompare(id.mac(h), sig) != 1 {
		return errBadMAC
	}
	return nil
}

func (v verifier) VerifyVote(vote *types.Vote) error {
	if v.real {
		return consensus.SigVerifier{ChainID: chainID}.VerifyVote(vote)
	}
	return v.check(vote.Validator, vote.SignHash(chainID), vote.Signature)
}

func (v verifier) VerifyProposal(p *consensus.Proposal) error {
	if v.real {
		return consensus.SigVerifier{ChainID: chainID}.VerifyProposal(p)
	}
	return v.check(p.Proposer, p.SignHash(chainID), p.Signature)
}

// chainSpec is the simulated chain's validator schedule: what the state
// machine would decide. The set changes every epoch heights when enabled;
// byzantine validators always hold less than 1/3 of the power.
type chainSpec struct {
	seed      uint64
	ids       []identity
	byzantine []bool
	epoch     uint64 // 0: the set never changes
	scale     uint64 // power unit: 1, or 10^9 to exercise large powers
	cache     map[uint64][]types.Validator
	sets      map[uint64]*consensus.ValidatorSet // by epoch, for hashes and commit checks
}

// set is vals(h) as a consensus set (its priorities unused).
func (c *chainSpec) set(h uint64) (*consensus.ValidatorSet, error) {
	k := uint64(0)
	if c.epoch > 0 {
		k = (h - 1) / c.epoch
	}
	if s, ok := c.sets[k]; ok {
		return s, nil
	}
	s, err := consensus.NewValidatorSet(c.vals(h))
	if err != nil {
		return nil, err
	}
	c.sets[k] = s
	return s, nil
}

func (c *chainSpec) vals(h uint64) []types.Validator {
	k := uint64(0)
	if c.epoch > 0 {
		k = (h - 1) / c.epoch
	}
	if v, ok := c.cache[k]; ok {
		return v
	}
	r := rand.New(rand.NewPCG(c.seed, 0xe90c+k))
	n := len(c.ids)
	member := make([]bool, n)
	honest := 0
	for i := range n {
		member[i] = k == 0 || r.IntN(4) != 0
		if member[i] && !c.byzantine[i] {
			honest++
		}
	}
	for i := 0; i < n && honest < 3; i++ {
		if !member[i] && !c.byzantine[i] {
			member[i] = true
			honest++
		}
	}
	power := make([]uint64, n)
	var honestPower, byzPower uint64
	for i := range n {
		if member[i] {
			power[i] = uint64(1+r.IntN(10)) * c.scale
			if c.byzantine[i] {
				byzPower += power[i]
			} else {
				honestPower += power[i]
			}
		}
	}
	// Byzantine power b must satisfy 3b < b + h, i.e. 2b < h.
	for i := range n {
		if member[i] && c.byzantine[i] && 2*byzPower >= honestPower {
			cut := min(power[i], (2*byzPower-honestPower)/2+1)
			power[i] -= cut
			byzPower -= cut
			if power[i] == 0 {
				member[i] = false
			}
		}
	}
	var vals []types.Validator
	for i := range n {
		if member[i] {
			vals = append(vals, types.Validator{Address: c.ids[i].addr, Power: power[i]})
		}
	}
	c.cache[k] = vals
	return vals
}

// App is a simulated node's application: what the driver runs consensus
// for, and what a byzantine node needs to equivocate.
type App interface {
	driver.App
	// Twin is another block for b's height and round (invalid on request):
	// what a byzantine proposer shows half of its peers.
	Twin(b *types.Block, invalid bool, salt byte) *types.Block
	// Decided is block h with its commit, for block sync.
	Decided(h uint64) (*consensus.Decision, error)
}

// macApp models the chain: a block's header derives from its height, round,
// parent and proposer, its body carries the last commit and evidence, and
// "executing" it checks what a real chain checks of consensus data (parent,
// validators hash, last commit, evidence). Its blocks and metadata survive
// crashes.
type macApp struct {
	w         *world
	n         *node
	byzantine bool
	blocks    []*consensus.Decision // blocks[h-1] decided height h
	metaStore
}

func (a *macApp) Decided(h uint64) (*consensus.Decision, error) {
	if h == 0 || h > a.Head() {
		return nil, fmt.Errorf("sim: no block %d", h)
	}
	return a.blocks[h-1], nil
}

func (a *macApp) Head() uint64 { return uint64(len(a.blocks)) }

func (a *macApp) headHash() types.Hash {
	if len(a.blocks) == 0 {
		return genesisHash
	}
	return a.blocks[len(a.blocks)-1].Block.Hash()
}

func (a *macApp) SeenCommit(h uint64) (*types.Commit, error) {
	if h == 0 || h > a.Head() {
		return nil, fmt.Errorf("sim: no block %d", h)
	}
	return a.blocks[h-1].Commit, nil
}

// Validators knows the sets up to the height after next, as a chain does
// once its head is applied.
func (a *macApp) Validators(h uint64) ([]types.Validator, error) {
	if h == 0 || h > a.Head()+2 {
		return nil, fmt.Errorf("sim: set of height %d not decided yet", h)
	}
	return a.w.spec.vals(h), nil
}

func (a *macApp) EvidenceMaxAge() uint64 { return 1 << 32 }

func (a *macApp) Propose(req *consensus.ProposalRequest, proposer types.Address, _ uint64, ev []types.Evidence) (*types.Block, error) {
	ev = ev[:min(len(ev), 4)]
	invalid := a.byzantine && a.w.rng.IntN(3) == 0
	return a.build(req.Height, req.Round, req.LastCommit, ev, invalid, 0)
}

func (a *macApp) Twin(b *types.Block, invalid bool, salt byte) *types.Block {
	alt, err := a.build(b.Height(), uint32(b.Header.Time%1000), b.LastCommit, b.Evidence, invalid, salt)
	if err != nil {
		a.w.fail("rejected", "node %d: twin: %v", a.n.i, err)
		return b
	}
	return alt
}

// build is the proposer's block.
func (a *macApp) build(height uint64, round uint32, lc *types.Commit, ev []types.Evidence, invalid bool, salt byte) (*types.Block, error) {
	set, err := a.w.spec.set(height)
	if err != nil {
		return nil, err
	}
	parent := a.headHash()
	id := a.n.id.addr
	h := types.Header{
		ChainID:        chainID,
		Height:         height,
		Time:           height*1000 + uint64(min(round, 999)),
		ParentHash:     parent,
		Proposer:       id,
		TxRoot:         types.EmptyRoot,
		ReceiptsRoot:   types.EmptyRoot,
		StateRoot:      types.Keccak256(parent[:], id[:], []byte{byte(round), byte(round >> 8), salt}),
		ValidatorsHash: set.Hash(),
		LastCommitHash: lc.Hash(),
		EvidenceHash:   types.EvidenceHash(ev),
	}
	if invalid {
		h.ReceiptsRoot = invalidMark
	}
	return types.NewBlock(h, nil, lc, ev), nil
}

func (a *macApp) Validate(b *types.Block, _ uint64) error { return a.validate(b) }

// Commit stores a decided block; it must be valid for this node.
func (a *macApp) Commit(d *consensus.Decision, _ bool) error {
	if err := a.validate(d.Block); err != nil {
		a.w.fail("commit", "node %d decided an invalid block at height %d: %v", a.n.i, d.Block.Height(), err)
		return err
	}
	a.blocks = append(a.blocks, d)
	return nil
}

// validate is what executing a block checks in the simulation.
func (a *macApp) validate(b *types.Block) error {
	w := a.w
	h := b.Height()
	hd := &b.Header
	set, err := w.spec.set(h)
	if err != nil {
		return err
	}
	switch {
	case h != a.Head()+1:
		return fmt.Errorf("height %d, node is at %d", h, a.Head()+1)
	case hd.ChainID != chainID:
		return errors.New("wrong chain")
	case hd.ParentHash != a.headHash():
		return errors.New("does not extend the head")
	case hd.ReceiptsRoot == invalidMark:
		return errors.New("marked invalid")
	case hd.ValidatorsHash != set.Hash():
		return errors.New("wrong validators hash")
	}
	if err := b.CheckBody(); err != nil {
		return err
	}
	if h > 1 {
		prev := a.blocks[h-2]
		last, err := w.spec.set(h - 1)
		if err != nil {
			return err
		}
		if err := consensus.VerifyCommit(w.verifier, last, h-1, prev.Block.Hash(), b.LastCommit); err != nil {
			return fmt.Errorf("last commit: %w", err)
		}
	}
	for _, ev := range b.Evidence {
		if err := w.checkEvidence(h, ev); err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
	}
	return nil
}

// checkEvidence checks evidence carried by a block of height h.
func (w *world) checkEvidence(h uint64, ev types.Evidence) error {
	a, b := ev.A, ev.B
	if a.Validator != b.Validator || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type || a.BlockHash == b.BlockHash {
		return errors.New("votes do not conflict")
	}
	if a.Height == 0 || a.Height > h {
		return errors.New("evidence from the future")
	}
	set, err := w.spec.set(a.Height)
	if err != nil {
		return err
	}
	if _, ok := set.Index(a.Validator); !ok {
		return errors.New("not a validator at that height")
	}
	if err := w.verifier.VerifyVote(&a); err != nil {
		return err
	}
	return w.verifier.VerifyVote(&b)
}

// checkedApp is a node's App with the world's checks on every decision:
// safety (one block per height across nodes), a valid commit of the
// height's set, and the evidence decided.
type checkedApp struct {
	App
	w *world
	n *node
}

func (c checkedApp) Commit(d *consensus.Decision, catchingUp bool) error {
	w, n := c.w, c.n
	h := d.Block.Height()
	hash := d.Block.Hash()
	if h != n.next() {
		w.fail("commit", "node %d decided height %d while at %d", n.i, h, n.next())
		return w.err
	}
	if prev, ok := w.decided[h]; ok && prev != hash {
		w.fail("safety", "node %d decided %s at height %d (round %d); another node decided %s", n.i, hash, h, d.Commit.Round, prev)
		return w.err
	} else if !ok {
		w.decided[h] = hash
	}
	vals, err := c.App.Validators(h)
	if err != nil {
		w.fail("commit", "node %d: set of %d: %v", n.i, h, err)
		return w.err
	}
	set, err := consensus.NewValidatorSet(vals)
	if err != nil {
		w.fail("commit", "node %d: set of %d: %v", n.i, h, err)
		return w.err
	}
	if err := consensus.VerifyCommit(w.verifier, set, h, hash, d.Commit); err != nil {
		w.fail("commit", "node %d decided height %d with a bad commit: %v", n.i, h, err)
		return w.err
	}
	if err := c.App.Commit(d, catchingUp); err != nil {
		w.fail("commit", "node %d: commit %d: %v", n.i, h, err)
		return w.err
	}
	for _, ev := range d.Block.Evidence {
		w.checkAccusation(n, ev)
		if k := keyOf(ev); !w.evidenced[k] {
			w.evidenced[k] = true
			w.res.Evidence++
		}
	}
	w.res.Decisions++
	w.res.MaxRound = max(w.res.MaxRound, d.Commit.Round)
	w.res.Trace = types.Keccak256(w.res.Trace[:], []byte{byte(n.i)}, u64(w.now), u64(h), hash[:])
	return nil
}
