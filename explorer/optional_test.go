package explorer_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

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
	// The shapes of branch w-ev's rpc/events.go: EpochPointJSON (incentive
	// and dividends as u16, 65535 = 1) and AccountHistory of EventJSON.
	hot := "0x0a615faa96b9baaee2f6788438515a52cf340359"
	with := map[string]any{
		"subnet_history": []map[string]any{
			{"block": 10, "hotkey": hot, "incentive": 6553, "dividends": 0, "emission": "1000000000"},
			{"block": 20, "hotkey": hot, "incentive": 26214, "dividends": 0, "emission": "3000000000"},
			{"block": 30, "hotkey": hot, "incentive": 19660, "dividends": 0, "emission": "2000000000"},
		},
		"tao_getAccountHistory": map[string]any{"events": []map[string]any{
			{"kind": "transfer", "blockNumber": 12, "blockHash": txh, "txHash": txh, "receiptIndex": 0, "eventIndex": 1,
				"address": "0x0aa5e1dc6adcb617a92eb17977f9dd8ce5955112", "peer": acct, "netuid": nil, "uid": 0,
				"amount": "7500000000", "ref": 0, "data": "0x", "cursor": "12:0:1"},
		}, "next": nil, "indexedFrom": 0},
	}
	const indexOff = "this node keeps no event index: set [index] enabled = true in config.toml"
	off := map[string]any{"tao_getAccountHistory": cannedError{-32000, indexOff}, "subnet_history": cannedError{-32000, indexOff}}
	for k, v := range base {
		with[k], off[k] = v, v
	}
	for _, c := range []struct {
		name   string
		extra  map[string]any
		panels bool
		note   string // what the account page says of its fallback
	}{
		{"node without them", base, false, "tao_getAccountHistory is not available"},
		{"node with them", with, true, ""},
		{"node with them, index off", off, false, indexOff},
	} {
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
			main := br.text("#main")
			if scan := strings.Contains(main, "keeps no account index"); scan == c.panels || !strings.Contains(main, c.note) {
				t.Fatalf("scan fallback shown: %v, want %v, saying %q: %q", scan, !c.panels, c.note, main)
			}
			if c.panels && !strings.Contains(hist, "transfer") || c.panels && !strings.Contains(hist, "7.5 τ") {
				t.Fatalf("history shows %q, want the transfer event with its amount", hist)
			}
		})
	}
}

// The account page pages through the indexed history: "Older events" asks
// for the page at the last answer's next cursor and appends it, until an
// answer has no next; the rows stay newest first.
func TestAccountHistoryOlderEvents(t *testing.T) {
	br := startBrowser(t, 1280, 900)
	const acct = "0x7711000000000000000000000000000000000000"
	ev := func(block int) map[string]any {
		return map[string]any{"kind": "transfer", "blockNumber": block, "blockHash": fmt.Sprintf("0x%064x", block),
			"txHash": fmt.Sprintf("0x%064x", block), "receiptIndex": 0, "eventIndex": 1,
			"address": "0x0aa5e1dc6adcb617a92eb17977f9dd8ce5955112", "peer": acct, "netuid": nil, "uid": 0,
			"amount": fmt.Sprint(block * 1_000_000_000), "ref": 0, "data": "0x", "cursor": fmt.Sprintf("%d:0:1", block)}
	}
	// Three pages: blocks 30-29, 28-27, 26; the cursor of a page is its
	// first event's. Any other request is answered with an error the page
	// would show.
	pages := map[string]map[string]any{
		"null":     {"events": []any{ev(30), ev(29)}, "next": "28:0:1", "indexedFrom": 3},
		`"28:0:1"`: {"events": []any{ev(28), ev(27)}, "next": "26:0:1", "indexedFrom": 3},
		`"26:0:1"`: {"events": []any{ev(26)}, "next": nil, "indexedFrom": 3},
	}
	var (
		mu    sync.Mutex
		asked []string
	)
	history := cannedFunc(func(params json.RawMessage) any {
		var p []json.RawMessage
		if err := json.Unmarshal(params, &p); err != nil || len(p) != 3 || !strings.EqualFold(string(p[0]), `"`+acct+`"`) || string(p[2]) != "50" {
			return cannedError{-32602, "unexpected params " + string(params)}
		}
		mu.Lock()
		asked = append(asked, string(p[1]))
		mu.Unlock()
		if page, ok := pages[string(p[1])]; ok {
			return page
		}
		return cannedError{-32602, "no page at cursor " + string(p[1])}
	})
	rpc, _ := cannedRPC(t, 4, map[string]any{"tao_getBalance": "7500000000", "tao_getNonce": 0, "stake_stakesOf": []any{},
		"stake_unbonding": []any{}, "tao_getAccountHistory": history})
	hs := httptest.NewServer(explorer.Handler(rpc))
	t.Cleanup(hs.Close)

	blocks := func() string {
		var s string
		br.eval(`[...document.querySelectorAll('#history tbody tr td:first-child')].map((td) => td.textContent).join(' ')`, &s)
		return s
	}
	br.open(hs.URL+"/#/account/"+acct, "/account/"+acct)
	if got := blocks(); got != "#30 #29" {
		t.Fatalf("first page shows blocks %q", got)
	}
	br.eval(`document.getElementById('history-more').click()`, nil)
	br.waitFor(`document.querySelectorAll('#history tbody tr').length === 4 && !document.getElementById('history-more').disabled`, 10*time.Second)
	if got := blocks(); got != "#30 #29 #28 #27" {
		t.Fatalf("after one click: blocks %q", got)
	}
	br.eval(`document.getElementById('history-more').click()`, nil)
	br.waitFor(`document.getElementById('history-end')`, 10*time.Second)
	if got := blocks(); got != "#30 #29 #28 #27 #26" {
		t.Fatalf("after the last page: blocks %q", got)
	}
	var button bool
	br.eval(`!!document.getElementById('history-more')`, &button)
	if button || !strings.Contains(br.text("#history-end"), "indexed from block 3") {
		t.Fatalf("at the end: button %v, note %q", button, br.text("#history-end"))
	}
	if err := br.text("#history-more-note"); err != "" {
		t.Fatalf("error shown: %q", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(asked, " "); got != `null "28:0:1" "26:0:1"` {
		t.Fatalf("cursors asked: %s", got)
	}
}
