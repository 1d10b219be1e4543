package weights

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// The chain's own rules accept every vector FromScores returns, over random
// subnets, hyperparameters and scores; refusals happen only where no vector
// could pass.
func TestFromScoresAlwaysAccepted(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for it := range 5000 {
		n := 1 + r.IntN(300)
		if it%10 == 0 {
			n = 1 + r.IntN(4096)
		}
		h := subnet.Default()
		h.MinAllowedWeights = uint64(r.IntN(n + 5))
		switch r.IntN(4) {
		case 0:
			h.MaxWeightLimit = 65535
		case 1:
			h.MaxWeightLimit = uint64(1 + r.IntN(65535))
		case 2:
			h.MaxWeightLimit = uint64(1 + r.IntN(2000))
		default:
			h.MaxWeightLimit = uint64(65535/(1+r.IntN(n)) + r.IntN(3))
		}
		h.MaxWeightLimit = min(max(h.MaxWeightLimit, 1), 65535)
		scores := make([]uint64, n)
		density := r.IntN(4)
		for i := range scores {
			switch {
			case density == 0:
			case r.IntN(density+1) == 0:
			case r.IntN(5) == 0:
				scores[i] = r.Uint64() // huge
			default:
				scores[i] = uint64(r.IntN(1000))
			}
		}
		self := uint16(r.IntN(n))
		uids, w, err := FromScores(h, self, scores)
		if err != nil {
			need := min(h.MinAllowedWeights, uint64(n))
			if !errors.Is(err, ErrInfeasible) || !(n > 1 && uint64(n)*h.MaxWeightLimit < 65535 && need > 1) {
				t.Fatalf("case %d: n=%d h=%+v: refused a feasible case: %v", it, n, h, err)
			}
			continue
		}
		if err := (&types.SetWeights{Netuid: 1, UIDs: uids, Weights: w}).Validate(); err != nil {
			t.Fatalf("case %d: stateless check: %v", it, err)
		}
		if err := subnet.CheckWeights(h, n, self, uids, w); err != nil {
			t.Fatalf("case %d: n=%d self=%d limit=%d min=%d: chain refuses %v %v: %v", it, n, self, h.MaxWeightLimit, h.MinAllowedWeights, uids, w, err)
		}
		// Order is kept: a higher score never gets a lower weight, and every
		// UID left out scored no more than every UID kept.
		in := make(map[uint16]uint16, len(uids))
		minIn := ^uint64(0)
		for k, u := range uids {
			in[u] = w[k]
			minIn = min(minIn, scores[u])
		}
		byScore := slices.Clone(uids)
		slices.SortFunc(byScore, func(a, b uint16) int { return cmp.Compare(scores[a], scores[b]) })
		for k := 1; k < len(byScore); k++ {
			a, b := byScore[k], byScore[k-1]
			if scores[a] > scores[b] && in[a] < in[b] {
				t.Fatalf("case %d: uid %d scored more than %d but weighs less (%d < %d)", it, a, b, in[a], in[b])
			}
		}
		for u := range n {
			lone := len(uids) == 1 && u == int(self) // a lone weight may not be on oneself
			if _, ok := in[uint16(u)]; !ok && !lone && scores[u] > minIn {
				t.Fatalf("case %d: uid %d (score %d) left out while a lower score was kept", it, u, scores[u])
			}
		}
	}
}

func TestFromScoresExamples(t *testing.T) {
	h := subnet.Default()
	h.MinAllowedWeights = 1
	h.MaxWeightLimit = 65535
	uids, w, err := FromScores(h, 0, []uint64{0, 10, 30, 0})
	if err != nil || len(uids) != 2 || uids[0] != 1 || uids[1] != 2 || w[1] != 65535 || w[0] != 21845 {
		t.Fatalf("proportional: %v %v %v", uids, w, err)
	}
	// A 50% cap with one strong miner: the top is clipped to the sum of the rest.
	h.MaxWeightLimit = 32768
	uids, w, err = FromScores(h, 0, []uint64{0, 1, 1, 100})
	if err != nil || len(uids) != 3 || w[2] > w[0]+w[1]+1 || subnet.CheckWeights(h, 4, 0, uids, w) != nil {
		t.Fatalf("capped: %v %v %v", uids, w, err)
	}
	// min_allowed_weights pads with zero weights on the next-best UIDs.
	h.MaxWeightLimit, h.MinAllowedWeights = 65535, 3
	uids, w, err = FromScores(h, 0, []uint64{0, 0, 5, 0})
	if err != nil || len(uids) != 3 || w[2] != 65535 || w[0] != 0 || w[1] != 0 {
		t.Fatalf("padded: %v %v %v", uids, w, err)
	}
	// Only oneself scored: a second entry is added so the call is not self-only.
	h.MinAllowedWeights = 1
	uids, _, err = FromScores(h, 2, []uint64{0, 0, 5, 0})
	if err != nil || len(uids) != 2 {
		t.Fatalf("self only: %v %v", uids, err)
	}
	// Infeasible: 2 UIDs, cap 10%, two weights required.
	h.MaxWeightLimit, h.MinAllowedWeights = 6553, 2
	if _, _, err := FromScores(h, 0, []uint64{1, 1}); !errors.Is(err, ErrInfeasible) {
		t.Fatalf("infeasible: %v", err)
	}
}

func BenchmarkFromScores4096(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	scores := make([]uint64, 4096)
	for i := range scores {
		scores[i] = r.Uint64N(1 << 40)
	}
	h := subnet.Default()
	h.MaxWeightLimit = 655
	for b.Loop() {
		if _, _, err := FromScores(h, 0, scores); err != nil {
			b.Fatal(err)
		}
	}
}
