package chain

import (
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/types"
)

// The committed chain, read-only: what the node serves to peers and checks
// gossip against. Each is the store's answer; they live here so that
// callers read the chain through chain rather than reach around it.

// Head returns the last committed block (height, hash, state root, time),
// and false before the genesis block is committed.
func (c *Chain) Head() (state.Head, bool) { return c.store.Head() }

// BlockHash returns the hash of the committed block at height h.
func (c *Chain) BlockHash(h uint64) (types.Hash, error) { return c.store.BlockHash(h) }

// BlockByHeight returns the committed block at height h.
func (c *Chain) BlockByHeight(h uint64) (*types.Block, error) { return c.store.BlockByHeight(h) }

// SeenCommit returns the commit that finalised the block at height h.
func (c *Chain) SeenCommit(h uint64) (*types.Commit, error) { return c.store.SeenCommit(h) }
