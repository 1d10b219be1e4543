package predict

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

func TestRequestValidate(t *testing.T) {
	for _, tc := range []struct {
		xs []float64
		ok bool
	}{
		{[]float64{0, 1, -1}, true},
		{nil, false},
		{make([]float64, MaxBatch+1), false},
		{[]float64{1.5}, false},
		{[]float64{math.NaN()}, false},
	} {
		err := (&Request{Xs: tc.xs}).Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBadRequest)) {
			t.Errorf("Validate(%v) = %v, want ok=%v", tc.xs, err, tc.ok)
		}
	}
}

func TestDatasetSeededAndNoisy(t *testing.T) {
	a, b := NewDataset(7, 0.05).Batch(200), NewDataset(7, 0.05).Batch(200)
	var dev float64
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different sample %d: %v %v", i, a[i], b[i])
		}
		if a[i].X < -1 || a[i].X > 1 {
			t.Fatalf("x out of range: %v", a[i].X)
		}
		dev += math.Abs(a[i].Y - Truth(a[i].X))
	}
	if mean := dev / 200; mean < 0.02 || mean > 0.08 {
		t.Errorf("mean |noise| %.3f, want about 0.04 for σ=0.05", mean)
	}
}

func TestAccuracyAndRoundScore(t *testing.T) {
	batch := []Sample{{X: 0, Y: 0.1}, {X: 0.5, Y: 0.2}}
	if got := Accuracy(batch, []float64{0.1, 0.2}); got != 1 {
		t.Errorf("exact answers: %v", got)
	}
	if got := Accuracy(batch, []float64{0.35, 0.2}); math.Abs(got-0.75) > 1e-9 {
		t.Errorf("one point off by half the tolerance: %v, want 0.75", got)
	}
	if got := Accuracy(batch, []float64{0.1}); got != 0 {
		t.Errorf("short answer scored %v", got)
	}
	if got := Accuracy(batch, []float64{math.Inf(1), 0.2}); got != 0 {
		t.Errorf("infinite answer scored %v", got)
	}
	if got := RoundScore(1, 0, time.Second); got != 1 {
		t.Errorf("instant exact: %v", got)
	}
	if got := RoundScore(1, time.Second, time.Second); got != 1-LatencyShare {
		t.Errorf("at the deadline: %v", got)
	}
	if got := RoundScore(0.8, 2*time.Second, time.Second); math.Abs(got-0.8*(1-LatencyShare)) > 1e-9 {
		t.Errorf("past the deadline: %v", got)
	}
}

// TestMinerKindsRankAsDesigned plays rounds with the example's miner
// models and latencies (latency measured, not assumed) and checks the
// validators' averages order them as the demo expects: good > copier >
// slow > random > offline (0).
func TestMinerKindsRankAsDesigned(t *testing.T) {
	ctx := context.Background()
	good := Good{}
	models := map[uint16]Model{
		1: good,
		2: Slow{Model: good, Delay: 60 * time.Millisecond},
		3: NewRandom(1),
		4: Copier{Upstream: good.Predict, Delay: 30 * time.Millisecond},
	}
	timeout := 120 * time.Millisecond
	data := NewDataset(3, 0.05)
	s := NewScores(0.3)
	for round := 0; round < 6; round++ {
		batch := data.Batch(16)
		for uid := uint16(1); uid <= 5; uid++ {
			m, ok := models[uid]
			if !ok {
				s.Update(uid, 0) // offline: no answer
				continue
			}
			start := time.Now()
			ys, err := m.Predict(ctx, Xs(batch))
			if err != nil {
				t.Fatal(err)
			}
			s.Update(uid, RoundScore(Accuracy(batch, ys), time.Since(start), timeout))
		}
	}
	if !(s.Get(1) > s.Get(4) && s.Get(4) > s.Get(2) && s.Get(2) > s.Get(3) && s.Get(3) > 0 && s.Get(5) == 0) {
		t.Errorf("scores good %.3f copier %.3f slow %.3f random %.3f offline %.3f", s.Get(1), s.Get(4), s.Get(2), s.Get(3), s.Get(5))
	}
	uids, vals := s.Positive()
	if len(uids) != 4 || uids[0] != 1 || uids[3] != 4 || vals[0] != s.Get(1) {
		t.Errorf("Positive() = %v %v", uids, vals)
	}
	s.Forget(1)
	if s.Get(1) != 0 {
		t.Error("Forget kept the score")
	}
}

func TestCopierAndSlowHonourContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := (Slow{Model: Good{}, Delay: time.Hour}).Predict(ctx, []float64{0}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow past its deadline: %v", err)
	}
	fail := func(context.Context, []float64) ([]float64, error) { return nil, errors.New("down") }
	if _, err := (Copier{Upstream: fail}).Predict(context.Background(), []float64{0}); err == nil {
		t.Error("copier with its upstream down answered")
	}
}

func TestWeightsOf(t *testing.T) {
	hk := func(i byte) types.Address { return types.Address{19: i} }
	mg := metagraph.NewSnapshot(1, 10, subnet.Default(), []neuron.Neuron{{Hotkey: hk(0)}, {Hotkey: hk(1)}, {Hotkey: hk(2)}, {Hotkey: hk(3)}})
	s := NewScores(1)
	s.Update(1, 0.8)
	s.Update(2, 0.2)
	s.Update(3, 0)
	self := hk(0)
	uids, w, err := weightsOf(mg, s, self, nil)
	if err != nil || len(uids) != 2 || uids[0] != 1 || uids[1] != 2 || w[0] != 65535 || w[1] < 16383 || w[1] > 16384 {
		t.Errorf("honest weights %v on %v (%v), want [65535 ~16384] on [1 2]", w, uids, err)
	}
	friend := hk(3)
	if uids, w, _ := weightsOf(mg, s, self, &friend); len(uids) != 1 || uids[0] != 3 || w[0] != 65535 {
		t.Errorf("colluder's weights %v on %v, want all on uid 3", w, uids)
	}
	stranger := hk(9)
	if uids, _, _ := weightsOf(mg, s, self, &stranger); len(uids) != 0 {
		t.Errorf("weights on an unregistered friend: %v", uids)
	}
	if uids, _, _ := weightsOf(mg, NewScores(0.3), self, nil); len(uids) != 0 {
		t.Errorf("weights with no scores: %v", uids)
	}
	// A cap of half the weight: the best miner's share is held to it.
	h := subnet.Default()
	h.MaxWeightLimit = 32768
	capped := metagraph.NewSnapshot(1, 10, h, mg.Neurons)
	uids, w, err = weightsOf(capped, s, self, nil)
	if err != nil || len(uids) < 2 {
		t.Fatalf("capped weights %v on %v: %v", w, uids, err)
	}
	var sum uint64
	for _, v := range w {
		sum += uint64(v)
	}
	if uint64(w[0])*65535 > 32768*sum {
		t.Errorf("capped weights %v: top share above max_weight_limit", w)
	}
}
