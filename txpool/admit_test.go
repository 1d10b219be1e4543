package txpool

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

func TestCommitRate(t *testing.T) {
	t0 := time.Unix(1_000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name   string
		blocks int // noted at 0, 100, 200, ... ms, txs each
		txs    int
		now    time.Time
		want   int
	}{
		{"none", 0, 0, ms(0), 0},
		{"one block is no span", 1, 500, ms(0), 0},
		{"ten blocks of 200 per 100 ms", 10, 200, ms(900), 2_000},
		{"the ring keeps the last 32", 100, 50, ms(9_900), 500},
		{"blocks older than the window drop out", 10, 200, ms(900 + 5_000 + 1), 0},
		{"part of the ring in the window", 100, 50, ms(9_900 + 4_500), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r commitRate
			for i := 0; i < tc.blocks; i++ {
				r.note(ms(100*i), tc.txs)
			}
			if got := r.perSec(tc.now); got != tc.want {
				t.Fatalf("perSec = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestAdmitBound(t *testing.T) {
	clock := &fakeClock{time.Unix(1_000, 0)}
	for _, tc := range []struct {
		name         string
		admitPending int
		commitPerSec int // blocks every 100 ms for a second
		wantBound    int
		wantRate     int
	}{
		{"fixed", 7, 3_000, 7, 0},
		{"off", -1, 3_000, 0, 0},
		{"derived, idle: a quarter block", 0, 0, 500, 0},
		{"derived: admit_ms of commits", 0, 4_000, 3_000, 4_000},
		{"derived, slow chain: the floor", 0, 400, 500, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig() // AdmitMs 750
			cfg.AdmitPending = tc.admitPending
			cfg.Clock = clock
			p, _ := testPoolGenesis(t, cfg, func(g *chain.Genesis) { g.Params.MaxBlockTxs = 2_000 })
			if tc.commitPerSec > 0 {
				p.mu.Lock()
				for i := 0; i <= 10; i++ {
					p.mu.commits.note(clock.t.Add(time.Duration(i-10)*100*time.Millisecond), tc.commitPerSec/10)
				}
				p.mu.Unlock()
			}
			if bound, rate := p.AdmitBound(); bound != tc.wantBound || rate != tc.wantRate {
				t.Fatalf("AdmitBound() = %d, %d; want %d, %d", bound, rate, tc.wantBound, tc.wantRate)
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
