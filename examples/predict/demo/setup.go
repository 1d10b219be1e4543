package demo

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/types"
)

// Funding and stake of the cast, in rao.
const (
	fundEach       = 1_000 * types.RaoPerTAO // each neuron's coldkey, from the owner's dev account
	validatorStake = 100 * types.RaoPerTAO   // each validator's stake: equal, so dividends show quality, not size
)

// Neuron is a cast member once on chain: its keys and where its key file is.
type Neuron struct {
	Member
	Hotkey, Coldkey types.Address
	KeyFile         string // the hotkey, hex, mode 0600: what the neuron process signs with
}

// Deployment is the demo's subnet once set up.
type Deployment struct {
	Netuid  uint16
	Owner   types.Address
	Neurons []Neuron
}

// Names maps each hotkey to its cast name.
func (d *Deployment) Names() map[types.Address]string {
	out := make(map[types.Address]string, len(d.Neurons))
	for _, n := range d.Neurons {
		out[n.Hotkey] = n.Name
	}
	return out
}

// ByName returns the neuron of that name.
func (d *Deployment) ByName(name string) (Neuron, bool) {
	for _, n := range d.Neurons {
		if n.Name == name {
			return n, true
		}
	}
	return Neuron{}, false
}

// setup puts the cast on chain with owner's dev account: the subnet (the
// chain's first one, created if there is none), a fresh coldkey and hotkey
// per neuron (the coldkey funded by the owner), burned registrations in
// cast order, and the validators' stake. Hotkeys are written to keyDir.
func setup(ctx context.Context, c *client.Client, owner *client.Signer, cast []Member, keyDir string, logf func(string, ...any)) (*Deployment, error) {
	subnets, err := c.Subnets(ctx)
	if err != nil {
		return nil, err
	}
	if len(subnets) == 0 {
		logf("creating subnet %q", "predict")
		if _, err := c.SendAndWait(ctx, owner, client.RegisterNetwork("predict")); err != nil {
			return nil, fmt.Errorf("demo: create subnet: %w", err)
		}
		if subnets, err = c.Subnets(ctx); err != nil {
			return nil, err
		}
	}
	if len(subnets) != 1 || subnets[0].Owner == nil || *subnets[0].Owner != owner.Address() {
		return nil, fmt.Errorf("demo: want a fresh chain whose one subnet is owned by %s (found %d subnets)", owner.Address().Hex(), len(subnets))
	}
	d := &Deployment{Netuid: subnets[0].Netuid, Owner: owner.Address()}
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		return nil, err
	}
	colds := make([]*client.Signer, len(cast))
	for i, m := range cast {
		hot, err := crypto.GenerateKey()
		if err != nil {
			return nil, err
		}
		cold, err := newSigner()
		if err != nil {
			return nil, err
		}
		colds[i] = cold
		n := Neuron{Member: m, Hotkey: crypto.PubkeyToAddress(hot.PublicKey), Coldkey: cold.Address(), KeyFile: filepath.Join(keyDir, m.Name+".key")}
		if err := crypto.SaveECDSA(n.KeyFile, hot); err != nil {
			return nil, fmt.Errorf("demo: save key of %s: %w", m.Name, err)
		}
		d.Neurons = append(d.Neurons, n)
	}
	// The owner funds every coldkey: sent back to back, then waited for.
	logf("funding %d coldkeys from %s", len(cast), owner.Address().Hex())
	hashes := make([]types.Hash, len(cast))
	for i, n := range d.Neurons {
		if hashes[i], err = c.Send(ctx, owner, client.Transfer(n.Coldkey, fundEach)); err != nil {
			return nil, fmt.Errorf("demo: fund %s: %w", n.Name, err)
		}
	}
	for _, h := range hashes {
		if _, err := c.WaitReceipt(ctx, h); err != nil {
			return nil, fmt.Errorf("demo: fund: %w", err)
		}
	}
	// Registrations one at a time, so UIDs follow the cast's order.
	for i, n := range d.Neurons {
		if _, err := c.SendAndWait(ctx, colds[i], client.BurnedRegister(d.Netuid, n.Hotkey)); err != nil {
			return nil, fmt.Errorf("demo: register %s: %w", n.Name, err)
		}
		logf("registered %-10s hotkey %s", n.Name, n.Hotkey.Hex())
	}
	for i, n := range d.Neurons {
		if n.Role != "validator" {
			continue
		}
		if _, err := c.SendAndWait(ctx, colds[i], client.AddStake(n.Hotkey, validatorStake)); err != nil {
			return nil, fmt.Errorf("demo: stake on %s: %w", n.Name, err)
		}
		logf("staked %s TAO on %s", types.FormatTAO(validatorStake), n.Name)
	}
	return d, nil
}

func newSigner() (*client.Signer, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	return client.NewSigner(k)
}

// loadKey reads a hotkey file written by setup.
func loadKey(path string) (*ecdsa.PrivateKey, error) {
	k, err := crypto.LoadECDSA(path)
	if err != nil {
		return nil, fmt.Errorf("demo: key %s: %w", path, err)
	}
	return k, nil
}
