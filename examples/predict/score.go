package predict

import (
	"math"
	"sort"
	"time"
)

// Scoring constants: the validator's rule, public so miners know it.
const (
	// Tolerance is the absolute error at which a point earns nothing;
	// a point's accuracy falls linearly from 1 at zero error.
	Tolerance = 0.5
	// LatencyShare is the part of a round's score that depends on speed: an
	// answer at the deadline keeps 1-LatencyShare of its accuracy score.
	LatencyShare = 0.5
)

// Accuracy is the mean per-point accuracy of predictions against labels:
// max(0, 1 - |y' - y| / Tolerance), in [0, 1]. A response of the wrong
// length or with a non-finite value scores 0.
func Accuracy(batch []Sample, ys []float64) float64 {
	if len(batch) == 0 || len(ys) != len(batch) {
		return 0
	}
	var sum float64
	for i, s := range batch {
		y := ys[i]
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return 0
		}
		sum += math.Max(0, 1-math.Abs(y-s.Y)/Tolerance)
	}
	return sum / float64(len(batch))
}

// RoundScore is one answer's score in [0, 1]: its accuracy, discounted
// linearly by how much of the timeout it used (by at most LatencyShare).
func RoundScore(accuracy float64, latency, timeout time.Duration) float64 {
	speed := 1.0
	if timeout > 0 {
		speed = 1 - float64(latency)/float64(timeout)
	}
	speed = math.Min(1, math.Max(0, speed))
	return accuracy * (1 - LatencyShare + LatencyShare*speed)
}

// Scores keeps a validator's moving average of each miner's round scores:
// after every round s ← α·round + (1-α)·s, so one lucky or unlucky round
// moves a miner little and a steady one converges to its quality. A miner
// that did not answer scores 0 for the round. Not safe for concurrent use.
type Scores struct {
	alpha float64
	ema   map[uint16]float64
}

// NewScores returns an empty table with smoothing factor alpha in (0, 1].
func NewScores(alpha float64) *Scores {
	if alpha <= 0 || alpha > 1 {
		alpha = 0.3
	}
	return &Scores{alpha: alpha, ema: map[uint16]float64{}}
}

// Update folds one round's score of a UID into its average.
func (s *Scores) Update(uid uint16, round float64) {
	s.ema[uid] = s.alpha*round + (1-s.alpha)*s.ema[uid]
}

// Forget drops a UID (it was replaced by a new registration).
func (s *Scores) Forget(uid uint16) { delete(s.ema, uid) }

// Get returns a UID's average (0 if never scored).
func (s *Scores) Get(uid uint16) float64 { return s.ema[uid] }

// Positive returns the UIDs with a positive average, ascending, and their
// averages: what the validator turns into weights.
func (s *Scores) Positive() ([]uint16, []float64) {
	uids := make([]uint16, 0, len(s.ema))
	for u, v := range s.ema {
		if v > 0 {
			uids = append(uids, u)
		}
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	vals := make([]float64, len(uids))
	for i, u := range uids {
		vals[i] = s.ema[u]
	}
	return uids, vals
}
