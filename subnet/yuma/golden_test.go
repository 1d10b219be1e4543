package yuma

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden-outputs.txt")

// goldenPath pins the exact bits Epoch returns on generated inputs. It was
// first written by the engine before its optimization (slabs, dividers
// without hardware division, radix select, column-blocked bonds), which
// had to reproduce every line. Rewrite it with -update only for a change
// of results that is meant.
var goldenPath = filepath.Join("testdata", "golden-outputs.txt")

// outputHash is the first 64 bits of a SHA-256 of every bit of o.
func outputHash(o Output) string {
	h := sha256.New()
	w := func(v any) {
		if err := binary.Write(h, binary.LittleEndian, v); err != nil {
			panic(err) // fixed-size values only
		}
	}
	w(o.Active)
	w(o.ValidatorPermits)
	for _, f := range [][]Fixed{o.Consensus, o.Ranks, o.Trust, o.Incentive, o.Dividends, o.ValidatorTrust} {
		w(f)
	}
	for i, r := range o.Bonds {
		w(uint64(i))
		w(r == nil)
		w(r)
	}
	w(o.IncentiveEmission)
	w(o.DividendEmission)
	w(o.Dust)
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// goldenInputs are the inputs of the golden file, by name.
func goldenInputs(t *testing.T, yield func(name string, in Input)) {
	for seed := range uint64(3000) {
		yield(fmt.Sprint("s24-", seed), randomInput(seed, genOptions{maxN: 24}))
		yield(fmt.Sprint("z24-", seed), randomInput(seed, genOptions{maxN: 24, zeroStake: true}))
	}
	for seed := range uint64(200) {
		yield(fmt.Sprint("s300-", seed), randomInput(seed, genOptions{maxN: 300}))
	}
	for _, nv := range [][2]int{{256, 64}, {1024, 256}, {4096, 256}} {
		yield(fmt.Sprintf("bench-%dx%d", nv[0], nv[1]), benchInput(t, nv[0], nv[1]))
	}
}

// TestGoldenOutputs checks that Epoch returns exactly the outputs recorded
// in testdata/golden-outputs.txt (6,203 inputs, from 1 to 4,096 UIDs).
func TestGoldenOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("golden outputs: slow in -short")
	}
	var got bytes.Buffer
	goldenInputs(t, func(name string, in Input) {
		fmt.Fprintf(&got, "%s %s\n", name, outputHash(mustEpoch(t, in)))
	})
	if *updateGolden {
		if err := os.WriteFile(goldenPath, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got.Bytes(), want) {
		return
	}
	wantLines := strings.Split(string(want), "\n")
	sc := bufio.NewScanner(&got)
	var bad int
	for k := 0; sc.Scan(); k++ {
		if k >= len(wantLines) || sc.Text() != wantLines[k] {
			if bad++; bad <= 10 {
				t.Errorf("output changed: %s (golden: %q)", strings.Fields(sc.Text())[0], wantLines[min(k, len(wantLines)-1)])
			}
		}
	}
	t.Errorf("%d outputs differ from %s (rewrite with -update only if the change is meant)", bad, goldenPath)
}
