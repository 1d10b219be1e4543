package test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/node"
)

// What a node started with the defaults exposes to a browser page and to
// whoever reaches its metrics port (issue 11 weakness 7): no WebSocket from
// a foreign page, none under a rebound name, no Go profiles; a wallet or
// script (no Origin header) still subscribes over WebSocket. With
// [metrics] pprof the profiles are served.
func TestDefaultNodeExposure(t *testing.T) {
	tn := startNode(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dial := func(headers ...string) error {
		var opts []gethrpc.ClientOption
		for i := 0; i < len(headers); i += 2 {
			opts = append(opts, gethrpc.WithHeader(headers[i], headers[i+1]))
		}
		c, err := gethrpc.DialOptions(ctx, "ws://"+tn.ListenAddr("rpc"), opts...)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(); err != nil {
		t.Fatalf("WebSocket without an Origin: %v", err)
	}
	if err := dial("Origin", "https://evil.example"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("WebSocket from https://evil.example: %v, want 403", err)
	}
	if err := dial("Host", "rebound.evil.example"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("WebSocket under a Host not in vhosts: %v, want 403", err)
	}
	get := func(tn *testNode, path string) int {
		// Run listens on the metrics address just after the RPC one.
		for deadline := time.Now().Add(10 * time.Second); tn.ListenAddr("metrics") == ""; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("metrics did not start")
			}
		}
		resp, err := http.Get("http://" + tn.ListenAddr("metrics") + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(tn, "/debug/pprof/"); code != http.StatusNotFound {
		t.Fatalf("/debug/pprof/ by default: %d, want 404", code)
	}
	if code := get(tn, "/metrics"); code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	on := startNode(t, func(c *node.Config) { c.Metrics.PProf = true })
	if code := get(on, "/debug/pprof/"); code != http.StatusOK {
		t.Fatalf("/debug/pprof/ with [metrics] pprof: %d, want 200", code)
	}
}
