package axon

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"golang.org/x/time/rate"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/types"
)

// Config is an axon's identity, admission policy and bounds. Zero bounds
// take the defaults of EnsureDefaults.
type Config struct {
	Key       *ecdsa.PrivateKey // the axon's hotkey: responses are signed with it
	ChainID   uint64
	Netuid    uint16
	Metagraph neuron.Lookup // who is registered, with what stake and permit

	RequirePermit bool   // admit only callers holding a validator permit
	MinStake      uint64 // admit only callers with at least this stake (rao)

	MaxBodyBytes   int64         // request body bound (default 1 MiB)
	MaxHeaderBytes int           // request header bound, for Serve (default 16 KiB)
	ClockWindow    time.Duration // a nonce must be within ±ClockWindow of now (default 30 s)
	MaxCallers     int           // per-caller state entries (default 4096, one per UID)
	RatePerCaller  rate.Limit    // requests/s per caller (default 50)
	RateBurst      int           // burst per caller (default 100)
	RatePerHost    rate.Limit    // requests/s per remote address (IPv6: per /64) reaching signature checks (default 500)
	HostBurst      int           // burst per remote address (default 1000)
	MaxHosts       int           // per-address state entries (default 4096)
	MaxConcurrent  int           // handlers running at once (default 2 × GOMAXPROCS)
	QueueLen       int           // requests waiting for a handler (default 256)
	MaxInflight    int           // requests past the header checks at once (default 4 × (MaxConcurrent + QueueLen))
	HandlerTimeout time.Duration // a handler's budget, queueing included (default 12 s)

	Now func() time.Time // clock (default time.Now)
}

