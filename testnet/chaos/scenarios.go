package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/node"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Scenarios returns the suite in the order.
func Scenarios() []Scenario {
	return []Scenario{
		{ID: 1, Slug: "kill", Name: "kill -9 a validator, restart", run: killRestart, after: noteSync(1)},
		{ID: 2, Slug: "pause", Name: "pause a validator", run: pauseValidator},
		{ID: 3, Slug: "partition", Name: "partition a validator", run: partitionOne},
		{ID: 4, Slug: "split", Name: "split 2|2", run: split},
		{ID: 5, Slug: "byzantine", Name: "equivocating validator", Evidence: true, run: byzantine},
		{ID: 6, Slug: "power-loss", Name: "kill -9 all validators", run: powerLoss},
		{ID: 7, Slug: "wal", Name: "torn, then corrupt WAL", run: walDamage},
		{ID: 8, Slug: "clock-skew", Name: "validator clock +3 s", run: clockSkew},
		{ID: 9, Slug: "spammer", Name: "full node floods invalid gossip", run: spammer},
	}
}

// 1. kill -9 one validator; restart it after Times.Kill: it restores its
// WAL and catches up by block sync while the other three go on.
func killRestart(ctx context.Context, e *env) error {
	const v = 1
	e.fault(v)
	if err := e.c.Kill(ctx, v); err != nil {
		return err
	}
	sleep(ctx, e.cfg.Times.Kill)
	if err := e.c.Start(ctx, v); err != nil {
		return err
	}
	e.heal()
	return e.noteLag(ctx, v, "restarted")
}

// noteLag records how far behind the tip node v is now.
func (e *env) noteLag(ctx context.Context, v int, what string) error {
	var h uint64
	if err := call(ctx, e.clients[v], &h, "tao_blockNumber"); err != nil {
		return err
	}
	tip := e.w.tip()
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("%s %s at height %d, %d blocks behind the tip", e.names[v], what, h, int64(tip)-int64(h)))
	return nil
}

// noteSync records how many block-sync batches node v logged.
func noteSync(v int) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		logs, err := e.c.Logs(ctx, v)
		if err != nil {
			return err
		}
		n := strings.Count(logs, `"msg":"syncing"`)
		if n == 0 {
			return fmt.Errorf("chaos: %s rejoined without block sync", e.names[v])
		}
		e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("%s caught up by block sync (%d sync batches logged)", e.names[v], n))
		return nil
	}
}

// 2. Freeze one validator (docker pause / SIGSTOP) for Times.Pause: to its
// peers it is silent, then it wakes with stale state and catches up.
func pauseValidator(ctx context.Context, e *env) error {
	const v = 2
	e.fault(v)
	if err := e.c.Pause(ctx, v); err != nil {
		return err
	}
	sleep(ctx, e.cfg.Times.Pause)
	if err := e.c.Unpause(ctx, v); err != nil {
		return err
	}
	e.heal()
	return e.noteLag(ctx, v, "woke")
}

// 3. Cut one validator off the network for Times.Partition. It stays up and
// clients keep sending to it; the other three go on.
func partitionOne(ctx context.Context, e *env) error {
	const v = 3
	e.fault() // reachable: it stays in the load's rotation
	if err := e.c.Partition(ctx, []int{v}); err != nil {
		return err
	}
	sleep(ctx, e.cfg.Times.Partition)
	if err := e.c.Heal(ctx); err != nil {
		return err
	}
	e.heal()
	return nil
}

// 4. Split the validators 2 | 2 (the full node with the first pair): no side
// has more than 2/3 of the power, so the chain must halt without forking,
// and resume after the heal.
func split(ctx context.Context, e *env) error {
	e.fault()
	if err := e.c.Partition(ctx, []int{2, 3}); err != nil {
		return err
	}
	// A height under way when the network split may still finish.
	settle := min(2*time.Second, e.cfg.Times.Partition/2)
	sleep(ctx, settle)
	halted := e.w.tip()
	sleep(ctx, e.cfg.Times.Partition-settle)
	if now := e.w.tip(); now > halted {
		return fmt.Errorf("chaos: the chain went from %d to %d with the validators split 2|2", halted, now)
	}
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("halted at height %d for %s of the split", halted, dur(e.cfg.Times.Partition-settle)))
	if err := e.c.Heal(ctx); err != nil {
		return err
	}
	e.heal()
	return nil
}

