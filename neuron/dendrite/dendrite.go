package dendrite

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/types"
)

// Config is a dendrite's identity and bounds.
type Config struct {
	Key     *ecdsa.PrivateKey // the validator's hotkey: requests are signed with it
	ChainID uint64
	Netuid  uint16

	Timeout          time.Duration // per call, connect to last byte (default 12 s)
	MaxConcurrent    int           // calls in flight at once per Query (default 256)
	MaxResponseBytes int64         // response body bound (default 4 MiB)
	HTTP             *http.Client  // default: a pooled client with no global timeout (Timeout applies)
	Now              func() time.Time
}

// EnsureDefaults fills zero fields.
func (c *Config) EnsureDefaults() {
	if c.Timeout == 0 {
		c.Timeout = 12 * time.Second
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 256
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = 4 << 20
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:           4096,
			MaxIdleConnsPerHost:    4,
			IdleConnTimeout:        90 * time.Second,
			MaxResponseHeaderBytes: 16 << 10,
		}}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Dendrite is a validator's client: it signs requests with its hotkey,
// sends them to axons and verifies their signed answers.
type Dendrite struct {
	cfg    Config
	hotkey types.Address
	last   atomic.Uint64 // last nonce used
}

// New returns a dendrite for cfg.
func New(cfg Config) (*Dendrite, error) {
	cfg.EnsureDefaults()
	if cfg.Key == nil {
		return nil, errors.New("dendrite: config needs the hotkey (Key)")
	}
	if cfg.Timeout < 0 || cfg.MaxConcurrent < 0 || cfg.MaxResponseBytes < 0 {
		return nil, errors.New("dendrite: negative bound in config")
	}
	return &Dendrite{cfg: cfg, hotkey: crypto.PubkeyToAddress(cfg.Key.PublicKey)}, nil
}

// Hotkey is the dendrite's hotkey address.
func (d *Dendrite) Hotkey() types.Address { return d.hotkey }

// nonce returns a fresh nonce: the clock in ns, or one above the last nonce
// if the clock has not moved (nonces strictly increase per caller).
func (d *Dendrite) nonce() uint64 {
	now := uint64(d.cfg.Now().UnixNano())
	for {
		last := d.last.Load()
		n := max(now, last+1)
		if d.last.CompareAndSwap(last, n) {
			return n
		}
	}
}

// Status classifies a call's outcome.
type Status uint8

const (
	StatusOK          Status = iota // the axon answered 200 with a verified, decoded response
	StatusRefused                   // the axon answered with a refusal or a handler error (see Code)
	StatusTimeout                   // no complete answer within Timeout (or ctx ended)
	StatusUnreachable               // no axon served, or the connection failed
	StatusBadResponse               // unsigned, wrongly signed, oversized or undecodable answer
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusRefused:
		return "refused"
	case StatusTimeout:
		return "timeout"
	case StatusUnreachable:
		return "unreachable"
	case StatusBadResponse:
		return "bad_response"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Proof is what a validator keeps to prove who answered what: the signed
// request header, the response's status and body, and the axon's signature
// over neuron.ResponseHash(Request.Hash(), Status, keccak256(Body)).
type Proof struct {
	Request   neuron.RequestHeader
	Status    uint16
	Body      []byte
	Signature []byte
}

// Verify checks the proof against the axon's hotkey.
func (p *Proof) Verify(axon types.Address) error {
	return neuron.Verify(neuron.ResponseHash(p.Request.Hash(), p.Status, types.Keccak256(p.Body)), p.Signature, axon)
}

// Result is one axon's answer.
type Result[Resp any] struct {
	UID      uint16
	Hotkey   types.Address
	Status   Status
	Code     neuron.Code // the axon's reason when refused ("" otherwise)
	HTTP     int         // HTTP status (0 if none arrived)
	Latency  time.Duration
	Verified bool // the answer carries a valid signature by Hotkey (always true when Status is OK)
	Response Resp // decoded when Status is OK
	Err      error
	Proof    Proof
}

// Query sends req to every target concurrently (at most MaxConcurrent at a
// time, each within Timeout) and returns one result per target, in order.
func Query[Req, Resp any](ctx context.Context, d *Dendrite, targets []neuron.Neuron, kind string, req Req) []Result[Resp] {
	out := make([]Result[Resp], len(targets))
	body, err := json.Marshal(req)
	if err == nil && !neuron.ValidKind(kind) {
		err = fmt.Errorf("%w: %q", neuron.ErrBadKind, kind)
	}
	if err != nil {
		for i, t := range targets {
			out[i] = Result[Resp]{UID: t.UID, Hotkey: t.Hotkey, Status: StatusBadResponse, Err: fmt.Errorf("dendrite: request: %w", err)}
		}
		return out
	}
	bodyHash := types.Keccak256(body)
	workers := min(d.cfg.MaxConcurrent, len(targets))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(targets) {
					return
				}
				out[i] = call[Resp](ctx, d, targets[i], kind, body, bodyHash)
			}
		}()
	}
	wg.Wait()
	return out
}

