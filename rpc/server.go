package rpc

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/types"
)

// Backend is what the API needs from a node: the chain's query surface
// (query.go) and the node's own state.
type Backend interface {
	Query
	// DecodeTx decodes a submitted tx (types.DecodeTx, or a node's
	// TxCache: the tx is then not decoded again when gossip or a block
	// brings it back).
	DecodeTx(raw []byte) (*types.Tx, error)
	SubmitTx(*types.Tx) error
	PendingTx(types.Hash) (*types.Tx, bool)
	PoolSize() int
	SubscribeHeads() (<-chan *types.Header, func())
	Started() time.Time
	Peers() int
	// PendingNonce is an account's next nonce counting its pooled txs.
	PendingNonce(types.Address) uint64
	// SyncStatus is the node's block sync now.
	SyncStatus() SyncStatus
}

// SyncStatus is what the node's block-sync loop knows: whether it is
// fetching blocks from a peer that is ahead, the head it had when this
// catch-up began, and the highest head a peer claims. eth_syncing and
// net_health read it, with the committed head as the current block.
type SyncStatus struct {
	Syncing  bool
	Starting uint64
	Highest  uint64
}

// Config sets the server's policies and limits.
type Config struct {
	CORSOrigins []string // allowed browser origins, HTTP and WebSocket ("*" any); none: no browser
	VHosts      []string // allowed Host names, HTTP and WebSocket ("*" any); IP literals always
	BatchItems  int      // max requests per batch
	BatchBytes  int      // max response bytes per batch
	BodyBytes   int      // max request body bytes
	SubsPerConn int      // max live subscriptions per connection
}

// Server is an http.Handler for JSON-RPC over HTTP and WebSocket.
type Server struct {
	cfg Config
	rpc *gethrpc.Server
	ws  http.Handler

	mu struct {
		sync.Mutex
		subs map[string]int // live subscriptions per connection (remote address)
	}
}

// NewServer registers the API namespaces over b.
func NewServer(cfg Config, b Backend) (*Server, error) {
	s := &Server{cfg: cfg, rpc: gethrpc.NewServer()}
	s.mu.subs = make(map[string]int)
	s.rpc.SetBatchLimits(cfg.BatchItems, cfg.BatchBytes)
	s.rpc.SetHTTPBodyLimit(cfg.BodyBytes)
	s.rpc.SetWebsocketReadLimit(int64(cfg.BodyBytes))
	if err := s.rpc.RegisterName("tao", &TaoAPI{b: b, srv: s}); err != nil {
		return nil, err
	}
	if err := s.rpc.RegisterName("gov", &GovAPI{b: b}); err != nil {
		return nil, err
	}
	if err := s.rpc.RegisterName("subnet", &SubnetAPI{b: b}); err != nil {
		return nil, err
	}
	if err := s.rpc.RegisterName("stake", &StakeAPI{b: b}); err != nil {
		return nil, err
	}
	if err := s.rpc.RegisterName("net", &NetAPI{b: b}); err != nil {
		return nil, err
	}
	if err := s.rpc.RegisterName("eth", &EthAPI{b: b}); err != nil {
		return nil, err
	}
	if err := s.rpc.RegisterName("web3", &Web3API{}); err != nil {
		return nil, err
	}
	// ServeHTTP checks a WebSocket's Origin against CORSOrigins itself:
	// go-ethereum's handler, given no origins, admits http://localhost and
	// the machine's hostname, which any page served from either can use.
	s.ws = s.rpc.WebsocketHandler([]string{"*"})
	return s, nil
}

// Stop closes all connections, including WebSockets.
func (s *Server) Stop() { s.rpc.Stop() }

// ServeHTTP checks the Host header of every request, WebSocket upgrades
// included (DNS rebinding: a page whose name an attacker points at
// 127.0.0.1 reaches the node as same-origin, with its own name as Host),
// then the Origin of a WebSocket (a browser does not apply CORS to
// WebSockets: the server must refuse a foreign page's upgrade itself).
// A request without an Origin header comes from outside a browser and is
// not the attack these checks stop.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		http.Error(w, "invalid host specified (allow it with --rpc.vhosts)", http.StatusForbidden)
		return
	}
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		if _, browser := r.Header["Origin"]; browser && !s.originAllowed(r.Header.Get("Origin")) {
			http.Error(w, "websocket origin not allowed (allow it with --rpc.corsdomain)", http.StatusForbidden)
			return
		}
		s.ws.ServeHTTP(w, r)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && s.originAllowed(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Vary", "Origin")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	s.rpc.ServeHTTP(w, r)
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

func (s *Server) hostAllowed(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if ip := net.ParseIP(host); ip != nil {
		return true // an IP, not a name: DNS rebinding needs a name
	}
	for _, v := range s.cfg.VHosts {
		if v == "*" || strings.EqualFold(v, host) {
			return true
		}
	}
	return false
}

// acquireSub reserves a subscription slot on conn.
func (s *Server) acquireSub(conn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.subs[conn] >= s.cfg.SubsPerConn {
		return false
	}
	s.mu.subs[conn]++
	return true
}

func (s *Server) releaseSub(conn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.subs[conn]--; s.mu.subs[conn] <= 0 {
		delete(s.mu.subs, conn)
	}
}
