package txpool

import (
	"errors"
	"fmt"
	"time"
)

// Clock tells the time; the queued lifetime is measured on it.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Config bounds the pool. The defaults follow go-ethereum's legacypool,
// scaled for blocks of up to 20,000 txs.
type Config struct {
	// AccountSlots pending txs per sender are guaranteed: never evicted to
	// make room for another sender's tx.
	AccountSlots int `toml:"account_slots"`
	// AccountQueue bounds a sender's queued (gapped) txs, and how far past its
	// pending run a nonce may be.
	AccountQueue int `toml:"account_queue"`
	GlobalSlots  int `toml:"global_slots"` // pending txs of all senders
	GlobalQueue  int `toml:"global_queue"` // queued txs of all senders
	// MaxBytes bounds the memory of all pooled txs: each counts its
	// encoding and its decoded form (types.Tx.MemSize), up to twice the
	// encoded size for a large call.
	MaxBytes int `toml:"max_bytes"`
	// LifetimeSec: a sender's queued txs are dropped when none of its txs was
	// added or became executable for this long.
	LifetimeSec uint64 `toml:"lifetime_sec"`
	// PriceBumpPct is how much higher (in %) fee + tip must be to replace a
	// pooled tx of the same sender and nonce.
	PriceBumpPct uint64 `toml:"price_bump_pct"`
	// MaxFeeFree bounds the hotkeys the fee-free rate limit remembers.
	MaxFeeFree int `toml:"max_fee_free"`
	// AdmitPending is a fixed admission bound for locally submitted txs
	// (AddLocal): with this many pending txs pooled, an RPC submission is
	// refused with ErrBusy. 0 (the default) derives the bound from AdmitMs;
	// < 0 turns admission control off. Gossiped txs never meet it.
	AdmitPending int `toml:"admit_pending"`
	// AdmitMs is the latency budget of the derived bound: the pending txs
	// the chain commits in this many ms at the rate it committed over the
	// last blocks (at least a quarter of a full block). docs/notes/bench-net.md
	// has the measurements behind the default.
	AdmitMs uint64 `toml:"admit_ms"`

	// Clock defaults to the wall clock; tests set a fake one.
	Clock Clock `toml:"-"`
}

// DefaultConfig returns the pool limits a node starts with.
func DefaultConfig() Config {
	return Config{
		AccountSlots: 16,
		AccountQueue: 64,
		GlobalSlots:  40_960, // two of the largest blocks
		GlobalQueue:  1_024,
		MaxBytes:     64 << 20,
		LifetimeSec:  3 * 60 * 60,
		PriceBumpPct: 10,
		MaxFeeFree:   16_384,
		AdmitMs:      750,
	}
}

// ErrConfig reports an unusable pool configuration.
var ErrConfig = errors.New("txpool: bad config")

// Validate checks the limits.
func (c Config) Validate() error {
	switch {
	case c.AccountSlots <= 0 || c.AccountQueue <= 0 || c.GlobalSlots <= 0 || c.GlobalQueue <= 0:
		return fmt.Errorf("%w: account_slots, account_queue, global_slots and global_queue must be positive", ErrConfig)
	case c.MaxBytes < 1<<20:
		return fmt.Errorf("%w: max_bytes must be at least 1 MiB", ErrConfig)
	case c.LifetimeSec == 0:
		return fmt.Errorf("%w: lifetime_sec must be positive", ErrConfig)
	case c.MaxFeeFree <= 0:
		return fmt.Errorf("%w: max_fee_free must be positive", ErrConfig)
	case c.AdmitPending == 0 && c.AdmitMs == 0:
		return fmt.Errorf("%w: admit_ms must be positive when admit_pending is 0 (derived bound)", ErrConfig)
	}
	return nil
}

func (c Config) lifetime() time.Duration { return time.Duration(c.LifetimeSec) * time.Second }
