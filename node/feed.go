package node

import (
	"sync"

	"github.com/taonet/taod/types"
)

// headFeed fans committed headers out to subscribers. A slow subscriber
// misses headers rather than stalling block production.
type headFeed struct {
	mu struct {
		sync.Mutex
		subs map[chan *types.Header]struct{} // guarded by mu
	}
}

func newHeadFeed() *headFeed {
	f := &headFeed{}
	f.mu.subs = make(map[chan *types.Header]struct{})
	return f
}

// Subscribe returns a channel of new headers and a function that ends the
// subscription.
func (f *headFeed) Subscribe() (<-chan *types.Header, func()) {
	ch := make(chan *types.Header, 64)
	f.mu.Lock()
	f.mu.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		delete(f.mu.subs, ch)
		f.mu.Unlock()
	}
}

func (f *headFeed) send(h *types.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.mu.subs {
		select {
		case ch <- h:
		default:
		}
	}
}
