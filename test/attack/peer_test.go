package attack

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// attackerIP is where Byzantine peers connect from: a loopback address of
// their own (Linux routes all of 127/8 to lo), so that banning it by IP
// cannot touch the honest nodes on 127.0.0.1. Assumed of the fix (the ban
// evasion test): an inbound ban covers the exact IP the banned peer came
// from, loopback included, or at least loopback addresses other than the
// node's own.
const attackerIP = "127.0.0.66"

// garbage publishes undecodable consensus messages until the peer is
// banned: each costs it 100 × n² gossip score (p2p/score.go).
func (b *byz) misbehaveUntilBanned(i int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	junk := make([]byte, 64)
	for time.Now().Before(deadline) {
		if b.nw.bannedBy(i, b.ID()) {
			return true
		}
		_, _ = rand.Read(junk)
		_ = b.publishConsensus(append([]byte{0x7f}, junk...))
		time.Sleep(50 * time.Millisecond)
	}
	return b.nw.bannedBy(i, b.ID())
}

// Ban evasion: an attacker banned for invalid gossip comes back at once
// with fresh peer IDs from the same IP, and misbehaves again. Each
// returning identity must be refused before the handshake (weakness 7:
// bans are per peer ID today, and a peer ID costs nothing).
func TestAttackBanEvasion(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	first := newByz(t, nw, byzOpts{})
	first.mustConnect(0)
	if !first.misbehaveUntilBanned(0, 10*time.Second) {
		t.Fatal("the misbehaving attacker was not banned: the attack cannot start")
	}
	admitted := 0
	nw.underAttack(func(r *runner) {
		r.every(300*time.Millisecond, func() {
			b, err := tryByz(t, nw, byzOpts{})
			if err != nil {
				t.Error(err)
				return
			}
			defer b.close()
			if b.connect(0, 2*time.Second) {
				admitted++
				for range 10 {
					_ = b.publishConsensus([]byte{0x7f, 1, 2, 3})
				}
			}
		})
	})
	t.Logf("fresh peer IDs from the banned IP let in: %d", admitted)
	if admitted > 0 {
		t.Errorf("%d fresh peer IDs from the banned attacker's IP completed the handshake", admitted)
	}
}

// wsDial attempts a WebSocket upgrade on node i's RPC port with the given
// Host and Origin headers and returns the HTTP status.
func (nw *honestNet) wsDial(i int, host, origin string) (int, error) {
	addr := nw.nodes[i].n.ListenAddr("rpc")
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		return 0, err
	}
	if host != "" {
		req.Host = host
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", base64.StdEncoding.EncodeToString(key))
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// A web page's script opening the node's WebSocket RPC: with a foreign
// browser Origin, or through DNS rebinding (a Host header naming the
// attacker's domain). Both must be refused when no --rpc.corsdomain and no
// such vhost is configured (weakness 7: today any Origin is accepted and the
// vhosts check is skipped for WebSocket). A non-browser client (no Origin)
// on the node's own address must still get in.
func TestAttackRPCWebSocketOrigin(t *testing.T) {
	if !inChild(t) {
		return
	}
	nw := newNetwork(t, netOpts{})
	port := nw.nodes[0].n.ListenAddr("rpc")[len("127.0.0.1:"):]
	var foreign, rebound, plain int
	nw.underAttack(func(r *runner) {
		r.every(100*time.Millisecond, func() {
			var err error
			if foreign, err = nw.wsDial(0, "", "https://evil.example"); err != nil {
				t.Errorf("ws dial: %v", err)
			}
			if rebound, err = nw.wsDial(0, "rebind.evil.example:"+port, ""); err != nil {
				t.Errorf("ws dial: %v", err)
			}
			if plain, err = nw.wsDial(0, fmt.Sprintf("localhost:%s", port), ""); err != nil {
				t.Errorf("ws dial: %v", err)
			}
		})
	})
	t.Logf("WebSocket upgrade: foreign Origin → %d, rebinding Host → %d, no Origin on localhost → %d", foreign, rebound, plain)
	if plain != http.StatusSwitchingProtocols {
		t.Errorf("a plain WebSocket client was refused (%d): the check proves nothing", plain)
	}
	if foreign == http.StatusSwitchingProtocols {
		t.Error("a WebSocket with a foreign browser Origin was accepted")
	}
	if rebound == http.StatusSwitchingProtocols {
		t.Error("a WebSocket with a rebinding Host header was accepted")
	}
}

// Connection flood from one IP: 64 fresh peer IDs on 127.0.0.66 connect to
// a validator and complete the handshake, each a connection and a slot in
// its connection manager. A per-IP limit must admit at most half of them
// (any sane limit is well under 32), and the validators keep their pace
// and their honest peers (weakness 7: limits are per peer ID and total
// only today, 256 connections).
func TestAttackConnectionFlood(t *testing.T) {
	if !inChild(t) {
		return
	}
	const identities = 64
	nw := newNetwork(t, netOpts{})
	var admitted atomic.Int64
	var peers []*byz
	nw.underAttack(func(r *runner) {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for range identities {
				if r.stopped() {
					return
				}
				b, err := tryByz(t, nw, byzOpts{bare: true})
				if err != nil {
					t.Error(err)
					return
				}
				peers = append(peers, b)
				if b.connect(0, 3*time.Second) {
					admitted.Add(1)
				}
			}
		}()
	})
	// Still connected at the end, not only at some moment.
	held := 0
	for _, b := range peers {
		if b.connected(0) {
			held++
		}
	}
	t.Logf("identities from one IP: %d tried, %d completed the handshake, %d still connected", len(peers), admitted.Load(), held)
	if admitted.Load() > identities/2 {
		t.Errorf("%d of %d connections from one IP were admitted", admitted.Load(), identities)
	}
	for i := range nw.vals {
		if n := countHonest(nw, i); n < nw.vals-1 {
			t.Errorf("%s keeps %d honest peers of %d", nw.nodes[i].name, n, nw.vals-1)
		}
	}
}

// countHonest is how many honest nodes node i lists as peers.
func countHonest(nw *honestNet, i int) int {
	honest := nw.honestIDs()
	n := 0
	for _, p := range nw.nodes[i].n.Host().Peers() {
		if _, ok := honest[p.ID]; ok {
			n++
		}
	}
	return n
}
