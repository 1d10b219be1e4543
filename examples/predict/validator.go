package predict

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math"
	"time"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/dendrite"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/neuron/weights"
	"github.com/taonet/taod/types"
)

// ValidatorConfig is what a validator needs to score miners and set weights.
type ValidatorConfig struct {
	Client    *client.Client
	Key       *ecdsa.PrivateKey // the validator's registered, staked hotkey
	Netuid    uint16
	Metagraph *metagraph.Metagraph // kept in sync by the caller
	Timeout   time.Duration        // per query; latency is scored against it
	Batch     int                  // points per query
	Seed      int64                // the validator's private labelled data
	Noise     float64              // label noise (standard deviation)
	// Friend, when set, makes a colluding validator: it queries no one and
	// puts all its weight on this hotkey, whatever it answers.
	Friend *types.Address
	Logf   func(string, ...any)
}

// RunValidator queries every serving miner each round with a fresh batch
// of its labelled points, folds accuracy and latency into each miner's
// moving average, and sets weights from the averages once per tempo,
// until ctx ends.
func RunValidator(ctx context.Context, cfg ValidatorConfig) error {
	chainID, err := cfg.Client.ChainID(ctx)
	if err != nil {
		return err
	}
	signer, err := client.NewSigner(cfg.Key)
	if err != nil {
		return err
	}
	d, err := dendrite.New(dendrite.Config{Key: cfg.Key, ChainID: chainID, Netuid: cfg.Netuid, Timeout: cfg.Timeout})
	if err != nil {
		return err
	}
	data, scores := NewDataset(cfg.Seed, cfg.Noise), NewScores(0.3)
	// The setter sends SetWeights (or commit and reveal, as the subnet's
	// hyperparameters say) and waits out weights_rate_limit.
	setter := weights.NewSetter(cfg.Client, signer, cfg.Metagraph)
	var lastSet uint64
	hotkeys := map[uint16]types.Address{} // whose score each UID's average is
	for ctx.Err() == nil {
		mg := cfg.Metagraph.Snapshot()
		for _, n := range mg.Neurons {
			if h, ok := hotkeys[n.UID]; ok && h != n.Hotkey {
				scores.Forget(n.UID) // a new neuron took the UID: it starts from nothing
			}
			hotkeys[n.UID] = n.Hotkey
		}
		if cfg.Friend == nil {
			scoreRound(ctx, d, mg.Neurons, signer.Address(), data.Batch(cfg.Batch), scores, cfg.Timeout)
		}
		uids, w, err := weightsOf(mg, scores, signer.Address(), cfg.Friend)
		if err != nil {
			cfg.Logf("weights: %v", err)
		}
		if len(uids) > 0 && mg.Block >= lastSet+mg.Hyper.Tempo {
			_, err := setter.Set(ctx, uids, w)
			var np *client.NoPermitError
			switch {
			case errors.As(err, &np):
				cfg.Logf("no permit yet: %v", err)
			case err != nil:
				cfg.Logf("set weights: %v", err)
			default:
				lastSet = mg.Block
				cfg.Logf("block %d: weights %v on uids %v", mg.Block, w, uids)
			}
		}
		if err := sleep(ctx, cfg.Timeout/4); err != nil {
			return nil
		}
	}
	return nil
}

// scoreRound asks every other serving neuron for predictions of batch and
// updates its score; one that fails to answer scores 0 for the round.
func scoreRound(ctx context.Context, d *dendrite.Dendrite, neurons []neuron.Neuron, self types.Address, batch []Sample, scores *Scores, timeout time.Duration) {
	var miners []neuron.Neuron
	for _, n := range neurons {
		if n.Hotkey != self && n.Axon.Addr() != "" {
			miners = append(miners, n)
		}
	}
	for _, r := range dendrite.Query[Request, Response](ctx, d, miners, Kind, Request{Xs: Xs(batch)}) {
		s := 0.0
		if r.Status == dendrite.StatusOK {
			s = RoundScore(Accuracy(batch, r.Response.Ys), r.Latency, timeout)
		}
		scores.Update(r.UID, s)
	}
}

// weightsOf turns scores into the u16 weights the chain accepts from this
// validator (neuron/weights: in proportion to the averages, within
// max_weight_limit and min_allowed_weights); nil when nothing scored yet.
// A colluder's weights are all on its friend.
func weightsOf(mg *metagraph.Snapshot, scores *Scores, self types.Address, friend *types.Address) ([]uint16, []uint16, error) {
	if friend != nil {
		if n, ok := mg.ByHotkey(*friend); ok {
			return []uint16{n.UID}, []uint16{math.MaxUint16}, nil
		}
		return nil, nil, nil
	}
	uids, vals := scores.Positive()
	if len(uids) == 0 || len(mg.Neurons) == 0 {
		return nil, nil, nil
	}
	fixed := make([]uint64, len(mg.Neurons)) // FromScores takes integers: averages in units of 1e-9
	for i, u := range uids {
		if int(u) < len(fixed) {
			fixed[u] = uint64(vals[i] * 1e9)
		}
	}
	var me uint16
	if n, ok := mg.ByHotkey(self); ok {
		me = n.UID
	}
	return weights.FromScores(mg.Hyper, me, fixed)
}
