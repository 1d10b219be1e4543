package rpc_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

func history(t *testing.T, cl *gethrpc.Client, a types.Address, cursor *string, limit int) rpc.AccountHistory {
	t.Helper()
	var h rpc.AccountHistory
	if err := cl.CallContext(context.Background(), &h, "tao_getAccountHistory", a, cursor, limit); err != nil {
		t.Fatal(err)
	}
	return h
}

func cursors(evs []rpc.EventJSON) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Kind+"@"+e.Cursor)
	}
	return strings.Join(s, " ")
}

// Paging through an account's history gives the same events as one page,
// newest first, and a page fetched by cursor is unchanged by later blocks.
func TestAccountHistoryPagesStably(t *testing.T) {
	g := newGoldenChain(t)
	cl := dialChain(t, g.c)
	owner := devkeys.Address(1)
	all := history(t, cl, owner, nil, 100)
	if len(all.Events) < 6 || all.Next != nil || all.IndexedFrom != 0 {
		t.Fatalf("owner's history: %d events, next %v, from %d", len(all.Events), all.Next, all.IndexedFrom)
	}
	for i := 1; i < len(all.Events); i++ {
		if all.Events[i].BlockNumber > all.Events[i-1].BlockNumber {
			t.Fatalf("not newest first: %s", cursors(all.Events))
		}
	}
	var paged []rpc.EventJSON
	var cur *string
	var second *string
	for page := 0; ; page++ {
		h := history(t, cl, owner, cur, 2)
		paged = append(paged, h.Events...)
		if page == 0 {
			second = h.Next
		}
		if h.Next == nil {
			break
		}
		cur = h.Next
	}
	if cursors(paged) != cursors(all.Events) {
		t.Fatalf("paged:\n%s\none page:\n%s", cursors(paged), cursors(all.Events))
	}
	before := history(t, cl, owner, second, 2)
	g.produce(g.sign(devkeys.Key(0), 3, &types.Transfer{To: owner, Amount: 7}))
	after := history(t, cl, owner, second, 2)
	if cursors(before.Events) != cursors(after.Events) {
		t.Fatalf("page 2 moved with a new block:\n%s\n%s", cursors(before.Events), cursors(after.Events))
	}
	first := history(t, cl, owner, nil, 1).Events[0]
	if first.Kind != "transfer" || first.Amount != "7" || *first.Peer != owner || *first.Address != devkeys.Address(0) || first.TxHash == nil {
		t.Fatalf("newest event %+v", first)
	}
}

func callErr(t *testing.T, cl *gethrpc.Client, method string, params ...any) gethrpc.Error {
	t.Helper()
	var res any
	err := cl.CallContext(context.Background(), &res, method, params...)
	var rerr gethrpc.Error
	if !errors.As(err, &rerr) {
		t.Fatalf("%s %v: %v, want an RPC error", method, params, err)
	}
	return rerr
}

