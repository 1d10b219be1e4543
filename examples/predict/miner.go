package predict

import (
	"context"
	"crypto/ecdsa"
	"net"
	"time"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/axon"
	"github.com/taonet/taod/neuron/metagraph"
)

// MinerConfig is what a miner needs to serve.
type MinerConfig struct {
	Client    *client.Client
	Key       *ecdsa.PrivateKey    // the miner's registered hotkey
	Netuid    uint16               // the subnet it is registered on
	Metagraph *metagraph.Metagraph // kept in sync by the caller: who may call
	Model     Model                // how it answers
	Listen    string               // address to serve on, e.g. "127.0.0.1:0"
	Logf      func(string, ...any) // progress lines
}

// RunMiner serves the Model on an axon until ctx ends: it opens the
// listener, announces the endpoint on chain (ServeAxon, fee-free for a
// registered hotkey) and answers every signed "predict" request from a
// registered neuron.
func RunMiner(ctx context.Context, cfg MinerConfig) error {
	ax, err := newAxon(ctx, cfg)
	if err != nil {
		return err
	}
	err = axon.Handle(ax, Kind, func(ctx context.Context, _ neuron.Neuron, req Request) (Response, error) {
		if err := req.Validate(); err != nil {
			return Response{}, &axon.Error{Status: 400, Msg: err.Error()}
		}
		ys, err := cfg.Model.Predict(ctx, req.Xs)
		return Response{Ys: ys}, err
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().(*net.TCPAddr)
	if err := announce(ctx, cfg, ax, addr); err != nil {
		ln.Close()
		return err
	}
	cfg.Logf("serving %q on %s", Kind, addr)
	return ax.Serve(ctx, ln, 0)
}

// RunOffline is a miner that went away: it announces an endpoint once and
// never answers on it, so validators find nothing there.
func RunOffline(ctx context.Context, cfg MinerConfig) error {
	ax, err := newAxon(ctx, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // nobody will answer on this port
	if err := announce(ctx, cfg, ax, addr); err != nil {
		return err
	}
	cfg.Logf("announced %s and went offline", addr)
	<-ctx.Done()
	return nil
}

// newAxon is the miner's axon on the chain its client speaks to.
func newAxon(ctx context.Context, cfg MinerConfig) (*axon.Axon, error) {
	chainID, err := cfg.Client.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	return axon.New(axon.Config{Key: cfg.Key, ChainID: chainID, Netuid: cfg.Netuid, Metagraph: cfg.Metagraph})
}

func announce(ctx context.Context, cfg MinerConfig, ax *axon.Axon, addr *net.TCPAddr) error {
	s, err := client.NewSigner(cfg.Key)
	if err != nil {
		return err
	}
	// A fresh registration can take a block to show in the node's view:
	// retry for a few seconds before giving up.
	for try := 0; ; try++ {
		err = ax.Announce(ctx, axon.ClientAnnouncer{Client: cfg.Client, Signer: s}, addr.IP, uint16(addr.Port), 1)
		if err == nil || try == 20 || ctx.Err() != nil {
			return err
		}
		cfg.Logf("announce: %v (retrying)", err)
		time.Sleep(300 * time.Millisecond)
	}
}
