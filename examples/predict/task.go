package predict

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
)

// Kind is the request kind miners serve and validators send.
const Kind = "predict"

// MaxBatch bounds the points in one request: a validator never asks for more,
// and a miner refuses more (its answer costs work per point).
const MaxBatch = 64

// Request asks a miner to predict y at each x (x in [-1, 1]).
type Request struct {
	Xs []float64 `json:"xs"`
}

// Response is a miner's prediction for each x of the request, in order.
type Response struct {
	Ys []float64 `json:"ys"`
}

// Errors a miner or validator returns for malformed traffic.
var (
	ErrBadRequest  = errors.New("predict: bad request")
	ErrBadResponse = errors.New("predict: bad response")
)

// Validate checks a request as a miner receives it: 1..MaxBatch finite
// points in [-1, 1].
func (r *Request) Validate() error {
	if len(r.Xs) == 0 || len(r.Xs) > MaxBatch {
		return fmt.Errorf("%w: %d points (want 1..%d)", ErrBadRequest, len(r.Xs), MaxBatch)
	}
	for i, x := range r.Xs {
		if math.IsNaN(x) || x < -1 || x > 1 {
			return fmt.Errorf("%w: x[%d] = %v is outside [-1, 1]", ErrBadRequest, i, x)
		}
	}
	return nil
}

// Truth is the hidden function the market is about: validators sample it
// with noise to make labels, and a good miner has learned it. It is a
// smooth cubic, so a model can be good without being exact.
func Truth(x float64) float64 {
	return 0.8*x*x*x - 0.5*x*x + 0.3*x + 0.1
}

// Sample is one labelled point a validator holds: y = Truth(x) + noise.
type Sample struct {
	X, Y float64
}

// Dataset makes labelled points from a seeded source. A validator draws a
// fresh batch each round, so a miner cannot memorise the labels.
type Dataset struct {
	rng   *rand.Rand
	noise float64
}

// NewDataset returns a dataset whose labels carry Gaussian noise of the
// given standard deviation, drawn from seed.
func NewDataset(seed int64, noise float64) *Dataset {
	return &Dataset{rng: rand.New(rand.NewSource(seed)), noise: noise}
}

// Batch returns n labelled points with x uniform in [-1, 1].
func (d *Dataset) Batch(n int) []Sample {
	out := make([]Sample, n)
	for i := range out {
		x := 2*d.rng.Float64() - 1
		out[i] = Sample{X: x, Y: Truth(x) + d.noise*d.rng.NormFloat64()}
	}
	return out
}

// Xs returns the points of a batch without their labels: what a miner sees.
func Xs(batch []Sample) []float64 {
	out := make([]float64, len(batch))
	for i, s := range batch {
		out[i] = s.X
	}
	return out
}
