package chain

import (
	"github.com/taonet/taod/internal/statekey"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/state"
)

// The state layout of the modules, as these tests read it: the tests plant
// and read raw records, so they hold their own copy of the layout
// (staking/keys.go, subnet/keys.go, gov/keys.go), and a change to it
// shows here.
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
	pOwned      = 'o' // coldkey swaps (staking/coldkeyswap.go)
	pSwapQueue  = 'Q'

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

func u16b(v uint16) []byte { return statekey.U16(v) }

// gov/keys.go
const pGov = 'G'

var (
	keyNextProposal = []byte("gnextprop")
	marker          = []byte{1}
)

func key(p byte, parts ...[]byte) []byte { return statekey.Key(p, parts...) }

func u64b(v uint64) []byte { return statekey.U64(v) }

func govKey(sub byte, id uint64, rest ...[]byte) []byte {
	return key(pGov, append([][]byte{{sub}, u64b(id)}, rest...)...)
}

func getU64(st *state.State, k []byte) uint64 { return statekey.GetU64(st, k) }
