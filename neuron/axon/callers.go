package axon

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/types"
)

// callers holds per-caller replay and rate state, bounded in count. When it
// is full, the caller whose last nonce is oldest is evicted and floor rises
// to that nonce: any nonce at or below floor is refused as a replay, so
// eviction never reopens a replay window.
type callers struct {
	max   int
	limit rate.Limit
	burst int

	mu struct {
		sync.Mutex
		m     map[types.Address]*callerState // bounded by max
		floor uint64                         // highest nonce of an evicted caller
	}
}

// ReorderWindow is how many of a caller's most recent nonces an axon
// remembers. Concurrent requests from one caller may arrive out of order: a
// nonce is accepted once if it is above the oldest remembered one, so up to
// ReorderWindow requests in flight may overtake each other, and none can be
// replayed.
const ReorderWindow = 32

type callerState struct {
	recent []uint64 // accepted nonces, ascending, at most ReorderWindow
	lim    *rate.Limiter
}

func (s *callerState) last() uint64 {
	if len(s.recent) == 0 {
		return 0
	}
	return s.recent[len(s.recent)-1]
}

// replayed reports whether nonce was accepted before or is older than the window.
func (s *callerState) replayed(nonce uint64) bool {
	if len(s.recent) == ReorderWindow && nonce <= s.recent[0] {
		return true
	}
	_, found := slices.BinarySearch(s.recent, nonce)
	return found
}

func (s *callerState) record(nonce uint64) {
	i, _ := slices.BinarySearch(s.recent, nonce)
	s.recent = slices.Insert(s.recent, i, nonce)
	if len(s.recent) > ReorderWindow {
		s.recent = s.recent[1:]
	}
}

func newCallers(max int, limit rate.Limit, burst int) *callers {
	c := &callers{max: max, limit: limit, burst: burst}
	c.mu.m = make(map[types.Address]*callerState)
	return c
}

// seen reports a replay without changing state: a cheap check before the
// signature is verified.
func (c *callers) seen(a types.Address, nonce uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if nonce <= c.mu.floor {
		return true
	}
	s, ok := c.mu.m[a]
	return ok && s.replayed(nonce)
}

// admit records a verified request: it refuses a replay or a caller over its
// rate, else remembers the nonce.
func (c *callers) admit(a types.Address, nonce uint64, now time.Time) neuron.Code {
	c.mu.Lock()
	defer c.mu.Unlock()
	if nonce <= c.mu.floor {
		return neuron.CodeReplay
	}
	s, ok := c.mu.m[a]
	if !ok {
		if len(c.mu.m) >= c.max {
			c.evictOldest()
		}
		s = &callerState{lim: rate.NewLimiter(c.limit, c.burst)}
		c.mu.m[a] = s
	}
	if s.replayed(nonce) {
		return neuron.CodeReplay
	}
	if !s.lim.AllowN(now, 1) {
		return neuron.CodeRateLimited
	}
	s.record(nonce)
	return ""
}

// evictOldest drops the caller with the oldest last nonce. c.mu is held.
func (c *callers) evictOldest() {
	var (
		victim types.Address
		oldest uint64
		found  bool
	)
	for a, s := range c.mu.m { // order is irrelevant: the minimum is unique up to ties, any tie is fine
		if l := s.last(); !found || l < oldest || l == oldest && bytesLess(a, victim) {
			victim, oldest, found = a, l, true
		}
	}
	if found {
		delete(c.mu.m, victim)
		c.mu.floor = max(c.mu.floor, oldest)
	}
}

func bytesLess(a, b types.Address) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func (c *callers) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mu.m)
}
