package gov

import (
	"github.com/taonet/taod/internal/statekey"

	"github.com/taonet/taod/state"
)

// Governance state keys ('G' prefix):
//
//	Gp<id>                 Proposal
//	Gv<id><coldkey>        vote option
//	Ge<end><id>            voting-end queue
//	Gn<end>                proposals ending at that height (u64), for the cap
//	gnextprop, gupgrade
//
// (Gs and Go, a per-proposal stake snapshot, are no longer written.)
const pGov = 'G'

const (
	voteKeyLen     = 2 + 8 + 20 // G v <id> <coldkey>
	endQueueKeyLen = 2 + 8 + 8  // G e <end> <id>
)

func endQueueKey(end, id uint64) []byte { return key(pGov, []byte{'e'}, u64b(end), u64b(id)) }
func endCountKey(end uint64) []byte     { return key(pGov, []byte{'n'}, u64b(end)) }

// MaxProposalsPerEnd bounds the proposals whose voting ends at one height
// (in effect, those submitted in one block): the tally of a block is one
// pass over the stake positions plus, per staked hotkey, one step per
// proposal ending there. Filling every block's slots would keep
// 16 × min_deposit × voting_period locked (mainnet: 80 M TAO, more than
// the supply).
const MaxProposalsPerEnd = 16

// CancelBurnPPM is the part of the deposit a cancellation recycles (Cosmos
// SDK's default proposal_cancel_ratio): a proposal is not a free option to
// be withdrawn when the vote goes badly, and Propose+Cancel cycles cost
// half a deposit each.
const CancelBurnPPM = 500_000

var (
	keyNextProposal = []byte("gnextprop")
	keyUpgrade      = []byte("gupgrade")
)

func govKey(sub byte, id uint64, rest ...[]byte) []byte {
	return key(pGov, append([][]byte{{sub}, u64b(id)}, rest...)...)
}

func key(p byte, parts ...[]byte) []byte { return statekey.Key(p, parts...) }

func u64b(v uint64) []byte { return statekey.U64(v) }

var marker = []byte{1}

func getU64(st *state.State, k []byte) uint64 { return statekey.GetU64(st, k) }

func setU64(st *state.State, k []byte, v uint64) { statekey.SetU64(st, k, v) }
