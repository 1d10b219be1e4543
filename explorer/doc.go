// Package explorer serves taod's built-in block explorer: a single page
// (plain JavaScript, SVG charts, no framework) embedded in the binary, so
// it works on a private testnet with no internet access and needs nothing
// but the node.
//
// # Data flow
//
// The node mounts Handler on --explorer.addr with its own rpc.Server. The
// browser loads the page from "/" and calls the node's JSON-RPC at "/rpc"
// on the same origin, over HTTP for reads and over WebSocket for the
// newHeads subscription that drives live updates. "/rpc" is the node's RPC
// handler itself, in process: no second client, no cache, no copy of any
// state. The page reads nothing the RPC does not already answer.
//
// # Exposure
//
// The explorer's address serves exactly the RPC (same methods, same batch,
// body and subscription limits, same Host checks against --rpc.vhosts),
// plus static files. The only thing the explorer changes is that a request
// whose Origin is the explorer's own origin (the page calling home) is
// passed to the RPC as a non-browser request: it is same-origin, so there
// is no foreign page to refuse, and without this the RPC's WebSocket origin
// check (no --rpc.corsdomain: no browser) would refuse the explorer's own
// subscription. A request from any other origin keeps its Origin header and
// meets the RPC's CORS and WebSocket checks unchanged. Responses carry a
// Content-Security-Policy that allows only the page's own scripts, styles
// and connections.
//
// The page's JavaScript treats every RPC answer as untrusted text: it
// builds the DOM with textContent and attributes, never innerHTML.
package explorer
