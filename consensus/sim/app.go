package sim

import (
	"crypto/ecdsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
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

// buildBlock is the proposer's block: the header derives from the height,
// round, parent and proposer; the body carries the last commit and evidence.
func buildBlock(n *node, req *consensus.ProposalRequest, ev []types.Evidence, invalid bool, salt byte) *types.Block {
	parent := n.headHash()
	h := types.Header{
		ChainID:        chainID,
		Height:         req.Height,
		Time:           req.Height*1000 + uint64(min(req.Round, 999)),
		ParentHash:     parent,
		Proposer:       n.id.addr,
		TxRoot:         types.EmptyRoot,
		ReceiptsRoot:   types.EmptyRoot,
		StateRoot:      types.Keccak256(parent[:], n.id.addr[:], []byte{byte(req.Round), byte(req.Round >> 8), salt}),
		ValidatorsHash: n.sets[req.Height].Hash(),
		LastCommitHash: req.LastCommit.Hash(),
		EvidenceHash:   types.EvidenceHash(ev),
	}
	if invalid {
		h.ReceiptsRoot = invalidMark
	}
	return types.NewBlock(h, nil, req.LastCommit, ev)
}

// validateBlock is what executing a proposal checks in the simulation.
func (w *world) validateBlock(n *node, b *types.Block) error {
	h := b.Height()
	hd := &b.Header
	switch {
	case h != n.next():
		return fmt.Errorf("height %d, node is at %d", h, n.next())
	case hd.ChainID != chainID:
		return errors.New("wrong chain")
	case hd.ParentHash != n.headHash():
		return errors.New("does not extend the head")
	case hd.ReceiptsRoot == invalidMark:
		return errors.New("marked invalid")
	case hd.ValidatorsHash != n.sets[h].Hash():
		return errors.New("wrong validators hash")
	}
	if err := b.CheckBody(); err != nil {
		return err
	}
	if h > 1 {
		prev := n.blocks[h-2]
		if err := consensus.VerifyCommit(w.verifier, n.sets[h-1], h-1, prev.Block.Hash(), b.LastCommit); err != nil {
			return fmt.Errorf("last commit: %w", err)
		}
	}
	for _, ev := range b.Evidence {
		if err := w.checkEvidence(n, ev); err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
	}
	return nil
}

func (w *world) checkEvidence(n *node, ev types.Evidence) error {
	a, b := ev.A, ev.B
	if a.Validator != b.Validator || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type || a.BlockHash == b.BlockHash {
		return errors.New("votes do not conflict")
	}
	if a.Height == 0 || a.Height > n.next() {
		return errors.New("evidence from the future")
	}
	if _, ok := n.sets[a.Height].Index(a.Validator); !ok {
		return errors.New("not a validator at that height")
	}
	if err := w.verifier.VerifyVote(&a); err != nil {
		return err
	}
	return w.verifier.VerifyVote(&b)
}