// EnsureDefaults fills zero fields with defaults.
func (c *Config) EnsureDefaults() {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = 16 << 10
	}
	if c.ClockWindow == 0 {
		c.ClockWindow = 30 * time.Second
	}
	if c.MaxCallers == 0 {
		c.MaxCallers = 4096
	}
	if c.RatePerCaller == 0 {
		c.RatePerCaller = 50
	}
	if c.RateBurst == 0 {
		c.RateBurst = 100
	}
	if c.RatePerHost == 0 {
		c.RatePerHost = 500
	}
	if c.HostBurst == 0 {
		c.HostBurst = 1000
	}
	if c.MaxHosts == 0 {
		c.MaxHosts = 4096
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if c.QueueLen == 0 {
		c.QueueLen = 256
	}
	if c.MaxInflight == 0 {
		c.MaxInflight = 4 * (c.MaxConcurrent + c.QueueLen)
	}
	if c.HandlerTimeout == 0 {
		c.HandlerTimeout = 12 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate checks the config.
func (c *Config) Validate() error {
	switch {
	case c.Key == nil:
		return errors.New("axon: config needs the hotkey (Key)")
	case c.Metagraph == nil:
		return errors.New("axon: config needs a metagraph")
	case c.MaxBodyBytes < 0 || c.MaxHeaderBytes < 0 || c.ClockWindow < 0 || c.MaxCallers < 0 ||
		c.RatePerCaller < 0 || c.RateBurst < 0 || c.RatePerHost < 0 || c.HostBurst < 0 || c.MaxHosts < 0 || c.MaxConcurrent < 0 || c.QueueLen < 0 || c.MaxInflight < 0:
		return errors.New("axon: negative bound in config")
	}
	return nil
}

// Handler answers one request kind. caller is the verified, registered
// neuron that signed the request.
type Handler[Req, Resp any] func(ctx context.Context, caller neuron.Neuron, req Req) (Resp, error)

// Error lets a handler choose the refusal it returns (default: 500,
// handler_error, with the error's text).
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("axon: %d %s", e.Status, e.Msg) }

// raw is a handler after type erasure: JSON body in, JSON body out.
type raw func(ctx context.Context, caller neuron.Neuron, body []byte) ([]byte, error)

// Axon is a miner's server: an http.Handler that admits signed requests
// from registered callers and answers with signed responses.
type Axon struct {
	cfg     Config
	hotkey  types.Address
	callers *callers
	hosts   *ipLimits
	gate    *gate

	inflight atomic.Int64
	serving  atomic.Bool

	mu struct {
		sync.RWMutex
		handlers map[string]raw // by kind; written only before serving
	}
}

// New returns an axon for cfg.
func New(cfg Config) (*Axon, error) {
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Axon{
		cfg:     cfg,
		hotkey:  crypto.PubkeyToAddress(cfg.Key.PublicKey),
		callers: newCallers(cfg.MaxCallers, cfg.RatePerCaller, cfg.RateBurst),
		hosts:   newIPLimits(cfg.MaxHosts, cfg.RatePerHost, cfg.HostBurst),
		gate:    newGate(cfg.MaxConcurrent, cfg.QueueLen),
	}
	a.mu.handlers = make(map[string]raw)
	return a, nil
}

// Hotkey is the axon's hotkey address.
func (a *Axon) Hotkey() types.Address { return a.hotkey }

// Config returns the axon's config with defaults filled in.
func (a *Axon) Config() Config { return a.cfg }

// ErrServing reports a Handle after the axon started serving.
var ErrServing = errors.New("axon: handlers must be registered before serving")

// Handle registers fn for requests of kind: the body is decoded as Req
// (JSON) and the handler's Resp encoded as JSON.
func Handle[Req, Resp any](a *Axon, kind string, fn Handler[Req, Resp]) error {
	if !neuron.ValidKind(kind) {
		return fmt.Errorf("%w: %q", neuron.ErrBadKind, kind)
	}
	if a.serving.Load() {
		return ErrServing
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dup := a.mu.handlers[kind]; dup {
		return fmt.Errorf("axon: kind %q registered twice", kind)
	}
	a.mu.handlers[kind] = func(ctx context.Context, caller neuron.Neuron, body []byte) ([]byte, error) {
		var req Req
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, &refusal{neuron.CodeBadBody, err.Error()}
		}
		resp, err := fn(ctx, caller, req)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
	return nil
}

// refusal is an error that carries its wire code.
type refusal struct {
	code neuron.Code
	msg  string
}

func (r *refusal) Error() string { return string(r.code) + ": " + r.msg }

func refuse(code neuron.Code, format string, args ...any) *refusal {
	return &refusal{code, fmt.Sprintf(format, args...)}
}

// ServeHTTP admits and answers one request (see the package doc for the order of checks).
func (a *Axon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.serving.Store(true)
	h, fn, caller, ref := a.admit(r)
	if ref != nil {
		writeRefusal(w, ref)
		return
	}
	defer a.inflight.Add(-1)
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.HandlerTimeout)
	defer cancel()
	reqHash := h.Hash()
	if code := a.gate.acquire(ctx, caller.Stake); code != "" {
		a.writeSigned(w, reqHash, code.Status(), mustJSON(neuron.ErrorBody{Code: code, Error: "axon busy: " + string(code)}), code)
		return
	}
	body, err := a.run(ctx, fn, caller, h.body)
	if err != nil {
		code, status, msg := neuron.CodeHandler, http.StatusInternalServerError, err.Error()
		var rf *refusal
		var he *Error
		switch {
		case errors.As(err, &rf):
			code, status, msg = rf.code, rf.code.Status(), rf.msg
		case errors.As(err, &he):
			status, msg = he.Status, he.Msg
		case ctx.Err() != nil:
			code, status = neuron.CodeTimeout, neuron.CodeTimeout.Status()
		}
		a.writeSigned(w, reqHash, status, mustJSON(neuron.ErrorBody{Code: code, Error: msg}), code)
		return
	}
	a.writeSigned(w, reqHash, http.StatusOK, body, "")
}

// run calls the handler in its slot; the slot is released even if the
// handler panics (net/http recovers the panic; the slot must not leak).
func (a *Axon) run(ctx context.Context, fn raw, caller neuron.Neuron, body []byte) ([]byte, error) {
	defer a.gate.release()
	return fn(ctx, caller, body)
}

// request is a parsed request header with its body.
type request struct {
	neuron.RequestHeader
	body []byte
}

// admit runs every check before the handler, cheapest first: path and
// headers, chain and axon, registration and policy, the nonce window and
// replay, size, signature, then rate. On success it holds an inflight slot.
func (a *Axon) admit(r *http.Request) (*request, raw, neuron.Neuron, *refusal) {
	var none neuron.Neuron
	if r.Method != http.MethodPost {
		return nil, nil, none, refuse(neuron.CodeBadRequest, "method %s: requests are POST", r.Method)
	}
	kind, ok := strings.CutPrefix(r.URL.Path, neuron.PathPrefix)
	if !ok || !neuron.ValidKind(kind) {
		return nil, nil, none, refuse(neuron.CodeUnknownKind, "path must be %s<kind>", neuron.PathPrefix)
	}
	a.mu.RLock()
	fn := a.mu.handlers[kind]
	a.mu.RUnlock()
	if fn == nil {
		return nil, nil, none, refuse(neuron.CodeUnknownKind, "no handler for %q", kind)
	}
	h, ref := parseHeader(r.Header)
	if ref != nil {
		return nil, nil, none, ref
	}
	h.Kind = kind
	switch {
	case h.ChainID != a.cfg.ChainID:
		return nil, nil, none, refuse(neuron.CodeWrongChain, "chain %d, this axon serves chain %d", h.ChainID, a.cfg.ChainID)
	case h.Netuid != a.cfg.Netuid:
		return nil, nil, none, refuse(neuron.CodeWrongChain, "netuid %d, this axon serves subnet %d", h.Netuid, a.cfg.Netuid)
	case h.Axon != a.hotkey:
		return nil, nil, none, refuse(neuron.CodeWrongAxon, "request is for axon %s, this is %s", h.Axon, a.hotkey)
	}
	caller, ok := a.cfg.Metagraph.ByHotkey(h.Caller)
	switch {
	case !ok:
		return nil, nil, none, refuse(neuron.CodeNotRegistered, "%s is not registered on subnet %d", h.Caller, a.cfg.Netuid)
	case a.cfg.RequirePermit && !caller.Permit:
		return nil, nil, none, refuse(neuron.CodeNoPermit, "uid %d holds no validator permit", caller.UID)
	case caller.Stake < a.cfg.MinStake:
		return nil, nil, none, refuse(neuron.CodeLowStake, "uid %d has stake %d rao, this axon requires %d", caller.UID, caller.Stake, a.cfg.MinStake)
	}
	now := a.cfg.Now()
	if ns, win := uint64(now.UnixNano()), uint64(a.cfg.ClockWindow); h.Nonce > ns+win || h.Nonce+win < ns {
		return nil, nil, none, refuse(neuron.CodeStaleNonce, "nonce %d is more than %s from this axon's clock %d", h.Nonce, a.cfg.ClockWindow, ns)
	}
	if a.callers.seen(h.Caller, h.Nonce) {
		return nil, nil, none, refuse(neuron.CodeReplay, "nonce %d is not above the last one of %s", h.Nonce, h.Caller)
	}
	if r.ContentLength > a.cfg.MaxBodyBytes {
		return nil, nil, none, refuse(neuron.CodeTooLarge, "body of %d bytes, limit %d", r.ContentLength, a.cfg.MaxBodyBytes)
	}
	if !a.hosts.allow(r.RemoteAddr, now) {
		return nil, nil, none, refuse(neuron.CodeRateLimited, "address %s above %v requests/s", hostKey(r.RemoteAddr), a.cfg.RatePerHost)
	}
	if a.inflight.Add(1) > int64(a.cfg.MaxInflight) {
		a.inflight.Add(-1)
		return nil, nil, none, refuse(neuron.CodeBusy, "more than %d requests in flight", a.cfg.MaxInflight)
	}
	ref = a.readAndVerify(r, &h)
	if ref == nil {
		if code := a.callers.admit(h.Caller, h.Nonce, now); code != "" {
			ref = refuse(code, "caller %s nonce %d", h.Caller, h.Nonce)
		}
	}
	if ref != nil {
		a.inflight.Add(-1)
		return nil, nil, none, ref
	}
	return &h, fn, caller, nil
}

func (a *Axon) readAndVerify(r *http.Request, h *request) *refusal {
	body, err := io.ReadAll(io.LimitReader(r.Body, a.cfg.MaxBodyBytes+1))
	if err != nil {
		return refuse(neuron.CodeBadRequest, "read body: %v", err)
	}
	if int64(len(body)) > a.cfg.MaxBodyBytes {
		return refuse(neuron.CodeTooLarge, "body above %d bytes", a.cfg.MaxBodyBytes)
	}
	h.body = body
	h.BodyHash = types.Keccak256(body)
	sig, err := hexutil.Decode(r.Header.Get(neuron.HeaderSignature))
	if err != nil {
		return refuse(neuron.CodeBadSignature, "%s: %v", neuron.HeaderSignature, err)
	}
	if err := neuron.Verify(h.Hash(), sig, h.Caller); err != nil {
		return refuse(neuron.CodeBadSignature, "%v", err)
	}
	return nil
}

func parseHeader(hd http.Header) (request, *refusal) {
	var h request
	var err error
	num := func(name string, bits int) uint64 {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = strconv.ParseUint(hd.Get(name), 10, bits)
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return v
	}
	addr := func(name string) types.Address {
		if err != nil {
			return types.Address{}
		}
		var a types.Address
		a, err = types.ParseAddress(hd.Get(name))
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return a
	}
	h.ChainID = num(neuron.HeaderChainID, 64)
	h.Netuid = uint16(num(neuron.HeaderNetuid, 16))
	h.Nonce = num(neuron.HeaderNonce, 64)
	h.Caller = addr(neuron.HeaderCaller)
	h.Axon = addr(neuron.HeaderAxon)
	if err != nil {
		return h, refuse(neuron.CodeBadRequest, "%v", err)
	}
	return h, nil
}

// writeSigned writes a response signed by the axon's hotkey over
// ResponseHash(request hash, status, keccak256(body)).
func (a *Axon) writeSigned(w http.ResponseWriter, reqHash types.Hash, status int, body []byte, code neuron.Code) {
	sig, err := neuron.Sign(neuron.ResponseHash(reqHash, uint16(status), types.Keccak256(body)), a.cfg.Key)
	if err != nil { // only for a broken key: answer unsigned, the dendrite refuses it
		sig = nil
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set(neuron.HeaderRequestHash, reqHash.Hex())
	hd.Set(neuron.HeaderSignature, hexutil.Encode(sig))
	if code != "" {
		hd.Set(neuron.HeaderError, string(code))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeRefusal answers a request refused before its signature was verified
// (or because it failed): unsigned, so a forger cannot make the axon sign.
func writeRefusal(w http.ResponseWriter, r *refusal) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set(neuron.HeaderError, string(r.code))
	w.WriteHeader(r.code.Status())
	_, _ = w.Write(mustJSON(neuron.ErrorBody{Code: r.code, Error: r.msg}))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`{"code":"handler_error","error":"encode failed"}`)
	}
	return b
}
