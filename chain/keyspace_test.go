package chain

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"github.com/taonet/taod/gov"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// chainPrefixes are the prefixes the chain's modules Iterate (grep
// "Iterate(" in chain/), with the ids and addresses of govWorld.
func chainPrefixes() [][]byte {
	h0, c1 := hot(0), devkeys.Address(1)
	return [][]byte{
		{pSubnet}, {pRootMember}, key(pNeuron, u16b(1)), {pGov, 'p'},
		govKey('v', 1), {pStake}, govKey('s', 1), govKey('o', 1),
		key(pGov, []byte{'e'}, u64b(10)),
		key(pStake, h0[:]), key(pColdStake, c1[:]), key(pUnbond, h0[:]), key(pColdUnb, c1[:]),
		key(pRelease, u64b(10)), {pHotkey}, {pPending}, {pCandidate},
		key(pUIDOf, u16b(1)), key(pWeights, u16b(1)), key(pBonds, u16b(1)), key(pCommit, u16b(1)),
		key(pOwned, c1[:]), {pSwapQueue},
	}
}

// plantFormat0 opens the closed store in dir with Pebble itself and leaves
// it as a long-lived node running the code before trie nodes had a keyspace
// would have: for every first byte c of a scanned prefix, a trie node whose
// bare hash begins "s"‖c (on a devnet of ~1,000 blocks, 0x736b… = "sk" sat
// among the stake positions), no store-format record, and keys of every
// other keyspace right beside each scanned prefix.
func plantFormat0(t *testing.T, dir string, prefixes [][]byte) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{Logger: testPebbleLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[byte]bool{}
	for _, p := range prefixes {
		want[p[0]] = true
	}
	for i := uint64(0); len(want) > 0; i++ {
		if i > 1<<24 {
			t.Fatalf("%d prefixes left unmined", len(want))
		}
		blob := binary.BigEndian.AppendUint64([]byte("trie node "), i)
		h := types.Keccak256(blob)
		if h[0] == 's' && want[h[1]] {
			delete(want, h[1])
			if err := db.Set(h[:], blob, pebble.NoSync); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, ks := range []byte("nBRHCTXM") {
		for _, p := range prefixes {
			for _, k := range [][]byte{
				append([]byte{ks}, p...),
				append(append([]byte{ks}, p...), bytes.Repeat([]byte{0xff}, 40)...),
				append(append([]byte{ks, 's'}, p...), 0),
			} {
				if err := db.Set(k, []byte("foreign"), pebble.NoSync); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := db.Delete([]byte("Mformat"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// testPebbleLog keeps Pebble's recovery messages out of the test output.
type testPebbleLog struct{ t *testing.T }

func (testPebbleLog) Infof(string, ...any)        {}
func (l testPebbleLog) Errorf(f string, a ...any) { l.t.Errorf(f, a...) }
func (l testPebbleLog) Fatalf(f string, a ...any) { l.t.Fatalf(f, a...) }

// openWorld opens (or reopens) a world on the store in dir.
func openWorld(t *testing.T, dir string) *world {
	t.Helper()
	s, err := state.Open(dir, state.Options{CacheMB: 8, TrieCache: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g, err := Preset("test", 1_000, devkeys.Addresses(1), devkeys.Addresses(6), funds)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, g)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, c: c, keys: map[types.Address]*ecdsa.PrivateKey{devkeys.Address(0): devkeys.Key(0)}, next: map[types.Address]uint64{}}
	for i := 20; i < 30; i++ {
		w.keys[devkeys.Address(i)] = devkeys.Key(i)
	}
	return w
}

func scanAll(st *state.State, prefixes [][]byte) []string {
	var out []string
	for _, p := range prefixes {
		st.Iterate(p, func(k, v []byte) bool {
			out = append(out, fmt.Sprintf("%x: %x=%x", p, k, v))
			return true
		})
	}
	return out
}

// A store where a trie node's hash sits among the stake positions (and
// foreign keys beside every prefix the chain scans): a gov Propose, which
// snapshots every stake position, executes without panic and with the
// right voting power, and every scan the chain makes returns what it did
// before. On the code before trie nodes had a keyspace, Propose panicked
// (chain/gov.go, slice bounds out of range [:41] with capacity 32: the
// devnet of issue 11 weakness 9) on every validator at once.
func TestGovProposeWithTrieNodeInStakePrefix(t *testing.T) {
	dir := t.TempDir()
	w := openWorld(t, dir)
	w.ok(w.bind(1, 0), w.bind(4, 1))
	w.ok(w.call(1, &types.AddStake{Hotkey: hot(0), Amount: 100 * tao}),
		w.call(2, &types.AddStake{Hotkey: hot(0), Amount: 60 * tao}),
		w.call(3, &types.AddStake{Hotkey: hot(0), Amount: 40 * tao}),
		w.call(4, &types.AddStake{Hotkey: hot(1), Amount: 50 * tao}))
	prefixes := chainPrefixes()
	before := scanAll(w.st(), prefixes)
	if len(before) == 0 {
		t.Fatal("no state under the scanned prefixes")
	}
	head, _ := w.c.Store().Head()
	w.c.Store().Close()

	plantFormat0(t, dir, prefixes)
	w = openWorld(t, dir)
	if h, _ := w.c.Store().Head(); h != head {
		t.Fatalf("head after reopen %+v, want %+v", h, head)
	}
	after := scanAll(w.st(), prefixes)
	id := w.propose(5, paramChange("staking.unbonding_period", "33"))
	pr, ok := gov.GetProposal(w.st(), id)
	if !ok {
		t.Fatalf("proposal %d not stored", id)
	}
	if !slices.Equal(after, before) {
		t.Fatalf("scans changed:\n before %q\n after  %q", before, after)
	}
	w.ok(w.call(1, &types.GovVote{ProposalID: id, Option: types.VoteYes}), w.call(4, &types.GovVote{ProposalID: id, Option: types.VoteYes}))
	// The tally reads the stake positions, past the planted keys.
	if pr = w.finish(id); pr.Status != gov.StatusPassed || pr.Tally.Yes != 250*tao || pr.SnapshotStake != 250*tao {
		t.Fatalf("status %s, tally %+v", gov.StatusName(pr.Status), pr.Tally)
	}
}
