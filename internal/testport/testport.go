package testport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
)

// The range ports are picked from: under Linux's ephemeral range.
const (
	low  = 20_000
	high = 32_000
)

// Free returns a loopback TCP port that was free a moment ago.
func Free(t testing.TB) int {
	t.Helper()
	return FreeN(t, 1)[0]
}

// FreeN returns n distinct loopback TCP ports; each was bound until all were
// found, so no two are equal.
func FreeN(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100*n {
			t.Fatalf("testport: no free port in [%d, %d) after %d tries", low, high, tries)
		}
		p := low + rand.IntN(high-low)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		held = append(held, l)
		ports = append(ports, p)
	}
	return ports
}
