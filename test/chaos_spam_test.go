//go:build chaos

package test

import (
	"bufio"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taod/node"
	"github.com/taonet/taod/p2p"
)

// TestChaosSpammerRefused: the full node restarts with the spam switch and
// floods two validators with bad-signature and unknown-signer votes,
// unfunded and gapped txs, forged announcements and oversized messages on
// every topic. Each validator must reject its gossip on all three topics,
// ban it (and no one else), keep its peering with the other validator and keep
// committing. (The chaos suite's scenario 9 does the same to a process or
// docker testnet under load; this runs in `make test`.)
func TestChaosSpammerRefused(t *testing.T) {
	nw := newNetwork(t, 2, 1)
	metricsOn := func(c *node.Config) { c.Metrics.Addr = "127.0.0.1:0" }
	nw.startWith(0, metricsOn)
	nw.startWith(1, metricsOn)
	nw.start(2)
	nw.waitAll(2, 30*time.Second)
	spam := nw.nodes[2].n.Host().ID()
	nw.stop(2)

	h0, start := nw.height(0), time.Now()
	nw.startWith(2, func(c *node.Config) { c.Chaos.Spam = true })
	deadline := time.Now().Add(30 * time.Second)
	for v := 0; v < 2; v++ {
		for metric(t, nw, v, "taod_p2p_bans_total") < 1 {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not ban the spammer within 30 s", nw.nodes[v].name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second) // the spammer goes on, redialling
	spamFor := time.Since(start)
	h1 := nw.height(0)

	for v := 0; v < 2; v++ {
		name := nw.nodes[v].name
		for _, topic := range []string{"tx", "consensus", "block"} {
			if n := metric(t, nw, v, "taod_p2p_messages_in_total", `topic="`+topic+`"`, `result="reject"`); n < 1 {
				t.Errorf("%s rejected no %s gossip from the spammer", name, topic)
			}
		}
		if n := metric(t, nw, v, "taod_p2p_bans_total"); n != 1 {
			t.Errorf("%s made %v bans, want 1 (the spammer)", name, n)
		}
		peers := peerIDs(nw.nodes[v].n.Host())
		if slices.Contains(peers, spam) {
			t.Errorf("%s is still connected to the spammer", name)
		}
		other := nw.nodes[1-v].n.Host().ID()
		if !slices.Contains(peers, other) {
			t.Errorf("%s lost its peering with %s", name, nw.nodes[1-v].name)
		}
		if sc, ok := nw.nodes[v].n.Host().PeerScores()[other]; ok && sc < 0 {
			t.Errorf("%s scores %s at %.1f: an honest peer blamed", name, nw.nodes[1-v].name, sc)
		}
	}
	// 200 ms blocks: a quiet pair commits ~5/s; ask for a third of that
	// (a loaded CI machine, the spammer signing on the same cores).
	if want := uint64(spamFor.Seconds() * 5 / 3); h1-h0 < want {
		t.Errorf("validators committed %d blocks in %s of spam, want >= %d", h1-h0, spamFor.Round(time.Millisecond), want)
	}
	nw.stop(2)
	nw.checkNoFork()
}

func peerIDs(h *p2p.Host) []p2p.PeerID {
	var out []p2p.PeerID
	for _, p := range h.Peers() {
		out = append(out, p.ID)
	}
	return out
}

// metric sums node i's samples of the series name whose labels contain
// every one of labels.
func metric(t *testing.T, nw *network, i int, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + nw.nodes[i].n.ListenAddr("metrics") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sum
}
