package txpool

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

func TestAdmitBound(t *testing.T) {
	for _, tc := range []struct {
		name         string
		admitPending int
		maxBlockTxs  int
		want         int
	}{
		{"explicit", 7, 2_000, 7},
		{"default is one block", 0, 3, 3},
		{"off", -1, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.AdmitPending = tc.admitPending
			p, _ := testPoolGenesis(t, cfg, func(g *chain.Genesis) { g.Params.MaxBlockTxs = tc.maxBlockTxs })
			if got := p.AdmitBound(); got != tc.want {
				t.Fatalf("AdmitBound() = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestAddLocalBusy walks a pool with an admission bound of 2 pending txs
// through local and gossiped submissions.
func TestAddLocalBusy(t *testing.T) {
	const fee = types.TransferWeight + 200*types.EthByteGas
	cfg := DefaultConfig()
	cfg.AdmitPending = 2
	p, c := testPool(t, cfg)
	tx := func(k int, nonce uint64) *types.Tx {
		return ptx(t, c, devkeys.Key(k), nonce, fee, 1, 10)
	}
	steps := []struct {
		name    string
		tx      *types.Tx
		local   bool
		wantErr error
		pending int // after the step
	}{
		{"first local", tx(0, 0), true, nil, 1},
		{"queued (gapped) txs do not count", tx(0, 2), true, nil, 1},
		{"reaches the bound", tx(1, 0), true, nil, 2},
		{"local over the bound is refused", tx(2, 0), true, ErrBusy, 2},
		{"a known tx is known, not busy", tx(0, 0), true, ErrKnownTx, 2},
		{"gossip is not refused by the bound", tx(2, 0), false, nil, 3},
		{"filling a gap by gossip promotes", tx(0, 1), false, nil, 5},
		{"still busy", tx(1, 1), true, ErrBusy, 5},
	}
	for _, s := range steps {
		var err error
		if s.local {
			err = p.AddLocal(s.tx)
		} else {
			err = p.Add(s.tx)
		}
		if s.wantErr == nil && err != nil || s.wantErr != nil && !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: err %v, want %v", s.name, err, s.wantErr)
		}
		if pending, _, _ := p.Stats(); pending != s.pending {
			t.Fatalf("%s: %d pending, want %d", s.name, pending, s.pending)
		}
		if errors.Is(err, ErrBusy) {
			if msg := err.Error(); !strings.Contains(msg, "admission bound 2") || !strings.Contains(msg, "retry later") {
				t.Fatalf("%s: unclear refusal %q", s.name, msg)
			}
			if _, ok := p.Get(s.tx.Hash()); ok {
				t.Fatalf("%s: a refused tx was pooled", s.name)
			}
		}
	}
}

// With the bound off, AddLocal is Add.
func TestAddLocalUnbounded(t *testing.T) {
	const fee = types.TransferWeight + 200*types.EthByteGas
	cfg := DefaultConfig()
	cfg.AdmitPending = -1
	p, c := testPool(t, cfg)
	for n := uint64(0); n < 10; n++ {
		if err := p.AddLocal(ptx(t, c, devkeys.Key(0), n, fee, 1, 10)); err != nil {
			t.Fatalf("nonce %d: %v", n, err)
		}
	}
}
