package driver

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/taonet/taod/consensus"
	"github.com/taonet/taod/state"
)

// ErrCorruptSet is a stored validator set (with its proposer priorities) that
// does not decode: the node's data is damaged, and guessing the priorities
// would make this node expect other proposers than its peers do.
var ErrCorruptSet = errors.New("driver: stored validator set is corrupt")

// MetaSet is the App meta key under which the current height's validator set
// is kept with its proposer priorities: height (8 bytes, big endian) ‖
// consensus.ValidatorSet.Encode().
//
// The priority rule: priorities are not chain state (no root commits to
// them) but a pure function of the sets of heights 1..h, rolled forward one
// height at a time by ValidatorSet.Next. So the driver saves the set of h+1
// after committing h and, at start, rolls the saved set forward to the
// head's next height. When nothing is saved, or the saved height is above the
// one asked for (the store went back, e.g. restored from a backup), it replays
// from the genesis set: slow for a long chain, but the same answer every
// node computes. A saved set that does not decode is corruption, an error.
const MetaSet = "consensus/valset"

// setFor returns the consensus set of height h with its priorities: saved,
// or rolled forward from the last saved one (or from genesis). It saves the
// result.
func (d *Driver) setFor(h uint64) (*consensus.ValidatorSet, error) {
	app := d.cfg.App
	from, set, err := loadSet(app)
	if err != nil {
		return nil, err
	}
	if set == nil || from > h {
		vs, err := app.Validators(1)
		if err != nil {
			return nil, err
		}
		if set, err = consensus.NewValidatorSet(vs); err != nil {
			return nil, err
		}
		from = 1
	}
	for ; from < h; from++ {
		vs, err := app.Validators(from + 1)
		if err != nil {
			return nil, err
		}
		if set, err = set.Next(vs); err != nil {
			return nil, err
		}
	}
	return set, saveSet(app, h, set)
}

// rollSet saves the set of h+1 after block h is committed.
func (d *Driver) rollSet(h uint64) error {
	vs, err := d.cfg.App.Validators(h + 1)
	if err != nil {
		return err
	}
	next, err := d.set.Next(vs)
	if err != nil {
		return err
	}
	return saveSet(d.cfg.App, h+1, next)
}

// loadSet reads the saved set: (0, nil, nil) when there is none.
func loadSet(app App) (uint64, *consensus.ValidatorSet, error) {
	b, err := app.GetMeta(MetaSet)
	if errors.Is(err, state.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("driver: read the validator set: %w", err)
	}
	if len(b) <= 8 {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrCorruptSet, len(b))
	}
	s, err := consensus.DecodeValidatorSet(b[8:])
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %w", ErrCorruptSet, err)
	}
	return binary.BigEndian.Uint64(b), s, nil
}

func saveSet(app App, h uint64, s *consensus.ValidatorSet) error {
	enc, err := s.Encode()
	if err != nil {
		return err
	}
	return app.PutMeta(MetaSet, append(binary.BigEndian.AppendUint64(nil, h), enc...))
}
