package driver

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/consensus/wal"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

const testChainID = 9

var testTimeouts = consensus.Timeouts{Propose: 10, ProposeDelta: 2, Prevote: 5, PrevoteDelta: 1, Precommit: 5, PrecommitDelta: 1, Commit: 1}

func testKey(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("driver test key %d", i))))
	if err != nil {
		panic(err)
	}
	return k
}

// memApp is a minimal App: a fixed validator set, blocks that only have to
// extend the head and name the set, durable across a driver's restart.
type memApp struct {
	vals       []types.Validator
	blocks     []*consensus.Decision
	meta       map[string][]byte
	refuse     func(b *types.Block) bool // blocks Validate refuses
	proposed   int
	catchingUp []bool // Commit's flag, per commit
}

func newMemApp(vals []types.Validator) *memApp {
	return &memApp{vals: vals, meta: map[string][]byte{}}
}

func (a *memApp) Head() uint64 { return uint64(len(a.blocks)) }

func (a *memApp) headHash() types.Hash {
	if len(a.blocks) == 0 {
		return types.Keccak256([]byte("genesis"))
	}
	return a.blocks[len(a.blocks)-1].Block.Hash()
}

func (a *memApp) SeenCommit(h uint64) (*types.Commit, error) {
	if h == 0 || h > a.Head() {
		return nil, errors.New("no such block")
	}
	return a.blocks[h-1].Commit, nil
}

func (a *memApp) Validators(h uint64) ([]types.Validator, error) {
	if h > a.Head()+2 {
		return nil, errors.New("not decided yet")
	}
	return a.vals, nil
}

func (a *memApp) EvidenceMaxAge() uint64 { return 100 }

func (a *memApp) GetMeta(k string) ([]byte, error) {
	v, ok := a.meta[k]
	if !ok {
		return nil, state.ErrNotFound
	}
	return v, nil
}

func (a *memApp) PutMeta(k string, v []byte) error {
	a.meta[k] = append([]byte(nil), v...)
	return nil
}

func (a *memApp) Propose(req *consensus.ProposalRequest, proposer types.Address, nowMs uint64, ev []types.Evidence) (*types.Block, error) {
	a.proposed++
	set, _ := consensus.NewValidatorSet(a.vals)
	h := types.Header{
		ChainID: testChainID, Height: req.Height, Time: nowMs, ParentHash: a.headHash(), Proposer: proposer,
		TxRoot: types.EmptyRoot, ReceiptsRoot: types.EmptyRoot, StateRoot: types.Keccak256(proposer[:], []byte{byte(req.Round)}),
		ValidatorsHash: set.Hash(), LastCommitHash: req.LastCommit.Hash(), EvidenceHash: types.EvidenceHash(ev),
	}
	return types.NewBlock(h, nil, req.LastCommit, ev), nil
}

func (a *memApp) Validate(b *types.Block, _ uint64) error {
	if a.refuse != nil && a.refuse(b) {
		return errors.New("marked invalid")
	}
	if b.Height() != a.Head()+1 || b.Header.ParentHash != a.headHash() {
		return errors.New("does not extend the head")
	}
	return nil
}

func (a *memApp) Commit(d *consensus.Decision, catchingUp bool) error {
	if err := a.Validate(d.Block, 0); err != nil {
		return err
	}
	a.catchingUp = append(a.catchingUp, catchingUp)
	a.blocks = append(a.blocks, d)
	return nil
}

// fakeClock is a settable clock whose ticker the test fires.
type fakeClock struct {
	ms    uint64
	ticks chan time.Time
}

func (c *fakeClock) NowMs() uint64 { return c.ms }

func (c *fakeClock) NewTicker(time.Duration) (<-chan time.Time, func()) { return c.ticks, func() {} }

// memNet is an in-memory transport: broadcasts are queued, and the test
// delivers them in order (or drops them).
type memNet struct {
	queue     []envelope
	announced []*types.Block
	drop      func(from int, m consensus.Message) bool
	signed    map[signKey]types.Hash // what each validator signed, by step
	doubles   []string               // two different values signed at one step
}

type signKey struct {
	signer types.Address
	height uint64
	round  uint32
	typ    types.VoteType // 0: proposal
}

// note records a signed message and any double sign it makes.
func (n *memNet) note(m consensus.Message) {
	k, hash := signKey{}, types.Hash{}
	if p := m.Proposal; p != nil {
		k, hash = signKey{p.Proposer, p.Height, p.Round, 0}, p.BlockHash
	} else {
		v := m.Vote
		k, hash = signKey{v.Validator, v.Height, v.Round, v.Type}, v.BlockHash
	}
	if prev, ok := n.signed[k]; ok && prev != hash {
		n.doubles = append(n.doubles, fmt.Sprintf("%+v: %s and %s", k, prev, hash))
	}
	n.signed[k] = hash
}

type envelope struct {
	from int
	msg  consensus.Message
}

type memPort struct {
	net *memNet
	i   int
}

