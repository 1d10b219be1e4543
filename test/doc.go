// Package test holds taod's end-to-end tests: real nodes with Pebble on disk,
// called over real HTTP and WebSocket JSON-RPC, and the taod binary killed
// with SIGKILL and restarted.
package test
