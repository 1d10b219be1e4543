package consensus

import "fmt"

// Timeouts are the round timeouts in ticks. Each grows linearly with the
// round (base + delta × round), so that after the network stabilises some
// round is long enough for every honest validator to hear the others: the
// partial-synchrony argument of the Tendermint paper.
type Timeouts struct {
	Propose        uint64 // wait for the round's proposal (and its validation)
	ProposeDelta   uint64
	Prevote        uint64 // after > 2/3 prevotes for different values, wait for a majority
	PrevoteDelta   uint64
	Precommit      uint64 // after > 2/3 precommits for different values, wait before the next round
	PrecommitDelta uint64
	Commit         uint64 // after NewHeight, wait before round 0 (gathers late precommits and txs)
}

// ProposeAt is the propose timeout of round r.
func (t Timeouts) ProposeAt(r uint32) uint64 { return t.Propose + t.ProposeDelta*uint64(r) }

// PrevoteAt is the prevote timeout of round r.
func (t Timeouts) PrevoteAt(r uint32) uint64 { return t.Prevote + t.PrevoteDelta*uint64(r) }

// PrecommitAt is the precommit timeout of round r.
func (t Timeouts) PrecommitAt(r uint32) uint64 { return t.Precommit + t.PrecommitDelta*uint64(r) }

// DefaultTimeouts returns the default timeouts, for a 10 ms tick: 1 s to
// propose, growing by 0.5 s a round; no wait between heights.
func DefaultTimeouts() Timeouts {
	return Timeouts{
		Propose: 100, ProposeDelta: 50,
		Prevote: 50, PrevoteDelta: 25,
		Precommit: 50, PrecommitDelta: 25,
	}
}

// Config configures an Engine. The zero value of every field but ChainID has a
// usable default (EnsureDefaults).
type Config struct {
	// ChainID is bound into every signature.
	ChainID uint64
	// Signer signs with this node's consensus key; nil runs the engine as an
	// observer that follows consensus and never signs.
	Signer Signer
	// Verifier checks other validators' signatures; nil means SigVerifier.
	Verifier Verifier
	// Timeouts, in ticks. A zero Timeouts means DefaultTimeouts.
	Timeouts Timeouts
	// RebroadcastTicks is how often the engine re-sends its own messages of
	// the current round (and its precommit of the last height), so that
	// consensus survives lost messages. 0 means 2 × Timeouts.Propose.
	RebroadcastTicks uint64
	// MaxFutureMessages and MaxFutureBytes bound the buffer of messages for
	// the next height, kept until NewHeight, in total; each validator of that
	// height is sure of its fair share (the totals ÷ the set size).
	// 0 means 4096 messages and 64 MiB.
	MaxFutureMessages int
	MaxFutureBytes    int
	// MaxFuturePerValidator and MaxFutureBytesPerValidator bound what one
	// validator's messages may take of that buffer. 0 means 32 messages
	// (distinct votes and proposals of a few rounds; rebroadcasts are
	// deduplicated) and one maximal proposal plus 64 KiB.
	MaxFuturePerValidator      int
	MaxFutureBytesPerValidator int
}

// EnsureDefaults fills unset fields with their defaults.
func (c *Config) EnsureDefaults() {
	if c.Verifier == nil {
		c.Verifier = SigVerifier{ChainID: c.ChainID}
	}
	if c.Timeouts == (Timeouts{}) {
		c.Timeouts = DefaultTimeouts()
	}
	if c.RebroadcastTicks == 0 {
		c.RebroadcastTicks = 2 * max(c.Timeouts.Propose, 1)
	}
	if c.MaxFutureMessages == 0 {
		c.MaxFutureMessages = 4096
	}
	if c.MaxFutureBytes == 0 {
		c.MaxFutureBytes = 64 << 20
	}
	if c.MaxFuturePerValidator == 0 {
		c.MaxFuturePerValidator = 32
	}
	if c.MaxFutureBytesPerValidator == 0 {
		c.MaxFutureBytesPerValidator = MaxMessageSize + 64<<10
	}
}

// Validate checks a config after EnsureDefaults.
func (c *Config) Validate() error {
	switch {
	case c.Timeouts.Propose == 0 || c.Timeouts.Prevote == 0 || c.Timeouts.Precommit == 0:
		return fmt.Errorf("%w: propose, prevote and precommit timeouts must be at least one tick", ErrBadConfig)
	case c.MaxFutureMessages < 0 || c.MaxFutureBytes < 0 || c.MaxFuturePerValidator < 0 || c.MaxFutureBytesPerValidator < 0:
		return fmt.Errorf("%w: negative bound on next-height messages", ErrBadConfig)
	case c.Verifier == nil:
		return fmt.Errorf("%w: no verifier", ErrBadConfig)
	}
	return nil
}
