package testnet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/taonet/taod/node"
)

func TestGenerateDocker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	lay, info, err := GenerateDocker(DockerOptions{Dir: dir, Validators: 4, FullNodes: 1, DevKeys: 2, Project: "taod-x", HostRPCPort: 30100, User: "1000:1000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lay.Nodes) != 5 || len(info.Containers) != 5 || info.Network != "taod-x-net" || info.Image != "taod:latest" {
		t.Fatalf("layout %+v, info %+v", lay, info)
	}
	// The saved layout is what `taod testnet status` reads: host-side RPC ports.
	saved, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range saved.Nodes {
		if want := "127.0.0.1:" + strconv.Itoa(30100+i); n.RPC != want {
			t.Errorf("%s: rpc %s, want %s", n.Name, n.RPC, want)
		}
		cfg, err := node.LoadConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RPC.Addr != "0.0.0.0:9944" || cfg.P2P.Listen[0] != "/ip4/0.0.0.0/tcp/30333" || len(cfg.P2P.Bootstrap) != 4 {
			t.Errorf("%s: rpc %s, listen %v, %d bootstrap peers", n.Name, cfg.RPC.Addr, cfg.P2P.Listen, len(cfg.P2P.Bootstrap))
		}
		for _, b := range cfg.P2P.Bootstrap {
			if !strings.HasPrefix(b, "/dns4/node") {
				t.Errorf("%s: bootstrap %s is not a DNS name", n.Name, b)
			}
		}
		if n.Validator != (i < 4) || (cfg.ValidatorKey == "") == n.Validator {
			t.Errorf("%s: validator %v, key %q", n.Name, n.Validator, cfg.ValidatorKey)
		}
	}
	b, err := os.ReadFile(info.ComposeFile)
	if err != nil {
		t.Fatal(err)
	}
	compose := string(b)
	for _, want := range []string{
		"container_name: taod-x-node0", "container_name: taod-x-node4", `"127.0.0.1:30104:9944"`,
		"./node3:/data", `user: "1000:1000"`, "name: taod-x-net", "aliases: [node2]", `command: ["start", "--home", "/data"]`,
	} {
		if !strings.Contains(compose, want) {
			t.Errorf("compose file lacks %q", want)
		}
	}
	if env, _ := os.ReadFile(filepath.Join(dir, ".env")); string(env) != "COMPOSE_PROJECT_NAME=taod-x\n" {
		t.Errorf(".env = %q", env)
	}
	if got, err := LoadDocker(dir); err != nil || got.Project != "taod-x" {
		t.Errorf("LoadDocker: %+v, %v", got, err)
	}
	// docker-compose itself accepts the file, where it is installed.
	if p, err := exec.LookPath("docker-compose"); err == nil {
		if out, err := exec.Command(p, "-f", info.ComposeFile, "config", "-q").CombinedOutput(); err != nil {
			t.Errorf("docker-compose config: %v\n%s", err, out)
		}
	}

	if _, _, err := GenerateDocker(DockerOptions{Dir: dir, Validators: 1}); err == nil {
		t.Error("generating over a testnet must fail")
	}
	if _, _, err := GenerateDocker(DockerOptions{Dir: t.TempDir(), Validators: 1, Project: "Bad Name"}); err == nil {
		t.Error("a project name docker refuses must be refused")
	}
}
