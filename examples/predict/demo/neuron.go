package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/examples/predict"
	"github.com/taonet/taod/neuron/dendrite"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/types"
)

// Timing of the cast, chosen so the order of the miners is clear on a
// loaded machine: the copier waits a quarter and the slow miner half of the
// validators' timeout, far above the few milliseconds an answer takes.
const (
	queryTimeout = time.Second
	slowDelay    = queryTimeout / 2
	copierDelay  = queryTimeout / 4
	labelNoise   = 0.05
	batchSize    = 16
)

// NeuronMain runs one neuron of the cast, as a child process does, from
// its command line (see neuronArgs), until ctx ends. Progress lines go to
// w (the process's log file).
func NeuronMain(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("demo-neuron", flag.ContinueOnError)
	fs.SetOutput(w)
	var (
		url, keyFile, name, role, kind, target string
		netuid                                 uint
	)
	fs.StringVar(&url, "rpc", "", "node RPC URL")
	fs.UintVar(&netuid, "netuid", 1, "subnet")
	fs.StringVar(&keyFile, "key", "", "hotkey file (hex)")
	fs.StringVar(&name, "name", "neuron", "name in logs")
	fs.StringVar(&role, "role", "", "miner or validator")
	fs.StringVar(&kind, "kind", "", "miner: good, slow, random, copier, offline; validator: honest, friend")
	fs.StringVar(&target, "target", "", "hotkey the copier copies or the friend validator favours")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lg := log.New(w, name+" ", log.Ltime|log.Lmicroseconds)
	logf := func(f string, a ...any) { lg.Printf(f, a...) }
	key, err := loadKey(keyFile)
	if err != nil {
		return err
	}
	var tgt types.Address
	if target != "" {
		if err := tgt.UnmarshalText([]byte(target)); err != nil {
			return fmt.Errorf("--target: %w", err)
		}
	}
	c, err := client.Dial(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close()
	// Every neuron follows the metagraph: miners to admit callers, the
	// validators to find axons, the copier to find its victim.
	mg := metagraph.New(uint16(netuid))
	if err := mg.Sync(ctx, c); err != nil {
		return err
	}
	go mg.Run(ctx, c, 500*time.Millisecond, nil)
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return err
	}
	seed := int64(key.D.Uint64())
	mc := predict.MinerConfig{Client: c, Key: key, Netuid: uint16(netuid), Metagraph: mg, Listen: "127.0.0.1:0", Logf: logf}
	switch role + "/" + kind {
	case "validator/honest", "validator/friend":
		vc := predict.ValidatorConfig{Client: c, Key: key, Netuid: uint16(netuid), Metagraph: mg, Timeout: queryTimeout,
			Batch: batchSize, Seed: seed, Noise: labelNoise, Logf: logf}
		if kind == "friend" {
			vc.Friend = &tgt
		}
		logf("validator (%s) up", kind)
		return predict.RunValidator(ctx, vc)
	case "miner/offline":
		logf("miner (offline) up")
		return predict.RunOffline(ctx, mc)
	}
	var model predict.Model
	switch kind {
	case "good":
		model = predict.Good{}
	case "slow":
		model = predict.Slow{Model: predict.Good{}, Delay: slowDelay}
	case "random":
		model = predict.NewRandom(seed)
	case "copier":
		d, err := dendrite.New(dendrite.Config{Key: key, Netuid: uint16(netuid), ChainID: chainID, Timeout: queryTimeout})
		if err != nil {
			return err
		}
		model = predict.Copier{Delay: copierDelay, Upstream: func(ctx context.Context, xs []float64) ([]float64, error) {
			victim, ok := mg.ByHotkey(tgt)
			if !ok {
				return nil, errors.New("the copied miner is not registered")
			}
			r := dendrite.Call[predict.Request, predict.Response](ctx, d, victim, predict.Kind, predict.Request{Xs: xs})
			if r.Status != dendrite.StatusOK {
				return nil, r.Err
			}
			return r.Response.Ys, nil
		}}
	default:
		return fmt.Errorf("unknown neuron %s/%s", role, kind)
	}
	logf("miner (%s) up", kind)
	mc.Model = model
	return predict.RunMiner(ctx, mc)
}
