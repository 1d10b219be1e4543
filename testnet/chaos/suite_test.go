package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestChaosSuite runs the chaos scenarios against a docker or process
// testnet. It is skipped unless TAOD_CHAOS says which (make chaos sets it):
//
//	TAOD_CHAOS=docker|process  the testnet
//	TAOD_CHAOS_IMAGE           docker: image built with -tags chaos (taod:chaos)
//	TAOD_CHAOS_BIN             process: taod built with -tags chaos (built here if unset)
//	TAOD_CHAOS_SCENARIOS=1,3   which (default: all)
//	TAOD_CHAOS_LONG=1          the fault durations
//	TAOD_CHAOS_DIR             where the testnets go (default: a temp dir, removed if all pass)
func TestChaosSuite(t *testing.T) {
	mode := os.Getenv("TAOD_CHAOS")
	if mode == "" {
		t.Skip("set TAOD_CHAOS=docker or process to run the chaos suite (make chaos)")
	}
	cfg := Config{Mode: mode, Image: os.Getenv("TAOD_CHAOS_IMAGE"), Bin: os.Getenv("TAOD_CHAOS_BIN"), Log: os.Stdout}
	if os.Getenv("TAOD_CHAOS_LONG") != "" {
		cfg.Times = LongDurations()
	}
	if mode == ModeProcess && cfg.Bin == "" {
		cfg.Bin = filepath.Join(t.TempDir(), "taod")
		out, err := exec.Command("go", "build", "-tags", "chaos", "-o", cfg.Bin, "../../cmd/taod").CombinedOutput()
		if err != nil {
			t.Fatalf("go build -tags chaos: %v\n%s", err, out)
		}
	}
	ids := scenarioIDs(t)
	cfg.Dir = os.Getenv("TAOD_CHAOS_DIR")
	keep := cfg.Dir != ""
	if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "taod-chaos-")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Dir = dir
	}
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-3*time.Minute)) // room to clean up
		defer cancel()
	}
	var figs []*Figures
	for _, sc := range Scenarios() {
		if !slices.Contains(ids, sc.ID) {
			continue
		}
		t.Run(fmt.Sprintf("%d-%s", sc.ID, sc.Slug), func(t *testing.T) {
			fig := RunScenario(ctx, cfg, sc)
			figs = append(figs, fig)
			if fig.Err != nil {
				t.Errorf("scenario %d (%s): %v", sc.ID, sc.Name, fig.Err)
			}
		})
	}
	fmt.Printf("\nchaos suite, %s testnet (%s):\n", mode, cfg.Dir)
	PrintTable(os.Stdout, figs)
	if !t.Failed() && !keep {
		os.RemoveAll(cfg.Dir)
	}
}

func scenarioIDs(t *testing.T) []int {
	s := os.Getenv("TAOD_CHAOS_SCENARIOS")
	if s == "" {
		var all []int
		for _, sc := range Scenarios() {
			all = append(all, sc.ID)
		}
		return all
	}
	var ids []int
	for _, f := range strings.Split(s, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("TAOD_CHAOS_SCENARIOS=%q: %v", s, err)
		}
		ids = append(ids, id)
	}
	return ids
}
