package explorer_test

import (
	"net/http/httptest"
	"testing"

	"github.com/taonet/taod/explorer"
)

// The panels for methods a node may lack (the account index and the
// per-epoch subnet history, added on another branch) appear when the node
// answers them and stay hidden when it says "method not found".
func TestOptionalPanels(t *testing.T) {
	br := startBrowser(t, 1280, 900)
	const acct = "0x7711000000000000000000000000000000000000"
	const txh = "0x1111111111111111111111111111111111111111111111111111111111111111"
	base := map[string]any{"tao_getBalance": "7500000000", "tao_getNonce": 0, "stake_stakesOf": []any{}, "stake_unbonding": []any{},
		"tao_blockNumber": 40, "tao_getBlockByNumber": nil}
	with := map[string]any{
		"subnet_history": []map[string]any{
			{"epoch": 1, "block": 10, "incentive": "0.100000000", "dividends": "0.000000000", "emission": "1000000000"},
			{"epoch": 2, "block": 20, "incentive": "0.400000000", "dividends": "0.000000000", "emission": "3000000000"},
			{"epoch": 3, "block": 30, "incentive": "0.300000000", "dividends": "0.000000000", "emission": "2000000000"},
		},
		"tao_getAccountHistory": map[string]any{"items": []map[string]any{
			{"block": 12, "kind": "transfer", "txHash": txh, "from": "0x0aa5e1dc6adcb617a92eb17977f9dd8ce5955112", "amount": "7500000000"},
		}},
	}
	for k, v := range base {
		with[k] = v
	}
	for _, c := range []struct {
		name   string
		extra  map[string]any
		panels bool
	}{{"node without them", base, false}, {"node with them", with, true}} {
		t.Run(c.name, func(t *testing.T) {
			rpc, _ := cannedRPC(t, 4, c.extra)
			hs := httptest.NewServer(explorer.Handler(rpc))
			t.Cleanup(hs.Close)

			br.open(hs.URL+"/#/subnet/1", "/subnet/1")
			var points int
			br.eval(`Number((document.querySelector('svg[data-series="history-incentive"]') || {dataset: {}}).dataset.points) || 0`, &points)
			if c.panels && points != 3 || !c.panels && points != 0 {
				t.Fatalf("history chart with %d epochs drawn; want panel %v", points, c.panels)
			}

			br.open(hs.URL+"/#/account/"+acct, "/account/"+acct)
			hist := br.text("#history")
			var indexed bool
			br.eval(`!!document.querySelector('#history a[href="#/tx/`+txh+`"]')`, &indexed)
			if indexed != c.panels {
				t.Fatalf("account history links the indexed tx: %v, want %v (%q)", indexed, c.panels, hist)
			}
			var scanNote bool
			br.eval(`document.getElementById("main").textContent.includes("tao_getAccountHistory is not available")`, &scanNote)
			if scanNote == c.panels {
				t.Fatalf("scan fallback note shown: %v, want %v", scanNote, !c.panels)
			}
		})
	}
}
