package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// neuronEnv makes the test binary run one neuron instead of the tests: the
// end-to-end test starts its children from its own binary, as `taod devnet
// --demo` starts them from taod.
const neuronEnv = "TAOD_DEMO_NEURON"

func TestMain(m *testing.M) {
	if os.Getenv(neuronEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := NeuronMain(ctx, os.Args[1:], os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "neuron:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestDemoEndToEnd runs the demo as `make demo` does, on the test preset
// (200 ms blocks, tempo 10), with every neuron a separate process, for 10
// epochs; then the market must have priced quality: good > slow > random,
// the copier below the miner it copies, the offline miner at ~0, honest
// validators' dividends above the colluder's, and every epoch's books
// checked to the rao. No neuron may crash or outlive the demo.
func TestDemoEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	var out bytes.Buffer
	home := t.TempDir()
	res, err := Run(ctx, Config{
		Home: home, Preset: "test", RPCAddr: "127.0.0.1:0", ExplorerAddr: "127.0.0.1:0", Epochs: 10, Out: &out,
		Neuron: func(args []string) *exec.Cmd {
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), neuronEnv+"=1")
			return cmd
		},
	})
	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("demo output:\n%s", out.String())
			for _, m := range Cast() {
				b, _ := os.ReadFile(home + "/logs/" + m.Name + ".log")
				t.Logf("log of %s:\n%s", m.Name, tail(b, 1500))
			}
		}
	}()
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	for _, v := range res.Verdicts {
		if !v.OK {
			t.Errorf("%s: %s", v.Claim, v.Detail)
		}
	}
	if len(res.Verdicts) != 6 {
		t.Errorf("%d verdicts, want 6", len(res.Verdicts))
	}
	if res.EmissionErr != nil {
		t.Error(res.EmissionErr)
	}
	if res.EmissionChecked < 5 {
		t.Errorf("books checked over %d epochs, want ≥ 5", res.EmissionChecked)
	}
	if len(res.Exited) > 0 {
		t.Errorf("neurons ended early: %v", res.Exited)
	}
	if len(res.Killed) > 0 {
		t.Errorf("neurons ignored SIGTERM: %v", res.Killed)
	}
	// The explorer was asked for on a free port: the demo names where it
	// listened (not the ":0" it was given) and the subnet's page.
	if m := regexp.MustCompile(`the market in a browser: http://127\.0\.0\.1:([0-9]+)/#/subnet/([0-9]+)`).FindStringSubmatch(out.String()); m == nil || m[1] == "0" || m[2] != fmt.Sprint(res.Deployment.Netuid) {
		t.Errorf("no explorer address with a real port and the demo's subnet in the output: %v", m)
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
