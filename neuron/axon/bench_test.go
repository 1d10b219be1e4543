package axon

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"golang.org/x/time/rate"

	"github.com/taonet/taod/neuron"
	"github.com/taonet/taod/neuron/metagraph"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// benchAxon is an axon whose callers are 64 registered validators, with
// rate limits off so the benchmark measures admission, not refusals.
func benchAxon(b *testing.B) (*Axon, []*ecdsa.PrivateKey, time.Time) {
	axKey := mustKey(b, 200)
	callers := make([]*ecdsa.PrivateKey, 64)
	ns := []neuron.Neuron{{Hotkey: addr(axKey)}}
	for i := range callers {
		callers[i] = mustKey(b, byte(i+1))
		ns = append(ns, neuron.Neuron{Hotkey: addr(callers[i]), Stake: uint64(i), Permit: true})
	}
	mg := metagraph.New(1)
	mg.Set(1, subnet.Default(), ns)
	now := time.Unix(1_765_000_000, 0)
	ax, err := New(Config{Key: axKey, ChainID: testChain, Netuid: 1, Metagraph: mg, RatePerCaller: rate.Inf, RatePerHost: rate.Inf, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	if err := Handle(ax, "echo", func(_ context.Context, c neuron.Neuron, r echoReq) (echoResp, error) {
		return echoResp{Y: r.X, UID: c.UID}, nil
	}); err != nil {
		b.Fatal(err)
	}
	return ax, callers, now
}

// signedRequests pre-signs n requests (the callers' cost, not the axon's).
func signedRequests(b *testing.B, ax *Axon, callers []*ecdsa.PrivateKey, now time.Time, n int, url string) []*http.Request {
	body := []byte(`{"x":21}`)
	bh := types.Keccak256(body)
	out := make([]*http.Request, n)
	for i := range out {
		k := callers[i%len(callers)]
		h := neuron.RequestHeader{ChainID: testChain, Netuid: 1, Nonce: uint64(now.UnixNano()) + uint64(i), Caller: addr(k), Axon: ax.Hotkey(), Kind: "echo", BodyHash: bh}
		sig, err := neuron.Sign(h.Hash(), k)
		if err != nil {
			b.Fatal(err)
		}
		r, _ := http.NewRequest(http.MethodPost, url+neuron.PathPrefix+"echo", bytes.NewReader(body))
		r.Header.Set(neuron.HeaderChainID, strconv.Itoa(testChain))
		r.Header.Set(neuron.HeaderNetuid, "1")
		r.Header.Set(neuron.HeaderNonce, strconv.FormatUint(h.Nonce, 10))
		r.Header.Set(neuron.HeaderCaller, h.Caller.Hex())
		r.Header.Set(neuron.HeaderAxon, h.Axon.Hex())
		r.Header.Set(neuron.HeaderSignature, hexutil.Encode(sig))
		out[i] = r
	}
	return out
}

// BenchmarkAxonVerified is one request through the whole admission path
// (headers, policy, nonce, signature recovery, rate, queue), the handler,
// and the signed answer, without the network: run with -cpu 1 for
// verified requests/s per core (1e9 / ns/op).
func BenchmarkAxonVerified(b *testing.B) {
	ax, callers, now := benchAxon(b)
	reqs := signedRequests(b, ax, callers, now, b.N, "http://axon")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		ax.ServeHTTP(w, reqs[i])
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkAxonHTTP adds loopback HTTP (client and server on this
// machine's cores): the throughput a miner sees end to end.
func BenchmarkAxonHTTP(b *testing.B) {
	ax, callers, now := benchAxon(b)
	srv := httptest.NewServer(ax)
	defer srv.Close()
	reqs := signedRequests(b, ax, callers, now, b.N, srv.URL)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := c.Do(reqs[i])
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}
