package explorer_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/taonet/taod/explorer"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// cannedError, as a value in cannedRPC's extra, makes that method answer
// this JSON-RPC error.
type cannedError struct {
	Code    int
	Message string
}

// cannedFunc, as a value in cannedRPC's extra, answers that method from
// its params (a JSON array): a result, or a cannedError.
type cannedFunc func(params json.RawMessage) any

// cannedRPC answers the subnet page's calls for one subnet of n UIDs, and
// the extra methods given, from fixed JSON, so that a benchmark measures the
// page (transfer, parse, render, charts) and not the node. Other methods are
// "method not found", as an older node would answer; WebSocket upgrades are
// refused.
func cannedRPC(tb testing.TB, n int, extra map[string]any) (h http.Handler, metagraphBytes int) {
	// The node's own answer type, so the canned metagraph has its shape.
	ns := make([]rpc.NeuronJSON, n)
	for i := range ns {
		frac := func(k int) string { return fmt.Sprintf("0.%09d", (i*k)%1_000_000_000) }
		ns[i] = rpc.NeuronJSON{UID: uint16(i), Hotkey: types.Address{19: byte(i + 1), 18: byte((i + 1) >> 8)}, Coldkey: types.Address{19: byte(i%64 + 1)},
			Stake: fmt.Sprint(uint64(i) * 1_000_000_007), Rank: frac(244_141), Trust: frac(99_991), Consensus: frac(77_777),
			Incentive: frac(244_140), Dividends: frac(i % 7 * 31_337), Emission: fmt.Sprint(uint64(i%97) * 10_000_019),
			ValidatorTrust: frac(i % 3), Permit: i < 64, Active: true, RegisteredAt: uint64(i), LastUpdate: uint64(i)}
	}
	answers := map[string]any{
		"subnet_info": map[string]any{"netuid": 1, "name": "big", "owner": fmt.Sprintf("0x%040x", 1), "locked": "0", "createdAt": 0,
			"neurons": n, "maxUids": n, "tempo": 360, "burnCost": "1000000000", "difficulty": 256, "pendingEmission": "0",
			"lastEpoch": 720, "lastEmission": "360000000000", "emissionShare": "1.000000000", "commitReveal": false},
		"subnet_hyperparams": map[string]any{"tempo": 360, "max_uids": n, "kappa": 32767},
		"subnet_metagraph":   ns,
	}
	errs := map[string]cannedError{}
	funcs := map[string]cannedFunc{}
	for k, v := range extra {
		switch v := v.(type) {
		case cannedError:
			errs[k] = v
		case cannedFunc:
			funcs[k] = v
		default:
			answers[k] = v
		}
	}
	raw := make(map[string]json.RawMessage, len(answers))
	for k, v := range answers {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		raw[k] = b
	}
	type req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	type resp struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Result  json.RawMessage `json:"result,omitempty"`
		Error   *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error,omitempty"`
	}
	answer := func(r req) resp {
		out := resp{JSONRPC: "2.0", ID: r.ID}
		e, isErr := errs[r.Method]
		if f, ok := funcs[r.Method]; ok {
			switch v := f(r.Params).(type) {
			case cannedError:
				e, isErr = v, true
			default:
				b, err := json.Marshal(v)
				if err != nil {
					tb.Error(err)
				}
				out.Result = b
				return out
			}
		}
		if isErr {
			out.Error = &struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}{e.Code, e.Message}
		} else if v, ok := raw[r.Method]; ok {
			out.Result = v
		} else {
			out.Error = &struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}{-32601, "the method " + r.Method + " does not exist/is not available"}
		}
		return out
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "no websocket here", http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		var batch []req
		if json.Unmarshal(body, &batch) == nil {
			out := make([]resp, len(batch))
			for i, q := range batch {
				out[i] = answer(q)
			}
			_ = json.NewEncoder(w).Encode(out)
			return
		}
		var one req
		if err := json.Unmarshal(body, &one); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(answer(one))
	}), len(raw["subnet_metagraph"])
}

// BenchmarkSubnetPage4096UIDs loads a subnet's page with 4,096 UIDs in
// headless Chromium, a full page load each time (assets, RPC, render, three
// charts, the top 256 rows): ns/op is navigation to rendered page as the
// test sees it; render-ms is the page's own figure (first RPC call to
// drawn DOM); metagraph-MB is the size of the metagraph's JSON answer.
//
//	go test -run '^$' -bench SubnetPage4096 -benchtime 10x ./explorer
func BenchmarkSubnetPage4096UIDs(b *testing.B) {
	const n = 4096
	rpc, size := cannedRPC(b, n, nil)
	hs := httptest.NewServer(explorer.Handler(rpc))
	b.Cleanup(hs.Close)
	br := startBrowser(b, 1280, 900)
	br.open(hs.URL+"/?warm#/subnet/1", "/subnet/1") // a first load: the browser process warms up
	var points int
	br.eval(`Number(document.querySelector('svg[data-series="incentive"]').dataset.points)`, &points)
	if points != n {
		b.Fatalf("incentive chart has %d points, want %d", points, n)
	}
	var render time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		render += br.open(fmt.Sprintf("%s/?i=%d#/subnet/1", hs.URL, i), "/subnet/1")
	}
	b.StopTimer()
	b.ReportMetric(float64(render.Milliseconds())/float64(b.N), "render-ms")
	b.ReportMetric(float64(size)/1e6, "metagraph-MB")
}
