package chain

import (
	"encoding/binary"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
)

// The state layout of the modules, as these tests read it: the tests plant
// and read raw records, so they hold their own copy of the layout
// (staking/keys.go), and a change to it shows here.
const (
	pStake      = 'k'
	pColdStake  = 'K'
	pUnbond     = 'u'
	pRelease    = 'r'
	pColdUnb    = 'U'
	pHotkey     = 'h'
	pPending    = 'p'
	pCandidate  = 'v'
	pMissed     = 'm'
	pConsKey    = 'c'
	pJailedBoot = 'J'

	// subnet/keys.go
	pSubnet     = 'N'
	pNeuron     = 'n'
	pUIDOf      = 'x'
	pWeights    = 'w'
	pBonds      = 'b'
	pCommit     = 'q'
	pRootMember = 'R'
	pRootWeight = 'W'
)

// missedRecord is staking's downtime record (staking/evidence.go).
type missedRecord struct {
	Missed uint64
	Bits   []byte
	Last   uint64 `rlp:"optional"`
}

func downtimeBytes(window uint64) int { return int((window + 7) / 8) }

// migrateDowntimeWindow runs staking's migration for a change of
// downtime_window alone.
func migrateDowntimeWindow(st *state.State, height, old, next uint64) error {
	cur := staking.TestParams()
	to := cur
	cur.DowntimeWindow, to.DowntimeWindow = old, next
	return staking.MigrateParams(st, height, cur, to)
}

func u16b(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
