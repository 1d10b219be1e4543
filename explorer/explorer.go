package explorer

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// RPCPath is where the page finds the node's JSON-RPC, HTTP and WebSocket.
const RPCPath = "/rpc"

// csp allows the page its own files and its own origin's RPC only: no
// inline script, no third-party fetch, no framing. connect-src 'self'
// covers the page's WebSocket to its own host (CSP level 3: Chromium,
// Firefox, Safari 15.4+); "ws: wss:" would let a script open one to any
// host.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Handler serves the explorer's page and its static files, and hands
// RPCPath to rpc, the node's JSON-RPC handler.
func Handler(rpc http.Handler) http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServer(http.FS(sub))
	mux := http.NewServeMux()
	mux.Handle(RPCPath, sameOrigin(rpc))
	mux.Handle("/", files)
	// Wallets link to a block explorer by path (MetaMask: <url>/tx/<hash>,
	// <url>/address/<addr>); the page routes by fragment.
	for prefix, route := range map[string]string{"/tx/": "#/tx/", "/address/": "#/account/", "/block/": "#/block/"} {
		mux.Handle(prefix, walletLink(prefix, route))
	}
	return headers(mux)
}

// walletLink redirects prefix+id to the page's route for id, where id is a
// number or 0x-hex: anything else is not a link the page could show.
func walletLink(prefix, route string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, prefix)
		if id == "" || len(id) > 66 || strings.Trim(id, "0123456789abcdefABCDEFx") != "" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "/"+route+id, http.StatusFound)
	})
}

// headers sets the security headers on every response.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// sameOrigin drops the Origin header of a request the explorer's own page
// sent (Origin is this server's scheme and Host), so the RPC treats it as
// the same-origin call it is. Any other Origin is left for the RPC to judge.
// The Host header itself is still checked by the RPC (--rpc.vhosts), which
// is what stops a DNS-rebinding page: its Origin matches its Host too.
func sameOrigin(rpc http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && isOwnOrigin(o, r) {
			r = r.Clone(r.Context())
			r.Header.Del("Origin")
		}
		rpc.ServeHTTP(w, r)
	})
}

func isOwnOrigin(origin string, r *http.Request) bool {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return strings.EqualFold(origin, scheme+r.Host)
}
