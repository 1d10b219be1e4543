// Package clienttest starts an in-process taod node for tests of code that
// talks to a node through package client (as net/http/httptest does for
// HTTP servers): test preset (200 ms blocks, tempo 10), RPC on a free
// loopback port, funded dev keys whose keystores (empty password) sit in
// the home's keys directory.
//
// The node runs in its own temp home and stops at the test's cleanup; it is
// a real node (store, chain, driver, RPC), so tests that use it run in wall
// time and wait for heights rather than sleep.
//
//	n := clienttest.Start(t)
//	c := n.Dial(t, false)              // true: WebSocket
//	clienttest.WaitHeight(t, c, 2)
//	// sign with devkeys.Key(0..DevKeys-1), or the keystores in n.KeysDir()
package clienttest
