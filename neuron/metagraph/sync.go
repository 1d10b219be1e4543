package metagraph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/rpc"
)

// Source is what the metagraph reads from a node; *client.Client has it.
// BlockNumber is the cheap poll of Run; MetagraphSnapshot is the sync.
type Source interface {
	BlockNumber(ctx context.Context) (uint64, error)
	MetagraphSnapshot(ctx context.Context, netuid uint16) (*rpc.MetagraphSnapshotJSON, error)
}

// MaxNeurons bounds a synced metagraph: the chain allows at most 4096 UIDs
// per subnet, so a longer answer is refused as hostile.
const MaxNeurons = 4096

// ErrBadMetagraph reports a node answer the metagraph refuses.
var ErrBadMetagraph = errors.New("metagraph: bad answer from node")

// Sync reads the subnet's neurons and hyperparameters from a node in one
// call (subnet_snapshot), which answers them from one head state with that
// head's height: the view's Block is exactly the block its neurons are of.
// A failed sync keeps the previous view.
func (m *Metagraph) Sync(ctx context.Context, src Source) error {
	snap, err := src.MetagraphSnapshot(ctx, m.netuid)
	if err != nil {
		return fmt.Errorf("metagraph: snapshot of subnet %d: %w", m.netuid, err)
	}
	neurons, err := Decode(snap.Neurons)
	if err != nil {
		return err
	}
	m.Set(snap.Block, snap.Hyperparams, neurons)
	return nil
}

// Run keeps the view fresh each block: every interval it reads the head
// and syncs when the head has moved (the first sync at once). onSync (may
// be nil) sees each sync's error (nil on success); a failed sync keeps the
// previous view and is retried at the next tick. Run returns when ctx ends.
func (m *Metagraph) Run(ctx context.Context, src Source, every time.Duration, onSync func(error)) error {
	return m.run(ctx, src, every, onSync, func(head, last uint64) bool { return head != last })
}

// RunEpochs is Run for views that change only at epochs (scores,
// incentive, dividends): it syncs once, then again only when the head
// reaches the subnet's next epoch block after the last sync.
func (m *Metagraph) RunEpochs(ctx context.Context, src Source, every time.Duration, onSync func(error)) error {
	return m.run(ctx, src, every, onSync, func(head, last uint64) bool {
		return head >= client.NextEpochBlock(last, m.netuid, m.Hyperparams().Tempo)
	})
}

func (m *Metagraph) run(ctx context.Context, src Source, every time.Duration, onSync func(error), due func(head, last uint64) bool) error {
	t := time.NewTicker(every)
	defer t.Stop()
	synced := false
	for {
		head, err := src.BlockNumber(ctx)
		if err == nil && (!synced || due(head, m.Block())) {
			err = m.Sync(ctx, src)
			synced = synced || err == nil
			if onSync != nil {
				onSync(err)
			}
		} else if err != nil && onSync != nil {
			onSync(fmt.Errorf("metagraph: block number: %w", err))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Decode converts subnet_metagraph's answer, checking it: at most
// MaxNeurons entries, entry i has UID i, numbers and fractions well formed.
func Decode(wire []rpc.NeuronJSON) ([]neuron.Neuron, error) {
	if len(wire) > MaxNeurons {
		return nil, fmt.Errorf("%w: %d neurons, at most %d", ErrBadMetagraph, len(wire), MaxNeurons)
	}
	out := make([]neuron.Neuron, len(wire))
	for i, w := range wire {
		if int(w.UID) != i {
			return nil, fmt.Errorf("%w: entry %d has uid %d", ErrBadMetagraph, i, w.UID)
		}
		n := neuron.Neuron{
			UID: w.UID, Hotkey: w.Hotkey, Coldkey: w.Coldkey, Permit: w.Permit, Active: w.Active,
			RegisteredAt: w.RegisteredAt, LastUpdate: w.LastUpdate,
		}
		var err error
		if n.Stake, err = strconv.ParseUint(w.Stake, 10, 64); err != nil {
			return nil, fmt.Errorf("%w: uid %d stake: %v", ErrBadMetagraph, i, err)
		}
		if n.Emission, err = strconv.ParseUint(w.Emission, 10, 64); err != nil {
			return nil, fmt.Errorf("%w: uid %d emission: %v", ErrBadMetagraph, i, err)
		}
		for _, f := range []struct {
			dst *uint64
			src string
		}{{&n.Rank, w.Rank}, {&n.Trust, w.Trust}, {&n.Consensus, w.Consensus}, {&n.Incentive, w.Incentive},
			{&n.Dividends, w.Dividends}, {&n.ValidatorTrust, w.ValidatorTrust}} {
			if *f.dst, err = ParseFraction(f.src); err != nil {
				return nil, fmt.Errorf("%w: uid %d: %v", ErrBadMetagraph, i, err)
			}
		}
		if a := w.Axon; a != nil {
			ip := net.ParseIP(a.IP)
			if ip == nil {
				return nil, fmt.Errorf("%w: uid %d axon ip %q", ErrBadMetagraph, i, a.IP)
			}
			n.Axon = neuron.Axon{IP: ip, Port: a.Port, Protocol: a.Protocol, Version: a.Version, Block: a.Block}
		}
		out[i] = n
	}
	return out, nil
}

// ParseFraction parses a decimal in [0, 1] with at most nine places ("0.5",
// "1.000000000") into units of 1/neuron.Scale.
func ParseFraction(s string) (uint64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 9 || whole == "" || (whole != "0" && whole != "1") {
		return 0, fmt.Errorf("fraction %q: want a decimal in [0, 1] with at most 9 places", s)
	}
	var f uint64
	for i := 0; i < 9; i++ {
		f *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("fraction %q: bad digit", s)
			}
			f += uint64(c - '0')
		}
	}
	if whole == "1" {
		if f != 0 {
			return 0, fmt.Errorf("fraction %q above 1", s)
		}
		return neuron.Scale, nil
	}
	return f, nil
}
