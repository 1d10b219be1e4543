package attack

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/types"
)

// The no-attack baseline: the harness itself (a Byzantine peer connected
// and silent) leaves the network healthy, so every failure of an attack
// test is the attack's doing.
func TestAttackNone(t *testing.T) {
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	nw.underAttack(func(*runner) {})
	if nw.bannedBy(0, atk.ID()) {
		t.Error("a silent peer was banned")
	}
}

// forgedVote is a vote for height h: by an unknown signer (a fresh key), or
// naming a real validator with a junk signature.
func forgedVote(t *testing.T, chainID, h uint64, round uint32, real *types.Address) []byte {
	v := types.Vote{Type: types.Prevote, Height: h, Round: round}
	_, _ = rand.Read(v.BlockHash[:])
	if real != nil {
		v.Validator, v.Signature = *real, junkSig()
	} else if err := v.Sign(chainID, newKey(t)); err != nil {
		t.Fatal(err)
	}
	b, err := consensus.Message{Vote: &v}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Forged consensus messages (junk signatures naming real validators, valid
// signatures by unknown signers) published by a peer connected to one
// validator. They must not be relayed, and the honest validators that would
// have relayed them must not be banned by the others (today CheckConsensus
// accepts after decoding, every node relays, and each engine's
// ErrBadSignature bans m.ReceivedFrom: an honest neighbour).
func TestAttackForgedConsensus(t *testing.T) {
	nw := newNetwork(t, netOpts{})
	atk := newByz(t, nw, byzOpts{})
	atk.mustConnect(0)
	obs := newByz(t, nw, byzOpts{observe: true})
	obs.mustConnect(3)
	vals := nw.validatorAddrs()
	var sent int
	nw.underAttack(func(r *runner) {
		r.every(20*time.Millisecond, func() {
			h := nw.height(0)
			for i, v := range vals {
				atk.publishConsensus(forgedVote(t, nw.chainID(), h+1, 0, &v))
				atk.publishConsensus(forgedVote(t, nw.chainID(), h+uint64(i%2), 0, nil))
				sent += 2
			}
		})
	})
	// What node3 relayed to the observer: honest votes only.
	relayed := 0
	for _, data := range obs.seen(obs.names.consensus) {
		m, err := consensus.DecodeMessage(data[8:])
		if err != nil || m.Vote == nil {
			continue
		}
		if !isValidator(vals, m.Vote.Validator) || m.Vote.Verify(nw.chainID()) != nil {
			relayed++
		}
	}
	t.Logf("forged messages sent: %d, relayed to a node two hops away: %d", sent, relayed)
	if relayed > 0 {
		t.Errorf("%d forged consensus messages were relayed by honest nodes", relayed)
	}
}

func isValidator(vals []types.Address, a types.Address) bool {
	for _, v := range vals {
		if v == a {
			return true
		}
	}
	return false
}
