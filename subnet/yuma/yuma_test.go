package yuma

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Reference vectors: testdata/vectors is a copy of ../shared/yuma-vectors
// (DESIGN §6), so the test runs in a clean clone; when the shared directory
// exists too, its vectors are checked as well.
var vectorDirs = []string{
	filepath.Join("testdata", "vectors"),
	filepath.Join("..", "..", "..", "shared", "yuma-vectors"),
}

// Tolerances from the vectors' README.
const (
	unitTolerance = 1e-6 // values in [0, 1]
	bondTolerance = 2    // u16 bonds
	// emissions: within n rao, n the number of UIDs
)

type vector struct {
	Input    json.RawMessage `json:"input"`
	Expected expected        `json:"expected"`
}

type expected struct {
	Consensus         []float64  `json:"consensus"`
	Ranks             []float64  `json:"ranks"`
	Trust             []float64  `json:"trust"`
	Incentive         []float64  `json:"incentive"`
	Dividends         []float64  `json:"dividends"`
	ValidatorTrust    []float64  `json:"validator_trust"`
	ValidatorPermits  []bool     `json:"validator_permits"`
	Active            []bool     `json:"active"`
	Bonds             [][]uint16 `json:"bonds"`
	IncentiveEmission []uint64   `json:"incentive_emission"`
	DividendEmission  []uint64   `json:"dividend_emission"`
}

func loadVectors(t *testing.T) map[string]vector {
	t.Helper()
	vectors := map[string]vector{}
	for k, dir := range vectorDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			if k == 0 {
				t.Fatalf("no vectors in %s", dir)
			}
			t.Logf("no vectors in %s (skipped)", dir)
			continue
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var v vector
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			vectors[f] = v
		}
	}
	return vectors
}

func toFloat(f Fixed) float64 { return float64(f) / float64(FixedOne) }

// TestVectors checks Epoch against every reference vector, field by field,
// and logs the largest error seen per field.
func TestVectors(t *testing.T) {
	vectors := loadVectors(t)
	names := make([]string, 0, len(vectors))
	for name := range vectors {
		names = append(names, name)
	}
	sort.Strings(names)
	maxErr := map[string]float64{}
	for _, name := range names {
		v := vectors[name]
		t.Run(name, func(t *testing.T) {
			in, err := ParseInput(v.Input)
			if err != nil {
				t.Fatalf("ParseInput: %v", err)
			}
			out, err := Epoch(in)
			if err != nil {
				t.Fatalf("Epoch: %v", err)
			}
			n := len(in.Stake)
			exp := v.Expected
			units := []struct {
				name string
				got  []Fixed
				want []float64
			}{
				{"consensus", out.Consensus, exp.Consensus},
				{"ranks", out.Ranks, exp.Ranks},
				{"trust", out.Trust, exp.Trust},
				{"incentive", out.Incentive, exp.Incentive},
				{"dividends", out.Dividends, exp.Dividends},
				{"validator_trust", out.ValidatorTrust, exp.ValidatorTrust},
			}
			for _, f := range units {
				if len(f.got) != n || len(f.want) != n {
					t.Fatalf("%s: got %d values, want %d (expected has %d)", f.name, len(f.got), n, len(f.want))
				}
				for uid := range n {
					d := math.Abs(toFloat(f.got[uid]) - f.want[uid])
					maxErr[f.name] = max(maxErr[f.name], d)
					if d > unitTolerance {
						t.Errorf("%s[%d] = %s, want %v (off by %.3g)", f.name, uid, f.got[uid], f.want[uid], d)
					}
				}
			}
			for _, f := range []struct {
				name      string
				got, want []bool
			}{
				{"validator_permits", out.ValidatorPermits, exp.ValidatorPermits},
				{"active", out.Active, exp.Active},
			} {
				if !slices.Equal(f.got, f.want) {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
			for i := range n {
				for j := range n {
					var got uint16
					if out.Bonds[i] != nil {
						got = out.Bonds[i][j]
					}
					d := math.Abs(float64(got) - float64(exp.Bonds[i][j]))
					maxErr["bonds"] = max(maxErr["bonds"], d)
					if d > bondTolerance {
						t.Errorf("bonds[%d][%d] = %d, want %d", i, j, got, exp.Bonds[i][j])
					}
				}
			}
			var paid uint64
			for _, f := range []struct {
				name      string
				got, want []uint64
			}{
				{"incentive_emission", out.IncentiveEmission, exp.IncentiveEmission},
				{"dividend_emission", out.DividendEmission, exp.DividendEmission},
			} {
				for uid := range n {
					paid += f.got[uid]
					d := math.Abs(float64(f.got[uid]) - float64(f.want[uid]))
					maxErr[f.name] = max(maxErr[f.name], d)
					if d > float64(n) {
						t.Errorf("%s[%d] = %d, want %d (off by %v rao)", f.name, uid, f.got[uid], f.want[uid], d)
					}
				}
			}
			if paid+out.Dust != in.Emission {
				t.Errorf("paid %d + dust %d != emission %d", paid, out.Dust, in.Emission)
			}
			checkRendering(t, out, v)
		})
	}
	fields := make([]string, 0, len(maxErr))
	for f := range maxErr {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		t.Logf("max |error| %-18s %.3g", f, maxErr[f])
	}
}

// checkRendering checks that Output's JSON has the keys of "expected" (plus
// dust) and that its numbers read back as the values Epoch returned.
func checkRendering(t *testing.T, out Output, v vector) {
	t.Helper()
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("marshal output: %v", err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("output JSON does not parse: %v\n%s", err, data)
	}
	var want map[string]json.RawMessage
	raw, _ := json.Marshal(v.Expected)
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("output JSON lacks %q", k)
		}
	}
	if _, ok := got["dust"]; !ok {
		t.Errorf("output JSON lacks \"dust\"")
	}
	var back expected
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("output JSON does not read back: %v", err)
	}
	for uid, c := range back.Consensus {
		if d := math.Abs(c - toFloat(out.Consensus[uid])); d > 1e-15 {
			t.Errorf("rendered consensus[%d] = %v, want %s", uid, c, out.Consensus[uid])
		}
	}
	if !bytes.Contains(data, []byte(`"bonds":[[`)) && len(out.Active) > 0 {
		t.Errorf("bonds not rendered as a matrix: %s", data)
	}
}

