package explorer_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/types"
)

const tao = types.RaoPerTAO

// explorerNode runs an in-process node of the test preset (200 ms blocks,
// tempo 10) with subnet 1 owned by dev0 and the explorer on a free port. It
// returns the explorer's and the RPC's base URLs.
func explorerNode(t *testing.T) (explorerURL, rpcURL string) {
	t.Helper()
	n := clienttest.StartWith(t, func(cfg *node.Config, g *chain.Genesis) {
		g.Subnets = []chain.GenesisSubnet{{Name: "apex", Owner: devkeys.Address(0)}}
		cfg.Explorer.Addr = "127.0.0.1:0"
		// The event index, so that the account and per-epoch history panels
		// are the index's; without it the page falls back (TestOptionalPanels).
		cfg.Index.Enabled = true
	})
	return n.Explorer, n.URL
}

// short is how the page abbreviates a hash or address.
func short(s string) string { s = strings.ToLower(s); return s[:8] + "…" + s[len(s)-4:] }

// TestExplorerInBrowser uses the explorer as a person would, in headless
// Chromium: a transfer, two neurons (one a validator that sets weights), an
// epoch and a proposal, then every page, asserting that what happened is
// shown, and a screenshot of each page (desktop, and the subnet page at a
// phone's width, which must not scroll sideways). The screenshots go to
// $EXPLORER_SCREENSHOTS if set, else to the test's temp dir (logged).
func TestExplorerInBrowser(t *testing.T) {
	br := startBrowser(t, 1280, 900) // first: no Chromium fails here, before the node starts
	base, rpcURL := explorerNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, rpcURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	signer := func(i int) *client.Signer {
		s, err := client.NewSigner(devkeys.Key(i))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	send := func(i int, call types.Call) uint64 {
		t.Helper()
		r, err := c.SendAndWait(ctx, signer(i), call)
		if err != nil {
			t.Fatalf("%T from dev%d: %v", call, i, err)
		}
		return r.BlockNumber
	}

	// A transfer to a fresh account.
	to := types.Address{0x77, 0x11}
	txHash, err := c.Send(ctx, signer(0), client.Transfer(to, 7*tao+tao/2))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.WaitReceipt(ctx, txHash)
	if err != nil || rc.Status != "success" {
		t.Fatalf("transfer: %v %+v", err, rc)
	}
	// Two neurons on subnet 1: validator hotkey 20 (staked, funded for its
	// fees) and miner hotkey 21, then the validator's weights.
	val, miner := devkeys.Address(20), devkeys.Address(21)
	send(1, client.BurnedRegister(1, val))
	send(2, client.BurnedRegister(1, miner))
	send(1, client.AddStake(val, 100*tao))
	send(1, client.Transfer(val, tao))
	// The permit comes with the next epoch (tempo 10: two seconds).
	var wBlock uint64
	for wBlock == 0 {
		r, err := c.SendAndWait(ctx, signer(20), &types.SetWeights{Netuid: 1, UIDs: []uint16{0, 1}, Weights: []uint16{100, 65535}})
		switch {
		case err == nil:
			wBlock = r.BlockNumber
		case strings.Contains(err.Error(), "no validator permit") && ctx.Err() == nil:
			time.Sleep(200 * time.Millisecond)
		default:
			t.Fatalf("set weights: %v", err)
		}
	}
	// A proposal with a vote in its tally, its title markup that must show
	// as text (chain data is hostile).
	const title = `explorer test proposal <img src=x onerror="document.body.dataset.pwned=1">`
	send(3, &types.Propose{ProposalKind: types.ProposalText, Title: title, Deposit: tao})
	send(1, &types.GovVote{ProposalID: 1, Option: types.VoteYes})
	// Wait for an epoch after the weights: the miner's incentive is paid.
	for {
		mg, err := c.Metagraph(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		sn, err := c.Subnet(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sn.LastEpoch > wBlock && len(mg) == 2 && mg[1].Incentive != "0.000000000" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no epoch paid the miner: metagraph %+v", mg)
		}
		time.Sleep(200 * time.Millisecond)
	}

	dir := os.Getenv("EXPLORER_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) { t.Logf("screenshot %s", br.screenshot(dir, name)) }
	has := func(sel, want string) {
		t.Helper()
		if got := br.text(sel); !strings.Contains(got, want) {
			t.Fatalf("%s shows %q, want it to contain %q", sel, got, want)
		}
	}

	// Overview, with the live newHeads subscription moving the head.
	br.open(base+"/", "/")
	br.waitFor(`!document.getElementById("live").classList.contains("off")`, 20*time.Second)
	var h0 int
	br.eval(`Number(document.getElementById("head").textContent.slice(1)) || 0`, &h0)
	br.waitFor(fmt.Sprintf(`Number(document.getElementById("head").textContent.slice(1)) > %d`, h0), 20*time.Second)
	var height uint64
	br.eval(`Number(document.querySelector("#height .v").textContent)`, &height)
	if height < rc.BlockNumber {
		t.Fatalf("overview shows height %d, below the transfer's block %d", height, rc.BlockNumber)
	}
	if br.text("#blocks") == "" {
		t.Fatal("overview shows no blocks")
	}
	shot("overview")

	br.open(base+"/#/blocks", "/blocks")
	shot("blocks")

	br.open(fmt.Sprintf("%s/#/block/%d", base, rc.BlockNumber), fmt.Sprintf("/block/%d", rc.BlockNumber))
	has("#txs", short(txHash.Hex()))
	has("#txs", "Transfer")
	has("#events", "feePaid")
	has("#events", "transfer")
	has("#events", "7.5 τ")
	shot("block")
	// The block of the last epoch lists its end-of-block events: the epoch
	// and the rewards it paid (no tx: "block").
	sn, err := c.Subnet(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	br.open(fmt.Sprintf("%s/#/block/%d", base, sn.LastEpoch), fmt.Sprintf("/block/%d", sn.LastEpoch))
	has("#events", "epoch")
	has("#events", "reward")
	shot("block-epoch")

	br.open(base+"/#/tx/"+txHash.Hex(), "/tx/"+txHash.Hex())
	has("#main", "7.5 τ")
	has("#main", "success")
	shot("tx")

	br.open(base+"/#/account/"+to.Hex(), "/account/"+to.Hex())
	has("#balance", "7.5 τ")
	has("#history", short(txHash.Hex()))
	shot("account")

	// The miner's incentive (no event: the index's record) in the history
	// of its owner coldkey (dev2) and of its hotkey, with the epoch's pay.
	var pts []map[string]any
	if err := c.Call(ctx, &pts, "subnet_history", 1, 1, 256); err != nil || len(pts) == 0 {
		t.Fatalf("subnet_history of the miner: %v %+v", err, pts)
	}
	for _, a := range []types.Address{devkeys.Address(2), miner} {
		br.open(base+"/#/account/"+a.Hex(), "/account/"+a.Hex())
		has("#history", "reward (incentive)")
		has("#history", short(miner.Hex()))
	}
	shot("account-miner")

	br.open(base+"/#/account/"+devkeys.Address(1).Hex(), "/account/"+devkeys.Address(1).Hex())
	has("#main", "Stake positions")
	has("#main", short(val.Hex()))

	br.open(base+"/#/validators", "/validators")
	has("#validators", "100.00 %")
	shot("validators")

	br.open(base+"/#/subnets", "/subnets")
	has("#subnets", "apex")
	shot("subnets")

	br.open(base+"/#/subnet/1", "/subnet/1")
	has("#metagraph", short(val.Hex()))
	has("#metagraph", short(miner.Hex()))
	for _, series := range []string{"incentive", "dividends", "emission"} {
		var points int
		var path string
		br.eval(fmt.Sprintf(`Number(document.querySelector('svg[data-series=%q]').dataset.points)`, series), &points)
		br.eval(fmt.Sprintf(`document.querySelector('svg[data-series=%q] path').getAttribute("d")`, series), &path)
		if points != 2 || path == "" {
			t.Fatalf("%s chart: %d points, path %q; want 2 UIDs drawn", series, points, path)
		}
	}
	// Where the node has subnet_history (and its index), the chart of UID 0
	// over the last epochs is drawn.
	var hasHistory bool
	if err := c.Call(ctx, new(any), "subnet_history", 1, 0, 8); err == nil {
		hasHistory = true
	} else if !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("subnet_history: %v", err)
	}
	if hasHistory {
		var points int
		br.eval(`Number((document.querySelector('svg[data-series="history-incentive"]') || {dataset: {}}).dataset.points) || 0`, &points)
		if points < 1 {
			t.Fatalf("the node answers subnet_history but the page draws %d epochs", points)
		}
	}
	t.Logf("subnet_history on this node: %v", hasHistory)
	shot("subnet")

	br.open(base+"/#/gov", "/gov")
	has("#proposals", title)
	var injected bool
	br.eval(`!!document.querySelector("#proposals img") || document.body.dataset.pwned === "1"`, &injected)
	if injected {
		t.Fatal("a proposal title was rendered as markup")
	}
	shot("gov")

	// A phone: the subnet page fits its width (tables scroll inside their box).
	br.viewport(390, 844, true)
	br.open(base+"/#/subnets", "/subnets")
	br.open(base+"/#/subnet/1", "/subnet/1")
	var overflow int
	br.eval(`document.documentElement.scrollWidth - window.innerWidth`, &overflow)
	if overflow > 0 {
		t.Fatalf("at 390 px the page is %d px too wide", overflow)
	}
	shot("subnet-phone")
}
