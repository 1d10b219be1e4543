package archtest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestOneHome: one validator-set type and one commit rule in the whole
// repository (issue 13): both live in consensus. staking stores its record
// of a set as staking.SetRecord, a name that cannot be taken for this one.
func TestOneHome(t *testing.T) {
	d, err := ScanDecls("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Types) < 100 || len(d.Funcs) < 100 {
		t.Fatalf("scan saw %d types and %d funcs: too few for this repository", len(d.Types), len(d.Funcs))
	}
	for _, c := range []struct {
		what, name string
		got        map[string][]string
		want       []string
	}{
		{"type", "ValidatorSet", d.Types, []string{"consensus/valset.go"}},
		{"func", "VerifyCommit", d.Funcs, []string{"consensus/signer.go"}},
		{"type", "SigCache", d.Types, []string{"types/sigcache.go"}},
	} {
		if !reflect.DeepEqual(c.got[c.name], c.want) {
			t.Errorf("%s %s declared in %v, want only %v", c.what, c.name, c.got[c.name], c.want)
		}
	}
}

// TestNoGlobalState: no package of the repository (commands and tools
// included) keeps mutable state in a package-level variable; state is a
// field of a value its owner passes on (STYLE habit 7; types.votesSeen was
// one, shared by every simulated node in a process).
func TestNoGlobalState(t *testing.T) {
	d, err := ScanDecls("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range d.GlobalState {
		t.Errorf("package-level state: %s", g)
	}
}

// TestScanDeclsFindsRepeats runs the scan over a made-up tree, so checks
// that saw nothing would fail here.
func TestScanDeclsFindsRepeats(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/a.go": `package a
import ("sync"; "sync/atomic"; "errors"; "regexp")
type ValidatorSet struct{}
func VerifyCommit() {}
func (ValidatorSet) VerifyCommit() {}
var seen = make(map[string]bool)
var mu sync.Mutex
var n atomic.Int64
var p = &sync.Map{}
var later string
var ErrX = errors.New("a: x")
var re = regexp.MustCompile("x")
var table = []int{1, 2}
var _ = table
`,
		"b/b.go": `package b
import "embed"
type ValidatorSet struct{}
func VerifyCommit() {}
//go:embed b.go
var files embed.FS
`,
		"b/b_test.go":     "package b\nvar testState = make(map[int]int)\ntype SigCache struct{}\n",
		"testdata/t/t.go": "package t\ntype ValidatorSet struct{}\n",
		".hidden/h/h.go":  "package h\nvar x int\n",
		"c/notgo.txt":     "var y int",
		"c/c.go":          "package c\nconst k = 1\n",
		"c/vendor/v/v.go": "package v\nfunc VerifyCommit() {}\n",
		"c/_skip/s/s.go":  "package s\nvar z int\n",
		"d/d.go":          "package d\nvar v1, v2 = f()\nfunc f() (int, int) { return 1, 2 }\n",
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := ScanDecls(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Types["ValidatorSet"], []string{"a/a.go", "b/b.go"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ValidatorSet in %v, want %v", got, want)
	}
	if got, want := d.Funcs["VerifyCommit"], []string{"a/a.go", "b/b.go"}; !reflect.DeepEqual(got, want) {
		t.Errorf("VerifyCommit in %v (methods and vendor not counted), want %v", got, want)
	}
	if _, ok := d.Types["SigCache"]; ok {
		t.Error("a _test.go file's type was counted")
	}
	want := []string{"a/a.go: later", "a/a.go: mu", "a/a.go: n", "a/a.go: p", "a/a.go: seen"}
	if !reflect.DeepEqual(d.GlobalState, want) {
		t.Errorf("global state %v, want %v", d.GlobalState, want)
	}
}