// Call sends req to one axon.
func Call[Req, Resp any](ctx context.Context, d *Dendrite, target neuron.Neuron, kind string, req Req) Result[Resp] {
	return Query[Req, Resp](ctx, d, []neuron.Neuron{target}, kind, req)[0]
}

func call[Resp any](ctx context.Context, d *Dendrite, t neuron.Neuron, kind string, body []byte, bodyHash types.Hash) Result[Resp] {
	res := Result[Resp]{UID: t.UID, Hotkey: t.Hotkey}
	addr := t.Axon.Addr()
	if addr == "" {
		res.Status, res.Err = StatusUnreachable, errors.New("dendrite: neuron serves no axon")
		return res
	}
	h := neuron.RequestHeader{
		ChainID: d.cfg.ChainID, Netuid: d.cfg.Netuid, Nonce: d.nonce(),
		Caller: d.hotkey, Axon: t.Hotkey, Kind: kind, BodyHash: bodyHash,
	}
	res.Proof.Request = h
	reqHash := h.Hash()
	sig, err := neuron.Sign(reqHash, d.cfg.Key)
	if err != nil {
		res.Status, res.Err = StatusBadResponse, err
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+neuron.PathPrefix+kind, bytes.NewReader(body))
	if err != nil {
		res.Status, res.Err = StatusUnreachable, err
		return res
	}
	hd := hr.Header
	hd.Set("Content-Type", "application/json")
	hd.Set(neuron.HeaderChainID, strconv.FormatUint(h.ChainID, 10))
	hd.Set(neuron.HeaderNetuid, strconv.FormatUint(uint64(h.Netuid), 10))
	hd.Set(neuron.HeaderNonce, strconv.FormatUint(h.Nonce, 10))
	hd.Set(neuron.HeaderCaller, h.Caller.Hex())
	hd.Set(neuron.HeaderAxon, h.Axon.Hex())
	hd.Set(neuron.HeaderSignature, hexutil.Encode(sig))

	start := time.Now()
	resp, err := d.cfg.HTTP.Do(hr)
	if err != nil {
		res.Latency = time.Since(start)
		res.Status, res.Err = transportStatus(ctx, err), err
		return res
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, d.cfg.MaxResponseBytes+1))
	res.Latency = time.Since(start)
	res.HTTP = resp.StatusCode
	if err != nil {
		res.Status, res.Err = transportStatus(ctx, err), err
		return res
	}
	if int64(len(rb)) > d.cfg.MaxResponseBytes {
		res.Status, res.Err = StatusBadResponse, fmt.Errorf("dendrite: response above %d bytes", d.cfg.MaxResponseBytes)
		return res
	}
	res.Proof.Status, res.Proof.Body = uint16(resp.StatusCode), rb
	res.Code = neuron.Code(resp.Header.Get(neuron.HeaderError))
	if rs, err := hexutil.Decode(resp.Header.Get(neuron.HeaderSignature)); err == nil {
		res.Proof.Signature = rs
		res.Verified = res.Proof.Verify(t.Hotkey) == nil
	}
	if resp.StatusCode != http.StatusOK {
		res.Status = StatusRefused
		var eb neuron.ErrorBody
		if json.Unmarshal(rb, &eb) == nil && eb.Error != "" {
			res.Err = fmt.Errorf("dendrite: axon uid %d refused (%d %s): %s", t.UID, resp.StatusCode, eb.Code, eb.Error)
		} else {
			res.Err = fmt.Errorf("dendrite: axon uid %d answered %d", t.UID, resp.StatusCode)
		}
		return res
	}
	if !res.Verified {
		res.Status, res.Err = StatusBadResponse, fmt.Errorf("dendrite: uid %d: response not signed by %s", t.UID, t.Hotkey)
		return res
	}
	if err := json.Unmarshal(rb, &res.Response); err != nil {
		res.Status, res.Err = StatusBadResponse, fmt.Errorf("dendrite: uid %d: decode response: %w", t.UID, err)
		return res
	}
	res.Status = StatusOK
	return res
}

func transportStatus(ctx context.Context, err error) Status {
	var ne net.Error
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return StatusTimeout
	}
	return StatusUnreachable
}
