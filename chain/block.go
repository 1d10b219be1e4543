package chain

import (
	"errors"
	"fmt"

	"github.com/taonet/taod/gov"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

// blockCtx is the state of one block's execution: the chain's own view
// (state, height, the parameters in force) and each module's.
type blockCtx struct {
	c      *Chain
	st     *state.State
	height uint64
	p      Params // in force for this block

	sk *staking.Block
	sn *subnet.Block
	gv *gov.Block
	ev *types.EventLog // the block's events; each tx's move to its receipt
}

// newBlockCtx starts the execution of block height on st (a fresh view of
// the head state) with the parameters in force.
func (c *Chain) newBlockCtx(st *state.State, height uint64) (*blockCtx, error) {
	p := c.Params()
	ev := &types.EventLog{}
	x := &blockCtx{
		c: c, st: st, height: height, p: p, ev: ev,
		sk: &staking.Block{State: st, Height: height, Params: p.Staking, ChainID: c.genesis.ChainID, Bootstrap: c.genesis.Validators, Events: ev},
		sn: &subnet.Block{State: st, Height: height, Params: p.Subnets, Staking: p.Staking, Blocks: c.store, Events: ev},
	}
	x.gv = &gov.Block{State: st, Height: height, Params: p.Gov, Registry: registry{x}, Events: ev}
	return x, nil
}

// beginBlock runs before the transactions: mint the reward, apply
// evidence, check the parent's commit and track downtime. An error makes the
// block invalid.
func (x *blockCtx) beginBlock(lastCommit *types.Commit, evidence []types.Evidence) error {
	if err := gov.CheckUpgrade(x.st, x.height, x.c.upgrades); err != nil {
		return err
	}
	mint(x.st)
	for i := range evidence {
		if err := x.sk.CheckEvidence(&evidence[i]); err != nil {
			return fmt.Errorf("evidence %d: %w", i, err)
		}
		if err := x.sk.ApplyEvidence(&evidence[i]); err != nil {
			return err
		}
	}
	if x.height < 2 {
		if lastCommit != nil && len(lastCommit.Signatures) != 0 {
			return errors.New("the first block carries no commit")
		}
		return nil
	}
	parent, err := x.c.store.BlockHash(x.height - 1)
	if err != nil {
		return err
	}
	set, err := staking.ValidatorSetAt(x.st, x.p.Staking, x.height-1)
	if err != nil {
		return err
	}
	if err := x.c.verifyCommit(set.Validators, x.height-1, parent, lastCommit); err != nil {
		return fmt.Errorf("last commit: %w", err)
	}
	return x.sk.TrackDowntime(lastCommit)
}

// endBlock runs after the transactions: release unbonded stake and, at an
// epoch's last block, decide the next validator set.
func (x *blockCtx) endBlock() error {
	if err := x.sk.ReleaseUnbonding(); err != nil {
		return err
	}
	if err := x.gv.EndBlock(); err != nil {
		return err
	}
	if err := x.sn.EndBlock(); err != nil {
		return err
	}
	// After the epochs, so rewards credited in this block move with the
	// positions they were credited to.
	if err := x.sk.ExecuteColdkeySwaps(subnetOwners{x.st}); err != nil {
		return err
	}
	if x.c.endBlockHook != nil {
		if err := x.c.endBlockHook(x); err != nil {
			return err
		}
	}
	if e := x.p.Staking.ConsensusEpoch; x.height%e == 0 {
		return x.sk.UpdateValidatorSet()
	}
	return nil
}

// blockReceipt is the receipt that ends the block's list: the events left
// in the log once every tx took its own (begin- and end-of-block work).
func (x *blockCtx) blockReceipt() types.Receipt { return types.BlockReceipt(x.ev.Since(0)) }

// subnetOwners lets staking's coldkey swap move subnet ownership.
type subnetOwners struct{ st *state.State }

func (o subnetOwners) MoveSubnetOwnership(from, to types.Address) int {
	return subnet.MoveOwnership(o.st, from, to)
}
