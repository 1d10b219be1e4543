package test

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/testport"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

// TestCompactProposalsInNetwork: 4 validators, three sending compact
// proposals and one full ones (FullProposals), commit transfers sent to
// one node; the compact proposals that carried txs were completed by the
// receivers, none mismatched its header.
func TestCompactProposalsInNetwork(t *testing.T) {
	nw := newNetwork(t, 4, 0)
	ports := testport.FreeN(t, 4)
	for i := range 4 {
		nw.startWith(i, func(c *node.Config) {
			c.Metrics.Addr = fmt.Sprintf("127.0.0.1:%d", ports[i])
			c.P2P.FullProposals = i == 3
		})
	}
	nw.waitAll(2, 30*time.Second)

	var chainID uint64
	if err := nw.nodes[0].client.Call(&chainID, "tao_chainId"); err != nil {
		t.Fatal(err)
	}
	var hashes []types.Hash
	for round := range 3 {
		for k := range 4 {
			for j := range 10 {
				nonce := uint64(round*10 + j)
				tx := signPaying(t, devkeys.Key(k), types.TxData{ChainID: chainID, Nonce: nonce, Call: &types.Transfer{To: types.Address{byte(k + 1)}, Amount: 1}})
				var h types.Hash
				if err := nw.nodes[0].client.Call(&h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes())); err != nil {
					t.Fatalf("send: %v", err)
				}
				hashes = append(hashes, h)
			}
		}
		time.Sleep(300 * time.Millisecond) // spread over blocks, and so over proposers
	}
	nw.waitReceipts(hashes, 60*time.Second, 0, 1, 2, 3)
	nw.checkNoFork()

	var compactIn, fullIn, mismatched float64
	for i := range 4 {
		s := scrape(t, nw.nodes[i].n.ListenAddr("metrics"))
		compactIn += s[`taod_compact_proposal_bytes_total{dir="received"}`]
		fullIn += s[`taod_compact_proposal_full_bytes_total{dir="received"}`]
		mismatched += s[`taod_compact_proposals_total{result="mismatch"}`]
		t.Logf("node%d: compact proposals local %v, fetched %v, unresolved %v; txs fetched %v; sent %v bytes standing for %v",
			i, s[`taod_compact_proposals_total{result="local"}`], s[`taod_compact_proposals_total{result="fetched"}`],
			s[`taod_compact_proposals_total{result="unresolved"}`], s[`taod_compact_txs_fetched_total`],
			s[`taod_compact_proposal_bytes_total{dir="sent"}`], s[`taod_compact_proposal_full_bytes_total{dir="sent"}`])
	}
	t.Logf("compact proposals received: %v bytes standing for %v", compactIn, fullIn)
	if compactIn == 0 || fullIn <= compactIn {
		t.Errorf("no compact proposal with txs was received (%v bytes standing for %v)", compactIn, fullIn)
	}
	if mismatched != 0 {
		t.Errorf("%v compact proposals from honest validators mismatched their headers", mismatched)
	}
}

// scrape reads a node's metrics as series (name with labels) to values.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := make(map[string]float64)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}