// 5. Stake on every validator (slashing needs stake: each consensus key is
// bound to hotkey dev(10+i) of coldkey dev i with 100 TAO), wait for the
// staked set, then restart validator 3 with the equivocation switch. Its
// double signs become evidence in a block; it is slashed, jailed, leaves
// the set at the next consensus epoch, and the others go on.
func byzantine(ctx context.Context, e *env) error {
	const v = 3
	var hashes []types.Hash
	for i := 0; i < validators; i++ {
		ck, err := node.LoadOrCreateValidatorKey(filepath.Join(e.lay.Nodes[i].Home, "config", "validator_key"))
		if err != nil {
			return err
		}
		bind, err := types.SignBind(e.chainID, devkeys.Address(i), devkeys.Key(10+i), ck)
		if err != nil {
			return err
		}
		var nonce uint64
		if err := call(ctx, e.clients[0], &nonce, "tao_getNonce", devkeys.Address(i)); err != nil {
			return err
		}
		for k, c := range []types.Call{bind, &types.AddStake{Hotkey: devkeys.Address(10 + i), Amount: 100 * types.RaoPerTAO}} {
			h, err := e.sendTx(ctx, 0, devkeys.Key(i), nonce+uint64(k), c)
			if err != nil {
				return fmt.Errorf("chaos: stake for %s: %w", e.names[i], err)
			}
			hashes = append(hashes, h)
		}
	}
	for _, h := range hashes {
		var r *rpc.ReceiptJSON
		if _, err := e.waitFor(ctx, 30*time.Second, "staking tx "+h.String(), func() bool {
			return call(ctx, e.clients[0], &r, "tao_getTransactionReceipt", h) == nil && r != nil
		}); err != nil {
			return err
		}
		if r.Status != "success" {
			return fmt.Errorf("chaos: staking tx %s failed: %s", h, r.Error)
		}
	}
	var set rpc.ValidatorsJSON
	if _, err := e.waitFor(ctx, 60*time.Second, "the staked validator set", func() bool {
		return call(ctx, e.clients[0], &set, "stake_validators", "latest") == nil && !set.Bootstrap && len(set.Validators) == validators
	}); err != nil {
		return err
	}
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("staked set of %d validators (100 TAO each) governs height %d", len(set.Validators), set.Height))

	e.fault(v)
	if err := e.c.Stop(ctx, v); err != nil {
		return err
	}
	if err := setChaos(e.lay.Nodes[v].Home, func(c *node.ChaosConfig) { c.Equivocate = true }); err != nil {
		return err
	}
	if err := e.c.Start(ctx, v); err != nil {
		return err
	}
	hot := devkeys.Address(10 + v)
	var hk *rpc.HotkeyJSON
	jailedIn, err := e.waitFor(ctx, e.cfg.Times.Resume, "the equivocator jailed", func() bool {
		return call(ctx, e.clients[0], &hk, "stake_ofHotkey", hot) == nil && hk != nil && hk.Jailed
	})
	if err != nil {
		return err
	}
	stake, _ := strconv.ParseUint(hk.TotalStake, 10, 64)
	if stake >= 100*types.RaoPerTAO {
		return fmt.Errorf("chaos: equivocator jailed but not slashed: stake %d rao", stake)
	}
	ck := e.lay.Nodes[v].Consensus
	if _, err := e.waitFor(ctx, e.cfg.Times.Resume, "the equivocator out of the set", func() bool {
		if call(ctx, e.clients[0], &set, "stake_validators", "latest") != nil {
			return false
		}
		for _, x := range set.Validators {
			if x.ConsensusKey == ck {
				return false
			}
		}
		return true
	}); err != nil {
		return err
	}
	e.heal()
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("%s equivocated from its restart: jailed %s later, stake slashed from 100 to %s TAO, out of the set from height %d (%d validators remain)",
		e.names[v], dur(jailedIn), tao(stake), set.Height, len(set.Validators)))
	return nil
}

