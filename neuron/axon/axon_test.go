package axon

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

const testChain = 945

type echoReq struct {
	X int `json:"x"`
}
type echoResp struct {
	Y   int    `json:"y"`
	UID uint16 `json:"uid"`
}

func mustKey(t testing.TB, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) types.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// fixture is an axon (uid 0) and three callers: uid 1 validator with a
// permit and high stake, uid 2 a low-stake miner, and an unregistered key.
type fixture struct {
	axonKey, val, miner, stranger *ecdsa.PrivateKey
	mg                            *metagraph.Metagraph
	ax                            *Axon
	srv                           *httptest.Server
	now                           time.Time
}

func newFixture(t testing.TB, mod func(*Config), handler Handler[echoReq, echoResp]) *fixture {
	t.Helper()
	f := &fixture{axonKey: mustKey(t, 1), val: mustKey(t, 2), miner: mustKey(t, 3), stranger: mustKey(t, 4)}
	f.now = time.Unix(1_765_000_000, 0)
	f.mg = metagraph.New(1)
	f.mg.Set(10, subnet.Default(), []neuron.Neuron{
		{Hotkey: addr(f.axonKey), Stake: 10},
		{Hotkey: addr(f.val), Stake: 1_000_000, Permit: true},
		{Hotkey: addr(f.miner), Stake: 5},
	})
	cfg := Config{Key: f.axonKey, ChainID: testChain, Netuid: 1, Metagraph: f.mg, Now: func() time.Time { return f.now }}
	if mod != nil {
		mod(&cfg)
	}
	ax, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if handler == nil {
		handler = func(_ context.Context, c neuron.Neuron, r echoReq) (echoResp, error) {
			return echoResp{Y: 2 * r.X, UID: c.UID}, nil
		}
	}
	if err := Handle(ax, "echo", handler); err != nil {
		t.Fatal(err)
	}
	f.ax = ax
	f.srv = httptest.NewServer(ax)
	t.Cleanup(f.srv.Close)
	return f
}

// rawReq is a hand-built request: every field can be wrong on purpose.
type rawReq struct {
	key     *ecdsa.PrivateKey // signs
	caller  types.Address     // claimed
	axon    types.Address
	chain   uint64
	netuid  uint16
	nonce   uint64
	kind    string
	body    []byte
	sigBody []byte // body the signature covers (default body)
	chunked bool   // send the body without a Content-Length
}

func (f *fixture) raw(key *ecdsa.PrivateKey, nonce uint64) rawReq {
	return rawReq{key: key, caller: addr(key), axon: addr(f.axonKey), chain: testChain, netuid: 1, nonce: nonce, kind: "echo", body: []byte(`{"x":21}`)}
}

func (f *fixture) nonceAt(d time.Duration) uint64 { return uint64(f.now.Add(d).UnixNano()) }

func (f *fixture) send(t testing.TB, r rawReq) (*http.Response, []byte) {
	t.Helper()
	sb := r.sigBody
	if sb == nil {
		sb = r.body
	}
	h := neuron.RequestHeader{ChainID: r.chain, Netuid: r.netuid, Nonce: r.nonce, Caller: r.caller, Axon: r.axon, Kind: r.kind, BodyHash: types.Keccak256(sb)}
	sig, err := neuron.Sign(h.Hash(), r.key)
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader = bytes.NewReader(r.body)
	if r.chunked {
		rd = io.MultiReader(rd) // a reader whose length net/http cannot know
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+neuron.PathPrefix+r.kind, rd)
	req.Header.Set(neuron.HeaderChainID, strconv.FormatUint(r.chain, 10))
	req.Header.Set(neuron.HeaderNetuid, strconv.FormatUint(uint64(r.netuid), 10))
	req.Header.Set(neuron.HeaderNonce, strconv.FormatUint(r.nonce, 10))
	req.Header.Set(neuron.HeaderCaller, r.caller.Hex())
	req.Header.Set(neuron.HeaderAxon, r.axon.Hex())
	req.Header.Set(neuron.HeaderSignature, hexutil.Encode(sig))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Signed answers must verify against the axon's hotkey over this request.
	if s := resp.Header.Get(neuron.HeaderSignature); s != "" {
		rs, _ := hexutil.Decode(s)
		if err := neuron.Verify(neuron.ResponseHash(h.Hash(), uint16(resp.StatusCode), types.Keccak256(b)), rs, addr(f.axonKey)); err != nil {
			t.Fatalf("response signature: %v", err)
		}
	}
	return resp, b
}

