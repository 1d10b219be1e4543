// Package testport picks loopback TCP ports for tests that must write a
// node's address into its config (and its peers') before the node listens.
//
// A port found free by listening on :0 lies in the kernel's ephemeral range
// (32768–60999 on Linux), where any other test's outbound connection or :0
// listener may take it before the node binds it: "bind: address already in
// use", a flaky failure under parallel packages. These ports come from below
// that range, chosen at random and checked free, so only another picker of
// the same range can collide with them, and rarely.
//
// Test code only (internal/archtest.TestTestHelpersStayInTests):
//
//	ports := testport.FreeN(t, 3) // p2p, RPC and metrics of one node
//	cfg.RPC.Addr = fmt.Sprintf("127.0.0.1:%d", ports[1])
package testport