func tao(rao uint64) string {
	return strconv.FormatFloat(float64(rao)/float64(types.RaoPerTAO), 'f', -1, 64)
}

// 6. Power loss: kill -9 every validator at once, restart them all after
// Times.PowerOff. Each resumes from its disk (no lower head than before),
// and no one signs twice (no evidence).
func powerLoss(ctx context.Context, e *env) error {
	vals := []int{0, 1, 2, 3}
	before := make([]uint64, len(vals))
	for _, i := range vals {
		if err := call(ctx, e.clients[i], &before[i], "tao_blockNumber"); err != nil {
			return err
		}
	}
	e.fault(vals...)
	if err := e.c.Kill(ctx, vals...); err != nil {
		return err
	}
	sleep(ctx, e.cfg.Times.PowerOff)
	errs := make([]error, len(vals))
	var wg sync.WaitGroup
	for k, i := range vals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = e.c.Start(ctx, i)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var after []string
	for _, i := range vals {
		var h uint64
		if err := call(ctx, e.clients[i], &h, "tao_blockNumber"); err != nil {
			return err
		}
		if h < before[i] {
			return fmt.Errorf("chaos: %s restarted at height %d, below %d before the power loss", e.names[i], h, before[i])
		}
		after = append(after, fmt.Sprintf("%s %d→%d", e.names[i], before[i], h))
	}
	e.heal()
	e.fig.Notes = append(e.fig.Notes, "heads before the kill → after the restart: "+strings.Join(after, ", "))
	return nil
}

// 7. While validator 1 is stopped, damage its WAL. A torn final record: it
// truncates it with a warning, starts and rejoins. A corrupt record before
// the end: it refuses to start, saying why. After the WAL is restored from a
// backup it starts and rejoins. No evidence may ever appear: it never signs
// a conflicting vote.
func walDamage(ctx context.Context, e *env) error {
	const v = 1
	path, err := walPath(e.lay.Nodes[v].Home)
	if err != nil {
		return err
	}
	e.fault(v)
	n, err := e.stopWithRecords(ctx, v, path, 1)
	if err != nil {
		return err
	}
	sleep(ctx, e.cfg.Times.Kill/2) // the chain goes on without it
	if err := tearTail(path, 3); err != nil {
		return err
	}
	if err := e.c.Start(ctx, v); err != nil {
		return fmt.Errorf("chaos: %s did not start after its WAL's tail was torn: %w", e.names[v], err)
	}
	logs, err := e.c.Logs(ctx, v)
	if err != nil {
		return err
	}
	if !strings.Contains(logs, "truncated a torn final record") {
		return fmt.Errorf("chaos: %s started with a torn WAL tail but did not warn", e.names[v])
	}
	if _, err := e.waitFor(ctx, e.cfg.Times.Resume, e.names[v]+" back at the tip", func() bool {
		hs := e.w.heights()
		return hs[v] >= 0 && hs[v]+1 >= int64(e.w.tip())
	}); err != nil {
		return err
	}
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("torn tail (3 bytes off the last of %d records): warned, started, rejoined", n))

	if n, err = e.stopWithRecords(ctx, v, path, 2); err != nil {
		return err
	}
	sleep(ctx, e.cfg.Times.Kill/2)
	backup := path + ".chaos-backup"
	if err := copyFile(backup, path); err != nil {
		return err
	}
	if err := corruptRecord(path, 0); err != nil {
		return err
	}
	err = e.c.Start(ctx, v)
	if err == nil {
		return fmt.Errorf("chaos: %s started with a corrupt WAL record", e.names[v])
	}
	if !errors.Is(err, ErrExited) {
		return err
	}
	if logs, _ = e.c.Logs(ctx, v); !strings.Contains(logs, "is corrupt") || !strings.Contains(logs, "refusing to start") {
		return fmt.Errorf("chaos: %s refused to start, but not saying its WAL is corrupt: %v", e.names[v], err)
	}
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("first of %d records corrupted: refused to start: %s", n, excerpt(logs, "node: consensus WAL", ", so records")))
	if err := copyFile(path, backup); err != nil {
		return err
	}
	if err := e.c.Start(ctx, v); err != nil {
		return fmt.Errorf("chaos: %s did not start from its restored WAL: %w", e.names[v], err)
	}
	e.heal()
	return nil
}

