package archtest

import (
	"bufio"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Graph is the module's import graph: module-relative package path (""
// for the root, "chain", "subnet/yuma") to the paths it imports directly.
// Module packages appear module-relative; everything else (standard library,
// dependencies) by its full import path.
type Graph map[string][]string

// Rule is one constraint on a package's imports.
type Rule struct {
	Pkg string // module-relative package the rule is about
	// Forbid lists module-relative packages Pkg must not reach through the
	// module's import graph ("node/..." is node and everything under it).
	Forbid []string
	// Direct limits Forbid to Pkg's own imports (rpc may reach state through
	// chain's query methods, but never import it).
	Direct bool
	// NoIO bars Pkg from importing the standard library's I/O packages
	// (os, net, …) itself.
	NoIO bool
	Why  string
}

// Violation is a broken rule: Pkg reaches Target, through Path.
type Violation struct {
	Rule   Rule
	Target string
	Path   []string // Pkg … Target
}

func (v Violation) String() string {
	return fmt.Sprintf("%s imports %s (%s): %s", v.Rule.Pkg, v.Target, strings.Join(v.Path, " → "), v.Rule.Why)
}

// ioPackages are the standard-library packages a pure package must not import.
func ioPackages() []string {
	return []string{"os", "os/exec", "os/signal", "net", "net/http", "io/fs", "io/ioutil", "syscall", "time"}
}

// Rules are taod's layering (DESIGN.md §3): modules depend
// gov → subnet → staking, none of them on chain; the pure cores reach no
// storage, network or API package; rpc reads through its query surface.
func Rules() []Rule {
	upper := []string{"node/...", "rpc", "p2p", "txpool", "client/...", "cmd/...", "testnet/...", "neuron/..."}
	io := []string{"state", "p2p", "rpc", "node/...", "consensus/wal", "txpool"}
	return []Rule{
		{Pkg: "types", Forbid: []string{"..."}, Why: "types is the bottom layer: consensus data imports no other taod package"},
		{Pkg: "emission", Forbid: []string{"..."}, NoIO: true, Why: "emission is pure monetary policy"},
		{Pkg: "subnet/yuma", Forbid: append([]string{"subnet", "staking", "gov", "chain"}, io...), NoIO: true, Why: "yuma is a pure function of stake and weights"},
		{Pkg: "consensus", Forbid: append([]string{"chain", "staking", "subnet", "gov", "consensus/sim"}, io...), NoIO: true, Why: "consensus is a pure state machine; its driver does the I/O"},
		{Pkg: "state", Forbid: append([]string{"chain", "staking", "subnet", "gov", "consensus"}, upper...), Why: "state stores bytes and knows no protocol rule"},
		{Pkg: "staking", Forbid: append([]string{"subnet", "gov", "chain"}, upper...), Why: "modules depend gov → subnet → staking"},
		{Pkg: "subnet", Forbid: append([]string{"gov", "chain"}, upper...), Why: "modules depend gov → subnet → staking"},
		{Pkg: "gov", Forbid: append([]string{"subnet", "chain"}, upper...), Why: "gov reaches staking and chain's registry only through interfaces it declares"},
		{Pkg: "chain", Forbid: upper, Why: "chain is the block lifecycle: it knows no node, network or API"},
		{Pkg: "node/driver", Forbid: []string{"node", "p2p", "rpc", "txpool"}, Why: "the driver talks to the world through its own small interfaces"},
		{Pkg: "p2p", Forbid: []string{"chain", "state", "staking", "subnet", "gov", "node/...", "rpc", "txpool"}, Why: "p2p moves bytes; the node decides what they mean"},
		{Pkg: "rpc", Forbid: []string{"state", "node/...", "p2p", "txpool"}, Direct: true, Why: "rpc reads through its Query interface, never the store"},
		{Pkg: "explorer", Forbid: []string{"..."}, Why: "the explorer is a page over the node's JSON-RPC: it reads the chain only through the API it serves"},
	}
}

// Load reads the import graph of the module rooted at root (the directory
// holding go.mod), non-test files only, with and without the chaos tag.
func Load(root string) (Graph, error) {
	mod, err := modulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	plain := build.Default
	chaos := build.Default
	chaos.BuildTags = append(append([]string(nil), chaos.BuildTags...), "chaos")
	g := Graph{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		seen := map[string]bool{}
		found := false
		for _, ctx := range []*build.Context{&plain, &chaos} {
			p, err := ctx.ImportDir(path, 0)
			if err != nil {
				if _, ok := err.(*build.NoGoError); ok {
					continue
				}
				return fmt.Errorf("archtest: %s: %w", rel, err)
			}
			found = true
			for _, imp := range p.Imports {
				seen[trimModule(imp, mod)] = true
			}
		}
		if found {
			imps := make([]string, 0, len(seen))
			for imp := range seen {
				imps = append(imps, imp)
			}
			sort.Strings(imps)
			g[rel] = imps
		}
		return nil
	})
	return g, err
}

func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("archtest: no module line in %s", gomod)
}

// trimModule makes a module package's import path module-relative and
// leaves any other path whole. A module path never collides with a
// standard-library path (it has a dot in its first element).
func trimModule(imp, mod string) string {
	if imp == mod {
		return ""
	}
	if rest, ok := strings.CutPrefix(imp, mod+"/"); ok {
		return rest
	}
	return imp
}

// matches reports whether module package p is covered by pattern: "..." is
// every module package, "x/..." is x and everything under it, else exact.
func matches(pattern, p string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

// Check returns every broken rule, in rule order. A rule whose package is
// not in g is itself reported (Target ""), so renaming a package cannot
// silently retire its rule.
func Check(g Graph, rules []Rule) []Violation {
	var out []Violation
	for _, r := range rules {
		imps, ok := g[r.Pkg]
		if !ok {
			out = append(out, Violation{Rule: r, Path: []string{r.Pkg}})
			continue
		}
		if r.NoIO {
			for _, imp := range imps {
				for _, io := range ioPackages() {
					if imp == io {
						out = append(out, Violation{Rule: r, Target: imp, Path: []string{r.Pkg, imp}})
					}
				}
			}
		}
		for _, path := range reach(g, r.Pkg, r.Direct) {
			target := path[len(path)-1]
			for _, f := range r.Forbid {
				if matches(f, target) {
					out = append(out, Violation{Rule: r, Target: target, Path: path})
					break
				}
			}
		}
	}
	return out
}

// reach returns, for every module package reachable from pkg (only its
// direct imports when direct), one shortest import path to it, sorted by
// target. Module packages are the keys of g.
func reach(g Graph, pkg string, direct bool) [][]string {
	prev := map[string]string{pkg: pkg}
	queue := []string{pkg}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, imp := range g[cur] {
			if _, mine := g[imp]; !mine {
				continue
			}
			if _, done := prev[imp]; done {
				continue
			}
			prev[imp] = cur
			if !direct {
				queue = append(queue, imp)
			}
		}
		if direct {
			break
		}
	}
	targets := make([]string, 0, len(prev))
	for t := range prev {
		if t != pkg {
			targets = append(targets, t)
		}
	}
	sort.Strings(targets)
	out := make([][]string, 0, len(targets))
	for _, t := range targets {
		var path []string
		for p := t; p != pkg; p = prev[p] {
			path = append(path, p)
		}
		path = append(path, pkg)
		for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		out = append(out, path)
	}
	return out
}
