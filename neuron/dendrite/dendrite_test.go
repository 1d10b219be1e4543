package dendrite

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/axon"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

type sumReq struct{ A, B int }
type sumResp struct{ Sum int }

func key(t testing.TB, i int) *ecdsa.PrivateKey {
	t.Helper()
	b := make([]byte, 32)
	b[30], b[31] = byte((i+1)>>8), byte(i+1)
	k, err := crypto.ToECDSA(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func endpoint(t testing.TB, srv *httptest.Server) neuron.Axon {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	host, port, _ := net.SplitHostPort(u.Host)
	p, _ := strconv.Atoi(port)
	return neuron.Axon{IP: net.ParseIP(host), Port: uint16(p)}
}

// net is n axons (uids 1..n) and a validator (uid 0) in one metagraph.
type testNet struct {
	mg      *metagraph.Metagraph
	val     *ecdsa.PrivateKey
	neurons []neuron.Neuron // the axons' neurons, with endpoints
}

func newNet(t testing.TB, n int, handler func(i int) axon.Handler[sumReq, sumResp]) *testNet {
	t.Helper()
	tn := &testNet{mg: metagraph.New(1), val: key(t, 0)}
	keys := make([]*ecdsa.PrivateKey, n)
	all := []neuron.Neuron{{Hotkey: crypto.PubkeyToAddress(tn.val.PublicKey), Stake: 1000, Permit: true}}
	for i := range n {
		keys[i] = key(t, i+1)
		all = append(all, neuron.Neuron{Hotkey: crypto.PubkeyToAddress(keys[i].PublicKey)})
	}
	tn.mg.Set(1, subnet.Default(), all)
	for i := range n {
		ax, err := axon.New(axon.Config{Key: keys[i], ChainID: 945, Netuid: 1, Metagraph: tn.mg})
		if err != nil {
			t.Fatal(err)
		}
		if err := axon.Handle(ax, "sum", handler(i)); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(ax)
		t.Cleanup(srv.Close)
		all[i+1].Axon = endpoint(t, srv)
	}
	tn.mg.Set(2, subnet.Default(), all)
	tn.neurons = tn.mg.Neurons()[1:]
	return tn
}

func sumHandler(int) axon.Handler[sumReq, sumResp] {
	return func(_ context.Context, _ neuron.Neuron, r sumReq) (sumResp, error) { return sumResp{r.A + r.B}, nil }
}

func TestQueryManyAxons(t *testing.T) {
	tn := newNet(t, 16, sumHandler)
	d, err := New(Config{Key: tn.val, ChainID: 945, Netuid: 1, MaxConcurrent: 4})
	if err != nil {
		t.Fatal(err)
	}
	res := Query[sumReq, sumResp](context.Background(), d, tn.neurons, "sum", sumReq{2, 3})
	if len(res) != 16 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.Status != StatusOK || !r.Verified || r.Response.Sum != 5 || r.UID != uint16(i+1) || r.Latency <= 0 {
			t.Fatalf("uid %d: %+v", i+1, r)
		}
		// The proof stands on its own: a third party can check who answered what.
		if err := r.Proof.Verify(tn.neurons[i].Hotkey); err != nil {
			t.Fatalf("proof: %v", err)
		}
		if err := r.Proof.Verify(tn.neurons[(i+1)%16].Hotkey); !errors.Is(err, neuron.ErrWrongSigner) {
			t.Fatalf("proof verified against another hotkey: %v", err)
		}
		p := r.Proof
		p.Body = []byte(`{"Sum":6}`)
		if p.Verify(tn.neurons[i].Hotkey) == nil {
			t.Fatal("proof verified with an altered body")
		}
	}
}

func TestQueryStatuses(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	tn := newNet(t, 3, func(i int) axon.Handler[sumReq, sumResp] {
		return func(ctx context.Context, _ neuron.Neuron, r sumReq) (sumResp, error) {
			switch i {
			case 1: // slow
				select {
				case <-block:
				case <-ctx.Done():
				}
			case 2:
				return sumResp{}, errors.New("no model")
			}
			return sumResp{r.A + r.B}, nil
		}
	})
	offline := neuron.Neuron{UID: 9, Hotkey: types.Address{9}}
	// An axon that answers with a body signed by the wrong key.
	impostor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(neuron.HeaderSignature, "0x"+string(bytes.Repeat([]byte("11"), 65)))
		_, _ = w.Write([]byte(`{"Sum":5}`))
	}))
	t.Cleanup(impostor.Close)
	fake := neuron.Neuron{UID: 10, Hotkey: types.Address{10}, Axon: endpoint(t, impostor)}

	d, err := New(Config{Key: tn.val, ChainID: 945, Netuid: 1, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	targets := append(append([]neuron.Neuron{}, tn.neurons...), offline, fake)
	res := Query[sumReq, sumResp](context.Background(), d, targets, "sum", sumReq{1, 1})
	want := []Status{StatusOK, StatusTimeout, StatusRefused, StatusUnreachable, StatusBadResponse}
	for i, r := range res {
		if r.Status != want[i] {
			t.Errorf("target %d: status %v (%v), want %v", i, r.Status, r.Err, want[i])
		}
	}
	if r := res[2]; r.Code != neuron.CodeHandler || !r.Verified || r.HTTP != 500 {
		t.Errorf("handler error: code %q verified %v http %d", r.Code, r.Verified, r.HTTP)
	}
	if r := res[1]; r.Latency < 300*time.Millisecond || r.Latency > 3*time.Second {
		t.Errorf("timeout latency %v, want about the 300 ms timeout", r.Latency)
	}
}

// A hostile axon's answer is read only up to MaxResponseBytes: a longer one
// is a bad response for its size, before any signature check.
func TestQueryBoundsResponse(t *testing.T) {
	tn := newNet(t, 0, sumHandler)
	flood := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte(" "), 1024)
		for range 1024 { // 1 MiB, unless the reader stops
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(flood.Close)
	d, err := New(Config{Key: tn.val, ChainID: 945, Netuid: 1, Timeout: 2 * time.Second, MaxResponseBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	target := neuron.Neuron{UID: 1, Hotkey: types.Address{1}, Axon: endpoint(t, flood)}
	r := Query[sumReq, sumResp](context.Background(), d, []neuron.Neuron{target}, "sum", sumReq{})[0]
	if r.Status != StatusBadResponse || r.Err == nil || !strings.Contains(r.Err.Error(), "response above 4096 bytes") {
		t.Fatalf("flooding axon: status %v, %v", r.Status, r.Err)
	}
}

// A validator that is not registered is refused by every axon, and the
// dendrite reports the axon's reason.
func TestQueryUnregisteredCaller(t *testing.T) {
	tn := newNet(t, 2, sumHandler)
	d, err := New(Config{Key: key(t, 999), ChainID: 945, Netuid: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Query[sumReq, sumResp](context.Background(), d, tn.neurons, "sum", sumReq{}) {
		if r.Status != StatusRefused || r.Code != neuron.CodeNotRegistered || r.HTTP != 403 {
			t.Fatalf("unregistered caller: %+v", r)
		}
	}
}

func TestNonceStrictlyIncreases(t *testing.T) {
	fixed := time.Unix(100, 0)
	d, err := New(Config{Key: key(t, 0), Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	a, b := d.nonce(), d.nonce()
	if a != uint64(fixed.UnixNano()) || b != a+1 {
		t.Fatalf("nonces %d, %d with a stopped clock", a, b)
	}
}
