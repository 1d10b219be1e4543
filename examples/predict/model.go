package predict

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"time"
)

// Model answers a batch of points: the part of a miner that differs
// between the kinds of miner in the example.
type Model interface {
	Predict(ctx context.Context, xs []float64) ([]float64, error)
}

// Good is a miner that has learned the hidden function: its error is the
// validators' label noise alone.
type Good struct{}

// Predict returns Truth at each point.
func (Good) Predict(_ context.Context, xs []float64) ([]float64, error) {
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = Truth(x)
	}
	return ys, nil
}

// Slow is an accurate model behind a delay: right answers, late.
type Slow struct {
	Model Model
	Delay time.Duration
}

// Predict waits Delay (or until ctx ends), then asks the inner model.
func (s Slow) Predict(ctx context.Context, xs []float64) ([]float64, error) {
	if err := sleep(ctx, s.Delay); err != nil {
		return nil, err
	}
	return s.Model.Predict(ctx, xs)
}

// Random is a lazy miner: it answers at once with uniform guesses over the
// range the function takes, so it is fast and nearly always wrong.
type Random struct {
	mu  sync.Mutex // guards rng: handlers run concurrently
	rng *rand.Rand
}

// NewRandom returns a lazy miner drawing its guesses from seed.
func NewRandom(seed int64) *Random { return &Random{rng: rand.New(rand.NewSource(seed))} }

// Predict returns guesses in [-1.5, 1].
func (r *Random) Predict(_ context.Context, xs []float64) ([]float64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ys := make([]float64, len(xs))
	for i := range ys {
		ys[i] = -1.5 + 2.5*r.rng.Float64()
	}
	return ys, nil
}

// Upstream fetches another miner's answer for the same points: for the
// copier, a dendrite call to the good miner's axon.
type Upstream func(ctx context.Context, xs []float64) ([]float64, error)

// Copier does no work: it forwards each request to another miner and
// returns that miner's answer after Delay. It can be no faster than the
// miner it copies, so validators that score latency rank it below.
type Copier struct {
	Upstream Upstream
	Delay    time.Duration
}

// Predict asks the upstream miner, then waits Delay.
func (c Copier) Predict(ctx context.Context, xs []float64) ([]float64, error) {
	ys, err := c.Upstream(ctx, xs)
	if err != nil {
		return nil, fmt.Errorf("copier: upstream: %w", err)
	}
	if err := sleep(ctx, c.Delay); err != nil {
		return nil, err
	}
	return ys, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