// stopWithRecords kills node v at a moment its WAL holds at least min
// records: it freezes the node, counts, and kills it frozen, or thaws it
// and tries again a little later.
func (e *env) stopWithRecords(ctx context.Context, v int, path string, min int) (int, error) {
	for try := 0; try < 50; try++ {
		if err := e.c.Pause(ctx, v); err != nil {
			return 0, err
		}
		n, err := walRecords(path)
		if err == nil && n >= min {
			return n, e.c.Kill(ctx, v)
		}
		if err := e.c.Unpause(ctx, v); err != nil {
			return 0, err
		}
		sleep(ctx, time.Duration(50+rand.IntN(250))*time.Millisecond)
	}
	return 0, fmt.Errorf("chaos: %s's WAL never held %d records", e.names[v], min)
}

// excerpt returns the text of s from the first from up to the next to.
func excerpt(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		s = s[:j]
	}
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return s
}

// 8. Restart validator 2 with its clock 3 s ahead (more than the 1 s drift
// a header may have): the others refuse its proposals (round changes to the
// next proposer), the chain goes on; back on time, its proposals land again.
func clockSkew(ctx context.Context, e *env) error {
	const v = 2
	ck := e.lay.Nodes[v].Consensus
	e.fault(v)
	if err := e.restartWith(ctx, v, 3000); err != nil {
		return err
	}
	from := e.w.tip()
	sleep(ctx, e.cfg.Times.Skew)
	to := e.w.tip()
	if err := e.restartWith(ctx, v, 0); err != nil {
		return err
	}
	e.heal()
	if to <= from {
		return fmt.Errorf("chaos: no block in %s with a skewed validator", e.cfg.Times.Skew)
	}
	// Wait for the scan to cover the window, then count its proposals.
	if _, err := e.waitFor(ctx, 30*time.Second, "the scan", func() bool { _, ok := e.w.block(to); return ok }); err != nil {
		return err
	}
	own := 0
	for h := from + 1; h <= to; h++ {
		if b, _ := e.w.block(h); b.Proposer == ck {
			own++
		}
	}
	if own > 0 {
		return fmt.Errorf("chaos: %d blocks of heights %d..%d were proposed by the validator whose clock is 3 s ahead", own, from+1, to)
	}
	refused := 0
	for i := range e.lay.Nodes {
		if i != v {
			logs, _ := e.c.Logs(ctx, i)
			refused += strings.Count(logs, "ahead of local clock")
		}
	}
	// Back on time, it proposes again.
	back := e.w.tip()
	if _, err := e.waitFor(ctx, e.cfg.Times.Resume, e.names[v]+" proposing again", func() bool {
		for h := back + 1; ; h++ {
			b, ok := e.w.block(h)
			if !ok {
				return false
			}
			if b.Proposer == ck {
				return true
			}
		}
	}); err != nil {
		return err
	}
	e.fig.Notes = append(e.fig.Notes, fmt.Sprintf("with the skew: %d blocks (%d..%d), none by %s; the others logged %d refusals of its proposals (\"ahead of local clock\"); after the skew it proposes again",
		to-from, from+1, to, e.names[v], refused))
	return nil
}

// restartWith stops node v and starts it with its clock skewMs ahead.
func (e *env) restartWith(ctx context.Context, v int, skewMs int64) error {
	if err := e.c.Stop(ctx, v); err != nil {
		return err
	}
	if err := setChaos(e.lay.Nodes[v].Home, func(c *node.ChaosConfig) { c.ClockSkewMs = skewMs }); err != nil {
		return err
	}
	return e.c.Start(ctx, v)
}