// TestVectorCopies checks that testdata/vectors matches the shared vectors
// when both exist, so the copy cannot silently go stale.
func TestVectorCopies(t *testing.T) {
	shared := vectorDirs[1]
	files, _ := filepath.Glob(filepath.Join(shared, "*"))
	if len(files) == 0 {
		t.Skipf("%s not present", shared)
	}
	for _, f := range files {
		a, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(vectorDirs[0], filepath.Base(f)))
		if err != nil {
			t.Errorf("testdata copy of %s: %v", filepath.Base(f), err)
			continue
		}
		if !bytes.Equal(a, b) {
			t.Errorf("testdata/vectors/%s differs from %s", filepath.Base(f), f)
		}
	}
}

func TestFixedString(t *testing.T) {
	for _, tc := range []struct {
		f    Fixed
		want string
	}{
		{0, "0"},
		{FixedOne, "1"},
		{FixedOne / 2, "0.5"},
		{FixedOne / 4, "0.25"},
		{FixedOne + FixedOne/8, "1.125"},
		{FixedFromRatio(1, 3), "0.333333333333333333"},
		{FixedFromRatio(2, 3), "0.666666666666666667"},
		{1, "0"}, // 2^-62 rounds to 0 at 18 digits
		{Fixed(math.MaxUint64), "4"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("Fixed(%d).String() = %q, want %q", uint64(tc.f), got, tc.want)
		}
	}
}

func TestFixedDecimal(t *testing.T) {
	for _, tc := range []struct {
		f      Fixed
		digits int
		want   string
	}{
		{0, 6, "0.000000"},
		{FixedOne, 6, "1.000000"},
		{FixedOne, 0, "1"},
		{FixedOne / 2, 0, "1"}, // rounds half up
		{FixedOne / 3, 0, "0"},
		{FixedFromRatio(1, 3), 6, "0.333333"},
		{FixedFromRatio(2, 3), 6, "0.666667"},
		{FixedFromRatio(1, 1_000_000) - 1, 6, "0.000001"},
		{FixedFromRatio(1, 3), 18, "0.333333333333333333"},
		{FixedFromRatio(1, 3), 30, "0.333333333333333333"}, // at most 18
		{Fixed(math.MaxUint64), 2, "4.00"},
	} {
		if got := tc.f.Decimal(tc.digits); got != tc.want {
			t.Errorf("Fixed(%d).Decimal(%d) = %q, want %q", uint64(tc.f), tc.digits, got, tc.want)
		}
	}
}

