package golden

import (
	"encoding/json"
	"fmt"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// Step is one replayed height: the block, the receipts its execution gave,
// and the commit recorded for it.
type Step struct {
	Block    *types.Block
	Receipts []types.Receipt
	Commit   *types.Commit
}

// Replay executes a recording's blocks on a fresh store in storeDir, using
// only the narrow API that survives refactors: chain.New on the genesis
// JSON, Chain.Execute and Chain.Commit, and the types decoders. It returns
// the expectation line of each height as executed (to compare with
// r.Expect) and the steps. It stops at the first block that does not
// execute, with the height in the error.
func Replay(r *Recording, storeDir string) ([]string, []Step, error) {
	g := new(chain.Genesis)
	if err := json.Unmarshal(r.Genesis, g); err != nil {
		return nil, nil, fmt.Errorf("golden: parse genesis: %w", err)
	}
	if err := g.Validate(); err != nil {
		return nil, nil, fmt.Errorf("golden: genesis: %w", err)
	}
	store, err := state.Open(storeDir, storeOptions())
	if err != nil {
		return nil, nil, err
	}
	defer store.Close()
	c, err := chain.New(store, g)
	if err != nil {
		return nil, nil, err
	}
	lines := make([]string, 0, len(r.Entries))
	steps := make([]Step, 0, len(r.Entries))
	for i, e := range r.Entries {
		b, commit, err := decodeEntry(e)
		if err != nil {
			return lines, steps, fmt.Errorf("golden: height %d: %w", i+1, err)
		}
		// nowMs is the header's own time: the drift rule holds, as it did
		// for the validators that committed the block.
		x, err := c.Execute(b, b.Header.Time)
		if err != nil {
			return lines, steps, fmt.Errorf("golden: height %d: %w", i+1, err)
		}
		if err := c.Commit(x, commit); err != nil {
			return lines, steps, fmt.Errorf("golden: height %d: %w", i+1, err)
		}
		lines = append(lines, ExpectLine(b, x.Receipts, commit))
		steps = append(steps, Step{Block: b, Receipts: x.Receipts, Commit: commit})
	}
	return lines, steps, nil
}

// storeOptions keeps the store small and skips the per-block fsync: a
// replay is thrown away, durability buys nothing.
func storeOptions() state.Options {
	return state.Options{CacheMB: 8, MemTableMB: 4, TrieCache: 4, FlatCache: 4, NoSyncDisk: true}
}