func TestGetEventsFiltersAndLimits(t *testing.T) {
	g := newGoldenChain(t)
	cl := dialChain(t, g.c)
	head, _ := g.store.Head()
	var page rpc.EventsPage
	if err := cl.CallContext(context.Background(), &page, "tao_getEvents", map[string]any{"kinds": []string{"transfer"}, "fromBlock": 1, "toBlock": head.Height}); err != nil {
		t.Fatal(err)
	}
	var sawFirst bool
	for _, e := range page.Events {
		if e.Kind != "transfer" {
			t.Fatalf("kind filter let through %+v", e)
		}
		sawFirst = sawFirst || *e.Peer == (types.Address{0x42}) && e.Amount == "3000000000" && e.BlockNumber == 1
	}
	if !sawFirst || page.Next != nil {
		t.Fatalf("transfers %s", cursors(page.Events))
	}
	// Epochs of subnet 1 come from block receipts (no tx hash) and carry
	// the netuid; the UID count and digest are in uid and data.
	if err := cl.CallContext(context.Background(), &page, "tao_getEvents", map[string]any{"netuid": 1, "kinds": []string{"epoch"}, "fromBlock": 0}); err != nil {
		t.Fatal(err)
	}
	if len(page.Events) < 2 {
		t.Fatalf("epochs of subnet 1: %s", cursors(page.Events))
	}
	for _, e := range page.Events {
		if e.TxHash != nil || e.Netuid == nil || *e.Netuid != 1 || e.UID != 2 || len(e.Data) != 32 {
			t.Fatalf("epoch event %+v", e)
		}
	}
	// The validator's dividends are reward events of the epoch's block
	// receipt, source 1 (dividends), with its UID and owner; each is
	// followed by its owner's take (source 3), no larger.
	if err := cl.CallContext(context.Background(), &page, "tao_getEvents", map[string]any{"kinds": []string{"reward"}, "address": devkeys.Address(10), "fromBlock": 0}); err != nil {
		t.Fatal(err)
	}
	var divs, takes int
	for i, e := range page.Events {
		if e.UID != 0 || *e.Netuid != 1 || e.TxHash != nil || e.Amount == "0" {
			t.Fatalf("reward %+v", e)
		}
		switch e.Ref {
		case types.RewardDividends:
			divs++
			if *e.Address != devkeys.Address(10) || *e.Peer != devkeys.Address(1) {
				t.Fatalf("dividends %+v", e)
			}
		case types.RewardTake:
			takes++
			d, _ := strconv.ParseUint(page.Events[i-1].Amount, 10, 64)
			k, _ := strconv.ParseUint(e.Amount, 10, 64)
			if *e.Address != devkeys.Address(1) || *e.Peer != devkeys.Address(10) || page.Events[i-1].Ref != types.RewardDividends || k > d {
				t.Fatalf("take %+v after %+v", e, page.Events[i-1])
			}
		default:
			t.Fatalf("reward of source %d: %+v", e.Ref, e)
		}
	}
	if divs == 0 || takes != divs {
		t.Fatalf("%d dividends, %d takes", divs, takes)
	}
	// An address filter matches either side.
	if err := cl.CallContext(context.Background(), &page, "tao_getEvents", map[string]any{"address": types.Address{0x42}, "fromBlock": 0}); err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Events[0].Kind != "transfer" {
		t.Fatalf("events of 0x42: %s", cursors(page.Events))
	}

	for _, c := range []struct {
		method string
		params []any
		code   int
		want   string
	}{
		{"tao_getEvents", []any{map[string]any{"fromBlock": 0, "toBlock": 10_000}}, rpc.CodeLimit, "at most 10000 blocks"},
		{"tao_getEvents", []any{map[string]any{"fromBlock": 5, "toBlock": 4}}, rpc.CodeInvalidParams, "after toBlock"},
		{"tao_getEvents", []any{map[string]any{"kinds": []string{"mint"}}}, rpc.CodeInvalidParams, "not an event kind"},
		{"tao_getEvents", []any{map[string]any{"kinds": make([]string, 33)}}, rpc.CodeInvalidParams, "at most 32"},
		{"tao_getEvents", []any{map[string]any{"kind": []string{"transfer"}}}, rpc.CodeInvalidParams, `unknown field "kind"`},
		{"tao_getEvents", []any{map[string]any{"from": 0}}, rpc.CodeInvalidParams, `unknown field "from"`},
		{"tao_getEvents", []any{map[string]any{"fromBlock": 1, "toBlock": 3, "cursor": "9:0:0"}}, rpc.CodeInvalidParams, "outside blocks"},
		{"tao_getEvents", []any{map[string]any{"cursor": "1:x:0"}}, rpc.CodeInvalidParams, "cursor"},
		{"tao_getAccountHistory", []any{devkeys.Address(1), nil, 101}, rpc.CodeInvalidParams, "limit 101"},
		{"tao_getAccountHistory", []any{devkeys.Address(1), nil, 0}, rpc.CodeInvalidParams, "limit 0"},
		{"tao_getAccountHistory", []any{devkeys.Address(1), strings.Repeat("9", 100), 5}, rpc.CodeInvalidParams, "cursor"},
		{"tao_getAccountHistory", []any{devkeys.Address(1), "1:2", 5}, rpc.CodeInvalidParams, "cursor"},
		{"subnet_history", []any{1, 0, 257}, rpc.CodeInvalidParams, "epochs 257"},
	} {
		e := callErr(t, cl, c.method, c.params...)
		if e.ErrorCode() != c.code || !strings.Contains(e.Error(), c.want) {
			t.Errorf("%s %v: error %d %q, want %d containing %q", c.method, c.params, e.ErrorCode(), e.Error(), c.code, c.want)
		}
	}
}

// subnet_history charts a UID over the epochs the index kept, oldest first,
// and agrees with the metagraph after the last one.
func TestSubnetHistory(t *testing.T) {
	g := newGoldenChain(t)
	cl := dialChain(t, g.c)
	var pts []rpc.EpochPointJSON
	if err := cl.CallContext(context.Background(), &pts, "subnet_history", 1, 1, 10); err != nil {
		t.Fatal(err)
	}
	if len(pts) < 2 {
		t.Fatalf("points %+v", pts)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Block <= pts[i-1].Block {
			t.Fatalf("not oldest first: %+v", pts)
		}
	}
	var n rpc.NeuronDetail
	if err := cl.CallContext(context.Background(), &n, "subnet_neuron", 1, 1); err != nil {
		t.Fatal(err)
	}
	last := pts[len(pts)-1]
	if last.Hotkey != devkeys.Address(11) || last.Incentive == 0 {
		t.Fatalf("last point %+v; neuron %+v", last, n)
	}
}

// A node without the index says so instead of answering empty.
func TestIndexOffIsAnError(t *testing.T) {
	c, _ := openChain(t, state.Options{CacheMB: 8, TrieCache: 4}, 2, nil)
	cl := dialChain(t, c)
	for _, m := range []struct {
		method string
		params []any
	}{{"tao_getAccountHistory", []any{devkeys.Address(1)}}, {"subnet_history", []any{1, 0}}} {
		if e := callErr(t, cl, m.method, m.params...); !strings.Contains(e.Error(), "[index] enabled") {
			t.Errorf("%s without an index: %v", m.method, e)
		}
	}
}
