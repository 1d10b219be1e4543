package node_test

import (
	"net"
	"strings"
	"testing"

	"github.com/taonet/taod/client/clienttest"
)

// A client connection that never sends a request (an HTTP transport's
// spare dial) does not make the node's stop fail: clienttest's cleanup
// fails the test if Run returns an error (it returned "context deadline
// exceeded" after its 3 s shutdown wait).
func TestStopWithIdleNewConnection(t *testing.T) {
	var conn net.Conn
	t.Cleanup(func() { // registered first, so it runs after the node stopped
		if conn != nil {
			conn.Close()
		}
	})
	n := clienttest.Start(t)
	var err error
	if conn, err = net.Dial("tcp", strings.TrimPrefix(n.URL, "http://")); err != nil {
		t.Fatal(err)
	}
}
