package archtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportDirection fails if any package of the module imports against
// the layering of Rules.
func TestImportDirection(t *testing.T) {
	g, err := Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The loader must see the graph the compiler sees; an empty or partial
	// graph would pass every rule.
	for _, edge := range [][2]string{{"gov", "staking"}, {"subnet", "staking"}, {"chain", "gov"}, {"node", "node/driver"}, {"rpc", "chain"}} {
		if !contains(g[edge[0]], edge[1]) {
			t.Fatalf("loader missed %s → %s; graph of %s: %v", edge[0], edge[1], edge[0], g[edge[0]])
		}
	}
	for _, v := range Check(g, Rules()) {
		if v.Target == "" {
			t.Errorf("rule for %s: no such package (renamed? move the rule with it)", v.Rule.Pkg)
			continue
		}
		t.Errorf("%v", v)
	}
}

// TestCheckCatchesUpwardImports runs the rules over small made-up graphs,
// so a check that reported nothing would fail here.
func TestCheckCatchesUpwardImports(t *testing.T) {
	base := func() Graph {
		return Graph{
			"types": {"errors"}, "emission": nil, "subnet/yuma": nil,
			"consensus": {"types"}, "state": {"types"},
			"staking": {"state", "types"}, "subnet": {"staking", "state", "subnet/yuma"},
			"gov": {"staking"}, "chain": {"gov", "subnet", "staking", "consensus", "state"},
			"node": {"chain", "node/driver", "rpc", "p2p"}, "node/driver": {"chain", "consensus"},
			"p2p": {"types"}, "rpc": {"chain"}, "consensus/wal": {"os"},
			"explorer": {"embed", "net/http"},
		}
	}
	if vs := Check(base(), Rules()); len(vs) != 0 {
		t.Fatalf("a well-layered graph broke rules: %v", vs)
	}
	cases := []struct {
		name      string
		pkg, imp  string
		wantPkg   string
		wantMatch string // in the violation's text
	}{
		{"staking imports subnet", "staking", "subnet", "staking", "staking imports subnet"},
		{"staking reaches chain through state", "state", "chain", "staking", "staking → state → chain"},
		{"subnet imports gov", "subnet", "gov", "subnet", "subnet imports gov"},
		{"gov imports chain", "gov", "chain", "gov", "gov imports chain"},
		{"consensus imports state", "consensus", "state", "consensus", "consensus imports state"},
		{"consensus reads a file", "consensus", "os", "consensus", "consensus imports os"},
		{"yuma reads the clock", "subnet/yuma", "time", "subnet/yuma", "subnet/yuma imports time"},
		{"emission imports types", "emission", "types", "emission", "emission imports types"},
		{"explorer imports rpc", "explorer", "rpc", "explorer", "explorer imports rpc"},
		{"rpc imports state", "rpc", "state", "rpc", "rpc imports state"},
		{"driver imports node", "node/driver", "node", "node/driver", "node/driver imports node"},
		{"chain imports the txpool", "chain", "txpool", "chain", "chain imports txpool"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := base()
			g[c.pkg] = append(g[c.pkg], c.imp)
			if _, ok := g[c.imp]; !ok && !strings.Contains("os time", c.imp) {
				g[c.imp] = nil
			}
			var got []string
			for _, v := range Check(g, Rules()) {
				if v.Rule.Pkg == c.wantPkg {
					got = append(got, v.String())
				}
			}
			for _, s := range got {
				if strings.Contains(s, c.wantMatch) {
					return
				}
			}
			t.Fatalf("want a violation %q of %s's rule, got %v", c.wantMatch, c.wantPkg, got)
		})
	}
	// (base has rpc → chain → state: rpc's rule is about its own imports.)
	// A rule whose package vanished is reported, not skipped.
	g := base()
	delete(g, "gov")
	if vs := Check(g, Rules()); len(vs) != 1 || vs[0].Rule.Pkg != "gov" || vs[0].Target != "" {
		t.Fatalf("missing package: got %v", vs)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestTestHelpersStayInTests: internal/modtest (it opens stores on temp
// directories and fails tests) and internal/testport (it takes a
// testing.TB) are imported by _test.go files only.
func TestTestHelpersStayInTests(t *testing.T) {
	g, err := Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, helper := range []string{"internal/modtest", "internal/testport"} {
		if _, ok := g[helper]; !ok {
			t.Fatalf("%s not found", helper)
		}
		for pkg, imps := range g {
			if contains(imps, helper) {
				t.Errorf("%s imports %s outside its tests", pkg, helper)
			}
		}
	}
}

// TestEveryPackageHasDocGo: every package keeps its package comment in a
// doc.go of its own ("// Package x" or, for a command, "// Command x"), the
// first file a newcomer opens.
func TestEveryPackageHasDocGo(t *testing.T) {
	g, err := Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(g) < 30 {
		t.Fatalf("loader saw %d packages", len(g))
	}
	for pkg := range g {
		b, err := os.ReadFile(filepath.Join("../..", filepath.FromSlash(pkg), "doc.go"))
		if err != nil {
			t.Errorf("%s: no doc.go", pkg)
			continue
		}
		if !strings.HasPrefix(string(b), "// Package ") && !strings.HasPrefix(string(b), "// Command ") {
			t.Errorf("%s/doc.go does not open with its package comment", pkg)
		}
	}
}
