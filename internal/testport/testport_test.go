package testport

import (
	"net"
	"strconv"
	"testing"
)

func TestFreeNDistinctBelowEphemeralAndBindable(t *testing.T) {
	ports := FreeN(t, 50)
	seen := map[int]bool{}
	for _, p := range ports {
		if p < low || p >= high || seen[p] {
			t.Fatalf("port %d out of [%d, %d) or repeated", p, low, high)
		}
		seen[p] = true
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d not bindable after FreeN: %v", p, err)
		}
		l.Close()
	}
}