func (p memPort) Broadcast(_ context.Context, m consensus.Message) error {
	p.net.note(m)
	if p.net.drop != nil && p.net.drop(p.i, m) {
		return nil
	}
	// Through the wire encoding, as in production.
	b, err := m.Encode()
	if err != nil {
		return err
	}
	dm, err := consensus.DecodeMessage(b)
	if err != nil {
		return err
	}
	p.net.queue = append(p.net.queue, envelope{p.i, dm})
	return nil
}

func (p memPort) Announce(_ context.Context, b *types.Block) {
	p.net.announced = append(p.net.announced, b)
}

// failWAL wraps a WAL and fails every append once fail is set.
type failWAL struct {
	*wal.WAL
	fail bool
}

var errDisk = errors.New("test: disk full")

func (f *failWAL) Append(recs ...[]byte) error {
	if f.fail {
		return errDisk
	}
	return f.WAL.Append(recs...)
}

// cluster is n validators of equal power, each a driver on a memApp with a
// WAL on a MemFS, over one memNet, under one fake clock.
type cluster struct {
	t     *testing.T
	net   *memNet
	clock *fakeClock
	apps  []*memApp
	fss   []*wal.MemFS
	wals  []*failWAL
	drvs  []*Driver
	vals  []types.Validator
	sync  bool // hand a validator the blocks others decided (block sync)
}

func newCluster(t *testing.T, n int) *cluster {
	c := &cluster{t: t, net: &memNet{signed: map[signKey]types.Hash{}}, clock: &fakeClock{ms: 1_000_000, ticks: make(chan time.Time)}}
	for i := range n {
		c.vals = append(c.vals, types.Validator{Address: crypto.PubkeyToAddress(testKey(i).PublicKey), Power: 10})
	}
	for i := range n {
		c.apps = append(c.apps, newMemApp(c.vals))
		c.fss = append(c.fss, wal.NewMemFS())
		c.wals = append(c.wals, nil)
		c.drvs = append(c.drvs, nil)
		c.open(i)
	}
	return c
}

func (c *cluster) config(i int) Config {
	return Config{
		ChainID: testChainID, Signer: consensus.NewKeySigner(testChainID, testKey(i)), Timeouts: testTimeouts,
		App: c.apps[i], WAL: c.wals[i], Transport: memPort{c.net, i}, Clock: c.clock, CompactEvery: 4,
	}
}

// open (re)starts validator i from its WAL and app, as at boot.
func (c *cluster) open(i int) {
	c.t.Helper()
	w, rep, err := wal.Open(c.fss[i], "/wal")
	if err != nil {
		c.t.Fatal(err)
	}
	c.wals[i] = &failWAL{WAL: w}
	d, err := Open(c.config(i), rep.Records)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := d.Flush(context.Background()); err != nil {
		c.t.Fatal(err)
	}
	c.drvs[i] = d
}

// deliver hands every queued message to every other live validator.
func (c *cluster) deliver() {
	c.t.Helper()
	for len(c.net.queue) > 0 {
		e := c.net.queue[0]
		c.net.queue = c.net.queue[1:]
		for j, d := range c.drvs {
			if j == e.from || d == nil {
				continue
			}
			if err := d.Deliver(context.Background(), e.msg); err != nil && !errors.Is(err, ErrRefused) {
				c.t.Fatalf("validator %d: %v", j, err)
			}
		}
	}
}

// run ticks every live validator and delivers messages until all live
// validators have committed height h, or fails after max ticks.
func (c *cluster) run(h uint64, max int) {
	c.t.Helper()
	for range max {
		done := true
		for _, a := range c.live() {
			done = done && a.Head() >= h
		}
		if done {
			return
		}
		c.clock.ms += 10
		for i, d := range c.drvs {
			if d == nil {
				continue
			}
			if err := d.Tick(context.Background()); err != nil {
				c.t.Fatalf("validator %d: %v", i, err)
			}
		}
		c.deliver()
		if c.sync {
			c.syncAll()
		}
	}
	var st []string
	for i, d := range c.drvs {
		if d != nil {
			s := d.Status()
			st = append(st, fmt.Sprintf("%d: head %d at (%d, %d, %s)", i, c.apps[i].Head(), s.Height, s.Round, s.Step))
		}
	}
	c.t.Fatalf("not every validator reached height %d in %d ticks: %v", h, max, st)
}

// syncAll gives each live validator the block of its height, if another
// decided it, as block sync would.
func (c *cluster) syncAll() {
	c.t.Helper()
	for i, d := range c.drvs {
		if d == nil {
			continue
		}
		for _, a := range c.apps {
			if h := d.Height(); a.Head() >= h {
				if err := d.Decide(context.Background(), *a.blocks[h-1], false); err != nil {
					c.t.Fatalf("validator %d: synced block %d: %v", i, h, err)
				}
			}
		}
	}
}

func (c *cluster) live() []*memApp {
	var out []*memApp
	for i, d := range c.drvs {
		if d != nil {
			out = append(out, c.apps[i])
		}
	}
	return out
}
