package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites testdata/golden from the generator:
//
//	go test ./internal/golden -run TestGoldenChainReplays -update
var update = flag.Bool("update", false, "regenerate testdata/golden (a consensus change; say why in the commit)")

// goldenDir is testdata/golden at the repository root.
var goldenDir = filepath.Join("..", "..", "testdata", "golden")

// TestGoldenChainReplays replays the recorded chain on a fresh store and
// requires every height's block hash, state root, receipts and commit to be
// the recorded ones, and the chain to cover every call kind (coverage.go).
func TestGoldenChainReplays(t *testing.T) {
	if *update {
		rec, err := Generate(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := rec.Write(goldenDir); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s: %d blocks", goldenDir, len(rec.Entries))
	}
	rec, err := Load(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	lines, steps, err := Replay(rec, t.TempDir())
	if err != nil {
		t.Fatalf("replay: %v\n(a refactor must not change the chain; a deliberate consensus change regenerates it with -update, see testdata/golden/README.md)", err)
	}
	for i := range rec.Expect {
		if i >= len(lines) || lines[i] != rec.Expect[i] {
			got := "<missing>"
			if i < len(lines) {
				got = lines[i]
			}
			t.Fatalf("first difference at height %d:\nrecorded %s\nreplayed %s", i+1, rec.Expect[i], got)
		}
	}
	if err := CheckCoverage(rec.Genesis, steps); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenGeneratorDeterministic generates the chain twice and requires
// identical bytes, equal to the committed files: a consensus change shows
// here as well as in the replay.
func TestGoldenGeneratorDeterministic(t *testing.T) {
	a, err := Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fa, err := a.Files()
	if err != nil {
		t.Fatal(err)
	}
	fb, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{GenesisFile, BlocksFile, ExpectFile} {
		if !bytes.Equal(fa[name], fb[name]) {
			t.Errorf("%s differs between two generations", name)
		}
		committed, err := os.ReadFile(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fa[name], committed) {
			t.Errorf("generator output %s differs from the committed testdata/golden/%s: regenerate with -update if the consensus change is deliberate", name, name)
		}
	}
}

// TestCoverageNoticesLoss cuts the replayed chain short and requires
// CheckCoverage to name what the cut removed: the check can fail.
func TestCoverageNoticesLoss(t *testing.T) {
	rec, err := Load(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	_, steps, err := Replay(rec, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCoverage(rec.Genesis, steps[:8]); err == nil {
		t.Fatal("eight blocks pass the coverage check")
	} else if !strings.Contains(err.Error(), "no successful Unjail") || !strings.Contains(err.Error(), "no downtime jail") {
		t.Fatalf("coverage error does not name the missing jail: %v", err)
	}
}
