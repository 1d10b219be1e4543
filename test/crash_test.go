package test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/internal/testport"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// buildTaod compiles the taod binary once per test run.
var buildTaod = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "taod-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "taod")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/taod").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func freePort(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", testport.Free(t))
}

type proc struct {
	cmd *exec.Cmd
	url string
}

func startProc(t *testing.T, bin, home, addr string) *proc {
	t.Helper()
	return startProcArgs(t, bin, home, addr)
}

func startProcArgs(t *testing.T, bin, home, addr string, extra ...string) *proc {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"start", "--home", home, "--rpc.addr", addr, "--metrics.addr", "", "--p2p.listen", "/ip4/127.0.0.1/tcp/0"}, extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, url: "http://" + addr}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := gethrpc.Dial(p.url)
		if err == nil {
			var h uint64
			err = c.Call(&h, "tao_blockNumber")
			c.Close()
			if err == nil {
				return p
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			b, _ := os.ReadFile(filepath.Join(home, "node.log"))
			t.Fatalf("node did not come up: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKillNineResumes kills a node with SIGKILL while it commits a stream of
// transfers, three times, and checks after each restart that every block seen
// before the kill is still there with the same hash, the chain has no gap,
// the flat state agrees with the trie, and blocks keep coming.
func TestKillNineResumes(t *testing.T) {
	bin, err := buildTaod()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	if out, err := exec.Command(bin, "init", "--home", home, "--preset", "test", "--dev-keys", "4").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	addr := freePort(t)
	seen := map[uint64]types.Hash{}
	var accepted []types.Hash
	nonces := make([]uint64, 4)
	var chainID uint64

	for round := 0; round < 3; round++ {
		p := startProc(t, bin, home, addr)
		c, err := gethrpc.Dial(p.url)
		if err != nil {
			t.Fatal(err)
		}
		var head uint64
		must(t, c.Call(&head, "tao_blockNumber"))
		must(t, c.Call(&chainID, "tao_chainId"))
		var lastSeen uint64
		for h := range seen {
			lastSeen = max(lastSeen, h)
		}
		if head < lastSeen {
			t.Fatalf("round %d: restarted at height %d, below %d seen before the kill", round, head, lastSeen)
		}
		// Nonces continue from the chain (txs pooled but not committed are lost with the pool).
		for i := range nonces {
			must(t, c.Call(&nonces[i], "tao_getNonce", devkeys.Address(i)))
		}
		checkChain(t, c, seen)

		// Stream transfers and watch blocks until the kill.
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var mu sync.Mutex
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				k := i % 4
				tx := signPaying(t, devkeys.Key(k), types.TxData{ChainID: chainID, Nonce: nonces[k], Call: &types.Transfer{To: devkeys.Address((k + 1) % 4), Amount: 1_000 + uint64(i)}})
				var h types.Hash
				if err := c.CallContext(ctx, &h, "tao_sendRawTransaction", hexutil.Bytes(tx.Bytes())); err == nil {
					nonces[k]++
					mu.Lock()
					accepted = append(accepted, h)
					mu.Unlock()
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
		target := head + 6 + uint64(round)
		for head < target {
			time.Sleep(30 * time.Millisecond)
			must(t, c.Call(&head, "tao_blockNumber"))
			var b *rpc.HeaderJSON
			must(t, c.Call(&b, "tao_getBlockByNumber", head, false))
			seen[b.Number] = b.Hash
		}
		// Kill in the middle of the stream, without warning.
		time.Sleep(time.Duration(37*round) * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.cmd.Wait()
		cancel()
		wg.Wait()
		c.Close()
	}

	p := startProc(t, bin, home, addr)
	defer func() { p.cmd.Process.Signal(syscall.SIGTERM); p.cmd.Wait() }()
	c, _ := gethrpc.Dial(p.url)
	defer c.Close()
	checkChain(t, c, seen)
	// Every tx accepted in a block seen before a kill is still committed.
	committed := 0
	for _, h := range accepted {
		var r *rpc.ReceiptJSON
		must(t, c.Call(&r, "tao_getTransactionReceipt", h))
		if r == nil {
			continue
		}
		if seen[r.BlockNumber] != (types.Hash{}) && seen[r.BlockNumber] != r.BlockHash {
			t.Fatalf("tx %s moved blocks", h)
		}
		committed++
	}
	if committed == 0 {
		t.Fatal("no transaction was committed: the test did not exercise anything")
	}
	var start, now uint64
	must(t, c.Call(&start, "tao_blockNumber"))
	deadline := time.Now().Add(10 * time.Second)
	for now <= start+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		must(t, c.Call(&now, "tao_blockNumber"))
	}
	if now <= start+2 {
		t.Fatal("no blocks after the last restart")
	}
	t.Logf("%d txs accepted, %d committed, %d blocks seen, final height %d", len(accepted), committed, len(seen), now)
}

// checkChain checks the stored chain links from genesis to head without a gap,
// that the blocks in seen are unchanged, and that flat balances match the trie.
func checkChain(t *testing.T, c *gethrpc.Client, seen map[uint64]types.Hash) {
	t.Helper()
	var head uint64
	must(t, c.Call(&head, "tao_blockNumber"))
	var parent types.Hash
	for h := uint64(0); h <= head; h++ {
		var b *rpc.HeaderJSON
		must(t, c.Call(&b, "tao_getBlockByNumber", h, false))
		if b == nil {
			t.Fatalf("gap: no block at height %d of %d", h, head)
		}
		if h > 0 && b.ParentHash != parent {
			t.Fatalf("block %d does not link to block %d", h, h-1)
		}
		if want, ok := seen[h]; ok && want != b.Hash {
			t.Fatalf("block %d changed across a crash: %s, was %s", h, b.Hash, want)
		}
		parent = b.Hash
	}
	for i := 0; i < 4; i++ {
		var flat string
		var p rpc.Proof
		must(t, c.Call(&flat, "tao_getBalance", devkeys.Address(i)))
		must(t, c.Call(&p, "tao_getProof", devkeys.Address(i), head))
		// No transfers are in flight here, so the head state cannot change
		// between the two reads: the flat value must be the trie's.
		if flat != p.Balance {
			t.Fatalf("dev%d: trie says %s, flat state %s", i, p.Balance, flat)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
