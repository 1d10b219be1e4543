package demo

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/types"
)

// Member is one neuron of the demo's cast.
type Member struct {
	Name   string // also its log file's name
	Role   string // "validator" or "miner"
	Kind   string // miners: good, slow, random, copier, offline; validators: honest, friend
	Target string // copier: the miner it copies; friend validator: the miner it favours
}

// Cast is the demo's subnet: two honest validators and one that weights its
// friend (the lazy miner) whatever it answers; a good miner, a slow one, a
// lazy one answering at random, one copying the good miner's answers (late)
// and one that registered but never serves.
func Cast() []Member {
	return []Member{
		{Name: "v-honest-1", Role: "validator", Kind: "honest"},
		{Name: "v-honest-2", Role: "validator", Kind: "honest"},
		{Name: "v-friend", Role: "validator", Kind: "friend", Target: "m-random"},
		{Name: "m-good", Role: "miner", Kind: "good"},
		{Name: "m-slow", Role: "miner", Kind: "slow"},
		{Name: "m-random", Role: "miner", Kind: "random"},
		{Name: "m-copier", Role: "miner", Kind: "copier", Target: "m-good"},
		{Name: "m-offline", Role: "miner", Kind: "offline"},
	}
}

// Verdict is one expectation about the market's outcome.
type Verdict struct {
	Claim  string
	OK     bool
	Detail string
}

// OfflineMax is the largest incentive an offline miner may show and still
// count as earning nothing (weights are u16, so a stray 1/65535 is noise).
const OfflineMax = 0.001

// Verdicts checks the outcome the example is built to show, on a metagraph
// whose hotkeys are named by names: the good miner earns more than the
// slow, the slow more than the lazy, the copier less than the miner it
// copies, the offline miner nothing; each honest validator's dividends
// exceed the friend-weighting validator's.
func Verdicts(s Snapshot, cast []Member, names map[types.Address]string) []Verdict {
	inc, div := map[string]float64{}, map[string]float64{}
	for _, n := range s.Neurons {
		if name, ok := names[n.Hotkey]; ok {
			inc[name], div[name] = frac(n.Incentive), frac(n.Dividends)
		}
	}
	more := func(claim string, m map[string]float64, a, b string) Verdict {
		return Verdict{claim, m[a] > m[b], fmt.Sprintf("%s %.4f vs %s %.4f", a, m[a], b, m[b])}
	}
	var out []Verdict
	byKind := map[string][]Member{}
	for _, m := range cast {
		byKind[m.Role+"/"+m.Kind] = append(byKind[m.Role+"/"+m.Kind], m)
	}
	first := func(k string) string {
		if ms := byKind[k]; len(ms) > 0 {
			return ms[0].Name
		}
		return ""
	}
	good, slow, random := first("miner/good"), first("miner/slow"), first("miner/random")
	out = append(out,
		more("good miner earns more than the slow one", inc, good, slow),
		more("slow miner earns more than the random one", inc, slow, random))
	for _, c := range byKind["miner/copier"] {
		out = append(out, more("copier earns less than the miner it copies", inc, c.Target, c.Name))
	}
	for _, o := range byKind["miner/offline"] {
		out = append(out, Verdict{"offline miner earns ~0", inc[o.Name] <= OfflineMax, fmt.Sprintf("%s %.4f", o.Name, inc[o.Name])})
	}
	for _, f := range byKind["validator/friend"] {
		for _, h := range byKind["validator/honest"] {
			out = append(out, more("honest validator's dividends exceed the colluder's", div, h.Name, f.Name))
		}
	}
	return out
}

// ErrEmission is returned when a subnet's payout does not add up.
var ErrEmission = errors.New("demo: emission does not add up")

// CheckEmission checks the subnet's books to the rao over the epoch that
// ended at cur.Subnet.LastEpoch, the one after prev's. The subnet is the
// chain's only one, so it receives every block's whole reward: the tempo
// blocks since the previous epoch minted tempo·reward into its pending
// emission, on top of the previous epoch's rounding dust. What the epoch
// paid (lastEmission) must equal that minus the new dust, and what reached
// the neurons (their emission) plus the owner's cut must equal what it paid.
// A snapshot's dust is its pending emission less the reward of each block
// since its epoch.
func CheckEmission(prev, cur Snapshot, reward, ownerCut uint64) error {
	tempo := cur.Subnet.Tempo
	if cur.Subnet.LastEpoch != prev.Subnet.LastEpoch+tempo {
		return fmt.Errorf("%w: epochs %d and %d are not consecutive (tempo %d)", ErrEmission, prev.Subnet.LastEpoch, cur.Subnet.LastEpoch, tempo)
	}
	dust := func(s Snapshot) (uint64, error) {
		since := (s.Height - s.Subnet.LastEpoch) * reward
		p := raoOf(s.Subnet.PendingEmission)
		if s.Height < s.Subnet.LastEpoch || p < since {
			return 0, fmt.Errorf("%w: pending %d rao at block %d is less than %d blocks of reward since epoch %d", ErrEmission, p, s.Height, s.Height-s.Subnet.LastEpoch, s.Subnet.LastEpoch)
		}
		return p - since, nil
	}
	d0, err := dust(prev)
	if err != nil {
		return err
	}
	d1, err := dust(cur)
	if err != nil {
		return err
	}
	paid := raoOf(cur.Subnet.LastEmission)
	if want := d0 + tempo*reward - d1; paid != want {
		return fmt.Errorf("%w: epoch %d paid %d rao; minted %d + dust %d - dust %d = %d", ErrEmission, cur.Subnet.LastEpoch, paid, tempo*reward, d0, d1, want)
	}
	var toNeurons uint64
	for _, n := range cur.Neurons {
		toNeurons += raoOf(n.Emission)
	}
	if toNeurons+ownerCut != paid {
		return fmt.Errorf("%w: epoch %d paid %d rao; neurons got %d and the owner %d (sum %d)", ErrEmission, cur.Subnet.LastEpoch, paid, toNeurons, ownerCut, toNeurons+ownerCut)
	}
	return nil
}