func wantCode(t testing.TB, resp *http.Response, body []byte, code neuron.Code) {
	t.Helper()
	if resp.StatusCode != code.Status() || resp.Header.Get(neuron.HeaderError) != string(code) {
		t.Fatalf("got %d %q (%s), want %d %q", resp.StatusCode, resp.Header.Get(neuron.HeaderError), body, code.Status(), code)
	}
	var eb neuron.ErrorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Code != code || eb.Error == "" {
		t.Fatalf("error body %s: want code %q and a message", body, code)
	}
}

func TestAxonAnswersSignedRequest(t *testing.T) {
	f := newFixture(t, nil, nil)
	resp, body := f.send(t, f.raw(f.val, f.nonceAt(0)))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if resp.Header.Get(neuron.HeaderSignature) == "" {
		t.Fatal("answer not signed")
	}
	var r echoResp
	if err := json.Unmarshal(body, &r); err != nil || r.Y != 42 || r.UID != 1 {
		t.Fatalf("answer %s (%v): want y=42 from caller uid 1", body, err)
	}
}

func TestAxonRefusesHostileRequests(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 64 }, nil)
	n := f.nonceAt(0)
	cases := []struct {
		name string
		mod  func(*rawReq)
		code neuron.Code
	}{
		{"forged signature", func(r *rawReq) { r.key = f.miner; r.caller = addr(f.val) }, neuron.CodeBadSignature},
		{"body swapped after signing", func(r *rawReq) { r.sigBody = []byte(`{"x":1}`) }, neuron.CodeBadSignature},
		{"unknown caller", func(r *rawReq) { r.key, r.caller = f.stranger, addr(f.stranger) }, neuron.CodeNotRegistered},
		{"stale nonce", func(r *rawReq) { r.nonce = f.nonceAt(-31 * time.Second) }, neuron.CodeStaleNonce},
		{"future nonce", func(r *rawReq) { r.nonce = f.nonceAt(31 * time.Second) }, neuron.CodeStaleNonce},
		{"max nonce", func(r *rawReq) { r.nonce = ^uint64(0) }, neuron.CodeStaleNonce},
		{"oversize body", func(r *rawReq) { r.body = []byte(`{"x":` + strings.Repeat("1", 100) + `}`) }, neuron.CodeTooLarge},
		{"oversize body, no Content-Length", func(r *rawReq) {
			r.body, r.chunked = []byte(`{"x":`+strings.Repeat("1", 100)+`}`), true
		}, neuron.CodeTooLarge},
		{"wrong chain", func(r *rawReq) { r.chain = 1 }, neuron.CodeWrongChain},
		{"wrong subnet", func(r *rawReq) { r.netuid = 2 }, neuron.CodeWrongChain},
		{"other axon", func(r *rawReq) { r.axon = addr(f.miner) }, neuron.CodeWrongAxon},
		{"unknown kind", func(r *rawReq) { r.kind = "nope" }, neuron.CodeUnknownKind},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.raw(f.val, n+uint64(i)+1)
			c.mod(&r)
			resp, body := f.send(t, r)
			wantCode(t, resp, body, c.code)
		})
	}
	// None of the refused requests consumed the caller's nonces: a fresh one still works.
	if resp, body := f.send(t, f.raw(f.val, n+1)); resp.StatusCode != 200 {
		t.Fatalf("after refusals: %d %s", resp.StatusCode, body)
	}
	bad := f.raw(f.val, n+2)
	bad.body = []byte(`{"x":"a"}`)
	resp, body := f.send(t, bad)
	wantCode(t, resp, body, neuron.CodeBadBody)
}

