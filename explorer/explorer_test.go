package explorer_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/explorer"
	"github.com/taonet/taod/rpc"
)

// server runs the explorer over an RPC server with the node's default
// browser policy: no CORS origins, Host names "localhost" only.
func server(t *testing.T) string {
	t.Helper()
	srv, err := rpc.NewServer(rpc.Config{VHosts: []string{"localhost"}, BatchItems: 10, BatchBytes: 1 << 20, BodyBytes: 1 << 20, SubsPerConn: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(explorer.Handler(srv))
	t.Cleanup(func() { hs.Close(); srv.Stop() })
	return strings.TrimPrefix(hs.URL, "http://")
}

// The page and its files come from the binary, under a policy that lets
// the page load nothing from elsewhere.
func TestServesEmbeddedPage(t *testing.T) {
	addr := server(t)
	for path, want := range map[string]string{
		"/":        `<script src="app.js"></script>`,
		"/app.js":  "tao_subscribe",
		"/app.css": "@media (max-width: 600px)",
	} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "connect-src 'self';") || strings.Contains(csp, "ws:") {
			t.Fatalf("GET %s: Content-Security-Policy %q", path, csp)
		}
		// The SVG namespace is a name, not a fetch; any other URL would be.
		rest := strings.ReplaceAll(string(body), "'http://www.w3.org/2000/svg'", "")
		if strings.Contains(rest, "http://") || strings.Contains(rest, "https://") || strings.Contains(rest, "//cdn") {
			t.Fatalf("GET %s refers to another site", path)
		}
	}
}

// The explorer's own page may open the RPC WebSocket (same origin) although
// the RPC admits no browser origin; any other origin is refused as the RPC
// refuses it, and the Host check (DNS rebinding) still applies.
func TestRPCOriginPolicy(t *testing.T) {
	addr := server(t)
	cases := []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"own origin", map[string]string{"Origin": "http://" + addr}, true},
		{"no origin (not a browser)", nil, true},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, false},
		{"localhost origin on another port", map[string]string{"Origin": "http://localhost:1"}, false},
		{"rebinding: own origin under a foreign name", map[string]string{"Host": "evil.example", "Origin": "http://evil.example"}, false},
		{"named host in vhosts, own origin", map[string]string{"Host": "localhost", "Origin": "http://localhost"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var opts []gethrpc.ClientOption
			for k, v := range c.headers {
				opts = append(opts, gethrpc.WithHeader(k, v))
			}
			cl, err := gethrpc.DialOptions(ctx, "ws://"+addr+explorer.RPCPath, opts...)
			if err == nil {
				defer cl.Close()
				var v string
				err = cl.CallContext(ctx, &v, "web3_clientVersion")
			}
			if (err == nil) != c.ok {
				t.Fatalf("accepted %v, want %v (err %v)", err == nil, c.ok, err)
			}
		})
	}
}

// A wallet's "view on block explorer" link (<url>/tx/<hash>) lands on the
// page's route; a path that is no id is not redirected anywhere.
func TestWalletLinks(t *testing.T) {
	addr := server(t)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	h := "0x" + strings.Repeat("ab", 32)
	for path, want := range map[string]string{
		"/tx/" + h:               "/#/tx/" + h,
		"/address/0x" + h[2:42]:  "/#/account/0x" + h[2:42],
		"/block/12":              "/#/block/12",
		"/tx/%2F%2Fevil.example": "",
		"/address/<script>":      "",
		"/block/" + h + h:        "",
	} {
		resp, err := hc.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Location")
		if want == "" && (resp.StatusCode != http.StatusNotFound || got != "") || want != "" && (resp.StatusCode != http.StatusFound || got != want) {
			t.Fatalf("GET %s: %d Location %q, want %q", path, resp.StatusCode, got, want)
		}
	}
}
