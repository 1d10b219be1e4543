package axon

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ipLimits rate-limits requests that reach signature verification per
// remote address (IPv6 per /64), so one host forging requests in the name
// of registered hotkeys costs at most its rate in signature recoveries.
// Bounded in count: a new address evicts the one seen longest ago (its
// bucket restarts full, which only ever favours the evicted address).
type ipLimits struct {
	max   int
	limit rate.Limit
	burst int

	mu struct {
		sync.Mutex
		m map[netip.Addr]*ipState // bounded by max
	}
}

type ipState struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimits(max int, limit rate.Limit, burst int) *ipLimits {
	l := &ipLimits{max: max, limit: limit, burst: burst}
	l.mu.m = make(map[netip.Addr]*ipState)
	return l
}

// hostKey is the bucket of a remote address ("ip:port" as net/http gives it).
func hostKey(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{} // unparseable: one shared bucket
	}
	a := ap.Addr().Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

func (l *ipLimits) allow(remote string, now time.Time) bool {
	k := hostKey(remote)
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.mu.m[k]
	if !ok {
		if len(l.mu.m) >= l.max {
			var victim netip.Addr
			var oldest time.Time
			first := true
			for a, x := range l.mu.m { // any order: the oldest is unique up to ties, and a tie is harmless
				if first || x.seen.Before(oldest) {
					victim, oldest, first = a, x.seen, false
				}
			}
			delete(l.mu.m, victim)
		}
		s = &ipState{lim: rate.NewLimiter(l.limit, l.burst)}
		l.mu.m[k] = s
	}
	s.seen = now
	return s.lim.AllowN(now, 1)
}

func (l *ipLimits) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.mu.m)
}