func TestAxonRefusesReplay(t *testing.T) {
	f := newFixture(t, nil, nil)
	r := f.raw(f.val, f.nonceAt(0))
	if resp, body := f.send(t, r); resp.StatusCode != 200 {
		t.Fatalf("first: %d %s", resp.StatusCode, body)
	}
	resp, body := f.send(t, r)
	wantCode(t, resp, body, neuron.CodeReplay)
	// Past the reorder window, an older unseen nonce is refused too.
	for i := range uint64(ReorderWindow) {
		if resp, body := f.send(t, f.raw(f.val, r.nonce+1+i)); resp.StatusCode != 200 {
			t.Fatalf("fresh nonce: %d %s", resp.StatusCode, body)
		}
	}
	r.nonce--
	resp, body = f.send(t, r)
	wantCode(t, resp, body, neuron.CodeReplay)
}

func TestAxonPolicy(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RequirePermit = true }, nil)
	resp, body := f.send(t, f.raw(f.miner, f.nonceAt(0)))
	wantCode(t, resp, body, neuron.CodeNoPermit)

	g := newFixture(t, func(c *Config) { c.MinStake = 100 }, nil)
	resp, body = g.send(t, g.raw(g.miner, g.nonceAt(0)))
	wantCode(t, resp, body, neuron.CodeLowStake)
	if resp, body := g.send(t, g.raw(g.val, g.nonceAt(0))); resp.StatusCode != 200 {
		t.Fatalf("staked validator refused: %d %s", resp.StatusCode, body)
	}
}