func TestFixedU16(t *testing.T) {
	for _, tc := range []struct {
		f    Fixed
		want uint16
	}{
		{0, 0},
		{FixedOne, 65535},
		{FixedOne * 2, 65535},
		{FixedOne / 2, 32767},
		{FixedFromRatio(1, 65535), 0}, // rounded down by both conversions
		{FixedFromRatio(1, 65535) + 1, 1},
	} {
		if got := tc.f.U16(); got != tc.want {
			t.Errorf("Fixed(%s).U16() = %d, want %d", tc.f, got, tc.want)
		}
	}
}

func TestRatio(t *testing.T) {
	big := u128{hi: 1 << 60, lo: 12345}
	for _, tc := range []struct {
		name     string
		num, den u128
		want     Fixed
	}{
		{"zero den", u128{0, 1}, u128{}, 0},
		{"equal", big, big, FixedOne},
		{"half small", u128{0, 5}, u128{0, 10}, FixedOne / 2},
		{"half wide", big.shr(1), big, FixedOne / 2},
		{"num above den", u128{0, 11}, u128{0, 10}, FixedOne},
	} {
		got := ratio(tc.num, tc.den)
		if d := int64(got - tc.want); d < -1 || d > 1 { // within one unit
			t.Errorf("%s: ratio = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestParseInputErrors(t *testing.T) {
	valid := `{"stake":[1,2],"weights":[[0,1],[1,0]],"last_update":[5,5],"block_at_registration":[0,0],` +
		`"current_block":10,"emission":100,"params":{"kappa":32767,"bonds_moving_average":900000,"activity_cutoff":5000,"max_validators":2}}`
	if _, err := ParseInput([]byte(valid)); err != nil {
		t.Fatalf("valid input: %v", err)
	}
	replace := func(old, new string) string {
		if !strings.Contains(valid, old) {
			t.Fatalf("%q not in the valid input", old)
		}
		return strings.Replace(valid, old, new, 1)
	}
	for _, tc := range []struct {
		name, input, want string
	}{
		{"syntax", `{"stake":`, "unexpected EOF"},
		{"syntax offset", `{"stake":[1,}`, "at byte 13"},
		{"missing stake", replace(`"stake":[1,2],`, ``), `missing field "stake"`},
		{"missing emission", replace(`"emission":100,`, ``), `missing field "emission"`},
		{"unknown field", replace(`"stake"`, `"stakes":[],"stake"`), `unknown field "stakes"`},
		{"unknown param", replace(`"kappa"`, `"kapa":1,"kappa"`), `unknown field "kapa"`},
		{"ragged", replace(`[[0,1],[1,0]]`, `[[0,1],[1]]`), "weights[1] has 1 entries, want 2 (or none): the matrix is ragged"},
		{"ragged bonds", replace(`"stake"`, `"prev_bonds":[[1,2],[1,2,3]],"stake"`), "prev_bonds[1] has 3 entries"},
		{"bonds rows", replace(`"stake"`, `"prev_bonds":[[1,2]],"stake"`), "prev_bonds has 1 rows, stake has 2"},
		{"length", replace(`"last_update":[5,5]`, `"last_update":[5]`), "last_update has 1 entries, stake has 2"},
		{"permits length", replace(`"stake"`, `"validator_permits":[true],"stake"`), "validator_permits has 1 entries, stake has 2"},
		{"permits type", replace(`"stake"`, `"validator_permits":[true,1],"stake"`), "validator_permits[1]: want true or false, got a number"},
		{"negative stake", replace(`[1,2]`, `[1,-2]`), "stake[1]: -2 is negative"},
		{"fraction", replace(`[1,2]`, `[1.5,2]`), "stake[0]: 1.5 is not a whole number"},
		{"exponent", replace(`[1,2]`, `[1e3,2]`), "stake[0]: 1e3: write whole numbers without a fraction or exponent"},
		{"string", replace(`[1,2]`, `["1",2]`), "stake[0]: want a whole number from 0 to 18446744073709551615, got a string"},
		{"not an array", replace(`"stake":[1,2]`, `"stake":{}`), "stake: want an array, got an object"},
		{"stake too big", replace(`[1,2]`, `[18446744073709551616,2]`), "stake[0]: 18446744073709551616 is above 18446744073709551615"},
		{"weight range", replace(`[[0,1],[1,0]]`, `[[0,1],[70000,0]]`), "weights[1][0]: 70000 is above 65535"},
		{"negative weight", replace(`[[0,1],[1,0]]`, `[[0,-1],[1,0]]`), "weights[0][1]: -1 is negative"},
		{"weights row type", replace(`[[0,1],[1,0]]`, `[[0,1],7]`), "weights[1]: want an array, got a number"},
		{"bonds range", replace(`"stake"`, `"prev_bonds":[[0,65536],null],"stake"`), "prev_bonds[0][1]: 65536 is above 65535"},
		{"negative block", replace(`"current_block":10`, `"current_block":-10`), "current_block: -10 is negative"},
		{"negative emission", replace(`"emission":100`, `"emission":-1`), "emission: -1 is negative"},
		{"kappa range", replace(`32767`, `70000`), "params.kappa: 70000 is above 65535"},
		{"kappa negative", replace(`32767`, `-1`), "params.kappa: -1 is negative"},
		{"bma", replace(`900000`, `1000001`), "params.bonds_moving_average: 1000001 is above 1000000"},
		{"max validators", replace(`"max_validators":2`, `"max_validators":-1`), "params.max_validators: -1 is negative"},
		{"params type", replace(`"params":{`, `"params":[],"x":{`), "params: want an object, got an array"},
		{"overflow", replace(`[1,2]`, `[18446744073709551615,2]`), "stake: the total overflows uint64 at stake[1]"},
		{"trailing", valid + `{}`, "trailing data"},
	} {
		_, err := ParseInput([]byte(tc.input))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if err != nil && !isInvalid(err) {
			t.Errorf("%s: error %v does not wrap ErrInvalidInput", tc.name, err)
		}
	}
}

// TestParseInputDefaults: missing params take subtensor's defaults, and the
// optional fields are read.
func TestParseInputDefaults(t *testing.T) {
	base := `{"stake":[1,2],"weights":[[0,1],null],"last_update":[5,5],"block_at_registration":[0,0],"current_block":10,"emission":100`
	for _, tc := range []struct {
		name, tail string
		want       Params
	}{
		{"no params", `}`, DefaultParams()},
		{"null params", `,"params":null}`, DefaultParams()},
		{"empty params", `,"params":{}}`, DefaultParams()},
		{"some params", `,"params":{"kappa":100,"tempo":10}}`, func() Params {
			p := DefaultParams()
			p.Kappa, p.Tempo = 100, 10
			return p
		}()},
	} {
		in, err := ParseInput([]byte(base + tc.tail))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if in.Params != tc.want {
			t.Errorf("%s: params %+v, want %+v", tc.name, in.Params, tc.want)
		}
		if in.ValidatorPermits != nil || in.Bonds != nil || in.Weights[1] != nil {
			t.Errorf("%s: optional fields not empty: %+v", tc.name, in)
		}
	}
	in, err := ParseInput([]byte(base + `,"validator_permits":[false,true],"prev_bonds":[[],[7,0]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.ValidatorPermits, []bool{false, true}) || !slices.Equal(in.Bonds[1], []uint16{7, 0}) {
		t.Errorf("optional fields: permits %v bonds %v", in.ValidatorPermits, in.Bonds)
	}
}

func TestInputJSONRoundTrip(t *testing.T) {
	for seed := range uint64(50) {
		in := referenceInput(seed, 12, 12) // permits and bonds, sometimes
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseInput(data)
		if err != nil {
			t.Fatalf("seed %d: reparse: %v", seed, err)
		}
		if !inputsEqual(in, back) {
			t.Errorf("seed %d: input changed across a JSON round trip", seed)
		}
	}
	for name, v := range loadVectors(t) {
		in, err := ParseInput(v.Input)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseInput(data)
		if err != nil {
			t.Fatalf("%s: reparse: %v", name, err)
		}
		if !inputsEqual(in, back) {
			t.Errorf("%s: input changed across a JSON round trip", name)
		}
	}
}
