package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	yumaExample = "../../docs/examples/yuma-input.json"
	// The example is the input of this reference vector.
	yumaExampleVector = "../../subnet/yuma/testdata/vectors/00-three-validators-four-miners.json"
)

// runYumaCLI runs the taod command line with args and stdin, and returns what
// it printed.
func runYumaCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestYumaSimulateJSON(t *testing.T) {
	out, err := runYumaCLI(t, "", "yuma", "simulate", "--input", yumaExample, "--json")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"consensus", "ranks", "trust", "incentive", "dividends", "validator_trust",
		"validator_permits", "active", "bonds", "incentive_emission", "dividend_emission"} {
		if _, ok := got[k]; !ok {
			t.Errorf("output lacks %q", k)
		}
	}

	// The example is reference vector 00: the docs' file must not drift
	// from it, and the output must be the vector's.
	var vector struct {
		Input    any `json:"input"`
		Expected struct {
			Consensus         []float64 `json:"consensus"`
			IncentiveEmission []uint64  `json:"incentive_emission"`
			DividendEmission  []uint64  `json:"dividend_emission"`
		} `json:"expected"`
	}
	readYumaJSON(t, yumaExampleVector, &vector)
	var example any
	readYumaJSON(t, yumaExample, &example)
	if !reflect.DeepEqual(example, vector.Input) {
		t.Errorf("%s is no longer the input of %s", yumaExample, yumaExampleVector)
	}
	var res struct {
		Consensus         []float64 `json:"consensus"`
		IncentiveEmission []uint64  `json:"incentive_emission"`
		DividendEmission  []uint64  `json:"dividend_emission"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	exp := vector.Expected
	if !reflect.DeepEqual(res.IncentiveEmission, exp.IncentiveEmission) || !reflect.DeepEqual(res.DividendEmission, exp.DividendEmission) {
		t.Errorf("emission %v / %v, want %v / %v", res.IncentiveEmission, res.DividendEmission, exp.IncentiveEmission, exp.DividendEmission)
	}
	if len(res.Consensus) != len(exp.Consensus) {
		t.Fatalf("consensus has %d values, want %d", len(res.Consensus), len(exp.Consensus))
	}
	for i := range exp.Consensus {
		if math.Abs(res.Consensus[i]-exp.Consensus[i]) > 1e-6 {
			t.Errorf("consensus[%d] = %v, want %v", i, res.Consensus[i], exp.Consensus[i])
		}
	}
}

func TestYumaSimulateTable(t *testing.T) {
	data, err := os.ReadFile(yumaExample)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runYumaCLI(t, string(data), "yuma", "simulate", "--input", "-") // from stdin
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	for _, want := range []string{
		"7 UIDs at block 1000",
		"UID  S (TAO)",
		"E dividend (TAO)",
		"0.666663", // consensus of UID 3
		"0.352940754  3:65535 4:65535",
		"dust 2 rao",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestYumaSimulateBadInput(t *testing.T) {
	valid, err := os.ReadFile(yumaExample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"weight out of range", "[0, 0, 0, 65535, 32768, 0, 0]", "[0, 0, 0, 70000, 32768, 0, 0]", "weights[0][3]: 70000 is above 65535"},
		{"ragged", "[0, 0, 0, 65535, 65535, 0, 0]", "[0, 0, 0, 65535, 65535, 0]", "weights[1] has 6 entries, want 7"},
		{"negative stake", "[600000000000,", "[-600000000000,", "stake[0]: -600000000000 is negative"},
		{"length", `"last_update": [990,`, `"last_update": [`, "last_update has 6 entries, stake has 7"},
		{"kappa", `"kappa": 32767`, `"kappa": 65536`, "params.kappa: 65536 is above 65535"},
		{"moving average", `"bonds_moving_average": 900000`, `"bonds_moving_average": 1000001`, "params.bonds_moving_average: 1000001 is above 1000000"},
		{"missing", `"emission": 1000000000,`, ``, `missing field "emission"`},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
		bad := strings.Replace(string(valid), tc.old, tc.new, 1)
		if bad == string(valid) {
			t.Fatalf("%s: %q not in the example", tc.name, tc.old)
		}
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := runYumaCLI(t, "", "yuma", "simulate", "--input", path, "--json")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", tc.name, err, path, tc.want)
		}
	}
	if _, err := runYumaCLI(t, "", "yuma", "simulate"); err == nil || !strings.Contains(err.Error(), `"input"`) {
		t.Errorf("no --input: error %v", err)
	}
}

func TestYumaSimulateHelp(t *testing.T) {
	out, err := runYumaCLI(t, "", "yuma", "simulate", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"docs/yuma-simulate.md", "validator_permits", "prev_bonds", "bonds_moving_average", "--json"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func readYumaJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