func TestAxonRateLimitPerCaller(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RatePerCaller = 1; c.RateBurst = 3 }, nil)
	n := f.nonceAt(0)
	for i := range 3 {
		if resp, body := f.send(t, f.raw(f.miner, n+uint64(i))); resp.StatusCode != 200 {
			t.Fatalf("request %d within burst: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := f.send(t, f.raw(f.miner, n+10))
	wantCode(t, resp, body, neuron.CodeRateLimited)
	// Another caller is not affected by the first one's flood.
	if resp, body := f.send(t, f.raw(f.val, n)); resp.StatusCode != 200 {
		t.Fatalf("other caller: %d %s", resp.StatusCode, body)
	}
	// The limiter refills with the (injected) clock.
	f.now = f.now.Add(time.Second)
	if resp, body := f.send(t, f.raw(f.miner, f.nonceAt(0))); resp.StatusCode != 200 {
		t.Fatalf("after refill: %d %s", resp.StatusCode, body)
	}
}

// A low-stake caller floods a busy axon; a high-stake caller arriving later
// displaces a queued flood request and is served next.
func TestAxonFloodDoesNotStarveStakedCaller(t *testing.T) {
	release := make(chan struct{})
	var order []uint16
	var mu sync.Mutex
	f := newFixture(t, func(c *Config) { c.MaxConcurrent = 1; c.QueueLen = 4; c.RateBurst = 1000 },
		func(_ context.Context, c neuron.Neuron, r echoReq) (echoResp, error) {
			<-release
			mu.Lock()
			order = append(order, c.UID)
			mu.Unlock()
			return echoResp{Y: r.X, UID: c.UID}, nil
		})
	n := f.nonceAt(0)
	codes := make(chan string, 20)
	var wg sync.WaitGroup
	for i := range 5 { // one runs, four queue
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := f.send(t, f.raw(f.miner, n+uint64(i)))
			codes <- strconv.Itoa(resp.StatusCode) + " " + resp.Header.Get(neuron.HeaderError)
		}()
	}
	waitFor(t, func() bool { return f.ax.gate.queued() == 4 })
	// Queue full: one more from the flooder is refused outright.
	resp, body := f.send(t, f.raw(f.miner, n+100))
	wantCode(t, resp, body, neuron.CodeBusy)

	done := make(chan *http.Response, 1)
	go func() { r, _ := f.send(t, f.raw(f.val, n)); done <- r }()
	waitFor(t, func() bool { return len(codes) == 1 }) // the validator shed one flood request
	if c := <-codes; c != "503 shed" {
		t.Fatalf("displaced flood request answered %q, want 503 shed", c)
	}
	close(release)
	if r := <-done; r.StatusCode != 200 {
		t.Fatalf("validator: %d", r.StatusCode)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	// The running flood request finishes first, then the validator jumps the queue.
	if len(order) != 5 || order[0] != 2 || order[1] != 1 {
		t.Fatalf("service order %v: want the validator (uid 1) right after the running request", order)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAxonHandlerErrorIsSigned(t *testing.T) {
	f := newFixture(t, nil, func(context.Context, neuron.Neuron, echoReq) (echoResp, error) {
		return echoResp{}, errors.New("model offline")
	})
	resp, body := f.send(t, f.raw(f.val, f.nonceAt(0)))
	wantCode(t, resp, body, neuron.CodeHandler)
	if resp.Header.Get(neuron.HeaderSignature) == "" || !strings.Contains(string(body), "model offline") {
		t.Fatalf("handler error: signed=%q body %s", resp.Header.Get(neuron.HeaderSignature), body)
	}
}

func TestAxonRefusalsBeforeVerifyAreUnsigned(t *testing.T) {
	f := newFixture(t, nil, nil)
	r := f.raw(f.miner, f.nonceAt(0))
	r.caller = addr(f.val) // forged
	resp, _ := f.send(t, r)
	if resp.Header.Get(neuron.HeaderSignature) != "" {
		t.Fatal("axon signed an answer to a forged request (a forger could make it sign at will)")
	}
}

func TestHandleRules(t *testing.T) {
	f := newFixture(t, nil, nil)
	h := func(context.Context, neuron.Neuron, echoReq) (echoResp, error) { return echoResp{}, nil }
	if err := Handle(f.ax, "Bad Kind", h); !errors.Is(err, neuron.ErrBadKind) {
		t.Fatalf("bad kind: %v", err)
	}
	f.send(t, f.raw(f.val, f.nonceAt(0)))
	if err := Handle(f.ax, "later", h); !errors.Is(err, ErrServing) {
		t.Fatalf("Handle while serving: %v", err)
	}
}

func TestCallersBoundedWithoutReopeningReplays(t *testing.T) {
	c := newCallers(2, 1000, 1000)
	now := time.Unix(0, 0)
	a, b, d := types.Address{1}, types.Address{2}, types.Address{3}
	for _, x := range []struct {
		who   types.Address
		nonce uint64
	}{{a, 10}, {b, 20}, {d, 30}} {
		if code := c.admit(x.who, x.nonce, now); code != "" {
			t.Fatalf("admit %v: %s", x, code)
		}
	}
	if c.len() != 2 {
		t.Fatalf("%d callers tracked, bound 2", c.len())
	}
	// a was evicted (oldest): its old nonce must still be refused.
	if !c.seen(a, 10) || c.admit(a, 10, now) != neuron.CodeReplay {
		t.Fatal("evicted caller's nonce replayable")
	}
	if code := c.admit(a, 11, now); code != "" {
		t.Fatalf("fresh nonce after eviction: %s", code)
	}
}

func TestGateOrdersByStakeAndSheds(t *testing.T) {
	g := newGate(1, 2)
	ctx := context.Background()
	if g.acquire(ctx, 0) != "" {
		t.Fatal("free slot refused")
	}
	got := make(chan string, 3)
	enqueue := func(stake uint64) {
		go func() { got <- fmt.Sprint(stake, g.acquire(ctx, stake)) }()
	}
	enqueue(5)
	waitFor(t, func() bool { return g.queued() == 1 })
	enqueue(7)
	waitFor(t, func() bool { return g.queued() == 2 })
	if g.acquire(ctx, 5) != neuron.CodeBusy {
		t.Fatal("equal-stake newcomer should be refused, not shed the waiter")
	}
	enqueue(9) // sheds 5
	if r := <-got; r != "5shed" {
		t.Fatalf("got %q, want 5shed", r)
	}
	g.release()
	if r := <-got; r != "9" {
		t.Fatalf("got %q, want the highest stake (9) first", r)
	}
	g.release()
	if r := <-got; r != "7" {
		t.Fatalf("got %q, want 7", r)
	}
	g.release()
	if g.mu.free != 1 {
		t.Fatalf("free slots %d, want 1", g.mu.free)
	}
	cctx, cancel := context.WithCancel(ctx)
	if g.acquire(ctx, 0) != "" {
		t.Fatal("slot")
	}
	go func() { waitFor(t, func() bool { return g.queued() == 1 }); cancel() }()
	if code := g.acquire(cctx, 1); code != neuron.CodeTimeout || g.queued() != 0 {
		t.Fatalf("cancelled waiter: %q, queued %d", code, g.queued())
	}
}

// Concurrent requests of one caller may arrive out of order within the
// reorder window; each nonce is still accepted once only.
func TestCallersReorderWindow(t *testing.T) {
	c := newCallers(10, 1000, 1000)
	now := time.Unix(0, 0)
	a := types.Address{1}
	for _, n := range []uint64{100, 90, 95, 101} {
		if code := c.admit(a, n, now); code != "" {
			t.Fatalf("nonce %d out of order within the window: %s", n, code)
		}
	}
	for _, n := range []uint64{100, 90, 95, 101} {
		if code := c.admit(a, n, now); code != neuron.CodeReplay {
			t.Fatalf("nonce %d replayed: %q", n, code)
		}
	}
	for i := range uint64(ReorderWindow) {
		if code := c.admit(a, 1000+i, now); code != "" {
			t.Fatal(code)
		}
	}
	// The window has moved past 1000: anything at or below it is refused, even unseen.
	if code := c.admit(a, 999, now); code != neuron.CodeReplay {
		t.Fatalf("nonce below the window: %q", code)
	}
}

// A panicking handler does not leak its slot: with one slot, the next
// request is still served.
func TestAxonHandlerPanicFreesSlot(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxConcurrent = 1 }, func(_ context.Context, _ neuron.Neuron, r echoReq) (echoResp, error) {
		if r.X == 0 {
			panic("boom")
		}
		return echoResp{Y: r.X}, nil
	})
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	n := f.nonceAt(0)
	boom := f.raw(f.val, n)
	boom.body = []byte(`{"x":0}`)
	f.sendNoCheck(t, boom)
	if resp, body := f.send(t, f.raw(f.val, n+1)); resp.StatusCode != 200 {
		t.Fatalf("after a handler panic: %d %s", resp.StatusCode, body)
	}
	if f.ax.gate.mu.free != 1 {
		t.Fatalf("free slots %d, want 1", f.ax.gate.mu.free)
	}
}

// sendNoCheck sends r and ignores the outcome (the connection may be cut).
func (f *fixture) sendNoCheck(t testing.TB, r rawReq) {
	h := neuron.RequestHeader{ChainID: r.chain, Netuid: r.netuid, Nonce: r.nonce, Caller: r.caller, Axon: r.axon, Kind: r.kind, BodyHash: types.Keccak256(r.body)}
	sig, _ := neuron.Sign(h.Hash(), r.key)
	var rd io.Reader = bytes.NewReader(r.body)
	if r.chunked {
		rd = io.MultiReader(rd) // a reader whose length net/http cannot know
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+neuron.PathPrefix+r.kind, rd)
	req.Header.Set(neuron.HeaderChainID, strconv.FormatUint(r.chain, 10))
	req.Header.Set(neuron.HeaderNetuid, strconv.FormatUint(uint64(r.netuid), 10))
	req.Header.Set(neuron.HeaderNonce, strconv.FormatUint(r.nonce, 10))
	req.Header.Set(neuron.HeaderCaller, r.caller.Hex())
	req.Header.Set(neuron.HeaderAxon, r.axon.Hex())
	req.Header.Set(neuron.HeaderSignature, hexutil.Encode(sig))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// A host forging requests in a registered validator's name is cut off at
// its own rate, before signature checks; another host is not affected.
func TestAxonHostRateBeforeVerify(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RatePerHost = 1; c.HostBurst = 3 }, nil)
	n := f.nonceAt(0)
	serve := func(remote string, r rawReq) *httptest.ResponseRecorder {
		h := neuron.RequestHeader{ChainID: r.chain, Netuid: r.netuid, Nonce: r.nonce, Caller: r.caller, Axon: r.axon, Kind: r.kind, BodyHash: types.Keccak256(r.body)}
		sig, _ := neuron.Sign(h.Hash(), r.key)
		req := httptest.NewRequest(http.MethodPost, neuron.PathPrefix+r.kind, bytes.NewReader(r.body))
		req.RemoteAddr = remote
		req.Header.Set(neuron.HeaderChainID, strconv.FormatUint(r.chain, 10))
		req.Header.Set(neuron.HeaderNetuid, strconv.FormatUint(uint64(r.netuid), 10))
		req.Header.Set(neuron.HeaderNonce, strconv.FormatUint(r.nonce, 10))
		req.Header.Set(neuron.HeaderCaller, r.caller.Hex())
		req.Header.Set(neuron.HeaderAxon, r.axon.Hex())
		req.Header.Set(neuron.HeaderSignature, hexutil.Encode(sig))
		w := httptest.NewRecorder()
		f.ax.ServeHTTP(w, req)
		return w
	}
	forged := func(i int) rawReq {
		r := f.raw(f.miner, n+uint64(i))
		r.caller = addr(f.val)
		return r
	}
	for i := range 3 {
		if w := serve("203.0.113.9:4000", forged(i)); w.Header().Get(neuron.HeaderError) != string(neuron.CodeBadSignature) {
			t.Fatalf("forgery %d within burst: %d %s", i, w.Code, w.Body)
		}
	}
	if w := serve("203.0.113.9:4001", forged(3)); w.Header().Get(neuron.HeaderError) != string(neuron.CodeRateLimited) {
		t.Fatalf("forgery past the host's burst: %d %s", w.Code, w.Body)
	}
	if w := serve("198.51.100.7:5000", f.raw(f.val, n)); w.Code != 200 {
		t.Fatalf("another host: %d %s", w.Code, w.Body)
	}
}

func TestHostLimitsBoundedAndGrouped(t *testing.T) {
	l := newIPLimits(2, 0, 1) // one request per address, never refilled
	now := time.Unix(0, 0)
	if !l.allow("[2001:db8:1:2::1]:1", now) || l.allow("[2001:db8:1:2::ffff]:9", now) {
		t.Fatal("addresses in one IPv6 /64 must share a bucket")
	}
	if !l.allow("192.0.2.1:1", now.Add(time.Second)) || !l.allow("192.0.2.2:1", now.Add(2*time.Second)) {
		t.Fatal("fresh addresses refused")
	}
	if l.len() != 2 {
		t.Fatalf("%d addresses tracked, bound 2", l.len())
	}
	if l.allow("192.0.2.2:7", now.Add(3*time.Second)) {
		t.Fatal("the most recent address lost its state")
	}
	if hostKey("garbage") != hostKey("also garbage") {
		t.Fatal("unparseable addresses must share one bucket")
	}
}
