package rpc

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

func testServer(t *testing.T, cfg Config) string {
	t.Helper()
	cfg.BatchItems, cfg.BatchBytes, cfg.BodyBytes, cfg.SubsPerConn = 10, 1<<20, 1<<20, 4
	s, err := NewServer(cfg, nil) // web3_clientVersion needs no backend
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { hs.Close(); s.Stop() })
	return strings.TrimPrefix(hs.URL, "http://")
}

// wsCall dials addr over WebSocket with the given headers (none: as a
// non-browser client) and makes one call; the error is the handshake's.
func wsCall(t *testing.T, addr string, headers map[string]string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var opts []gethrpc.ClientOption
	for k, v := range headers {
		opts = append(opts, gethrpc.WithHeader(k, v))
	}
	c, err := gethrpc.DialOptions(ctx, "ws://"+addr, opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	var v string
	if err := c.CallContext(ctx, &v, "web3_clientVersion"); err != nil {
		t.Fatalf("call over an accepted WebSocket: %v", err)
	}
	return nil
}

// A browser page on any site can open a WebSocket to a node on the user's
// machine (browsers apply no CORS to WebSockets) and, by DNS rebinding,
// reach it under a name of its own. The WebSocket follows --rpc.corsdomain
// (none set: no browser origin) and --rpc.vhosts, as HTTP does; a client
// that sends no Origin (not a browser) still connects. On the code before,
// every origin and every Host was accepted over WebSocket.
func TestWebSocketOriginAndHost(t *testing.T) {
	def := testServer(t, Config{VHosts: []string{"localhost"}})
	allowed := testServer(t, Config{VHosts: []string{"localhost"}, CORSOrigins: []string{"https://app.example"}})
	open := testServer(t, Config{VHosts: []string{"*"}, CORSOrigins: []string{"*"}})
	cases := []struct {
		name    string
		addr    string
		headers map[string]string
		ok      bool
	}{
		{"no origin (not a browser)", def, nil, true},
		{"foreign origin, none configured", def, map[string]string{"Origin": "https://evil.example"}, false},
		{"localhost origin, none configured", def, map[string]string{"Origin": "http://localhost"}, false},
		{"null origin (sandboxed page)", def, map[string]string{"Origin": "null"}, false},
		{"foreign origin, another configured", allowed, map[string]string{"Origin": "https://evil.example"}, false},
		{"configured origin", allowed, map[string]string{"Origin": "https://app.example"}, true},
		{"any origin configured", open, map[string]string{"Origin": "https://evil.example"}, true},
		{"host not in vhosts (rebinding)", def, map[string]string{"Host": "evil.example"}, false},
		{"host not in vhosts, allowed origin", allowed, map[string]string{"Host": "evil.example:80", "Origin": "https://app.example"}, false},
		{"host in vhosts", def, map[string]string{"Host": "localhost"}, true},
		{"any host", open, map[string]string{"Host": "evil.example"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := wsCall(t, c.addr, c.headers)
			if (err == nil) != c.ok {
				t.Fatalf("accepted %v, want %v (err %v)", err == nil, c.ok, err)
			}
			if err != nil && !strings.Contains(err.Error(), "403") {
				t.Fatalf("refused with %v, want 403 Forbidden", err)
			}
		})
	}
	// HTTP keeps its rules: the vhosts check, no CORS header for a
	// foreign origin.
	req, _ := http.NewRequest(http.MethodPost, "http://"+def, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("HTTP from a foreign origin: %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	req.Host = "evil.example"
	req.Body, _ = req.GetBody()
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("HTTP with a foreign Host: %d", resp.StatusCode)
	}
}
