package staking

import (
	"github.com/taonet/taod/internal/statekey"
)

// Staking state keys (all under the state root):
//
//	h<hotkey>                          HotkeyInfo
//	k<hotkey><coldkey>                 stake (u64)
//	K<coldkey><hotkey>                 marker: coldkey has stake on hotkey
//	u<hotkey><release><coldkey>        unbonding amount (u64), slashable
//	r<release><hotkey><coldkey>        marker: release queue by height
//	U<coldkey><hotkey><release>        marker: a coldkey's unbondings
//	c<consensus>                       hotkey a consensus key was ever bound to
//	p<hotkey>                          marker: a key rotation is pending
//	v<hotkey>                          marker: hotkey has a consensus key (a candidate)
//	V<from height>                     ValidatorSet governing heights from there
//	J<consensus>                       marker: a jailed bootstrap validator
//	m<consensus>                       downtime record
//	e<consensus><height>               marker: evidence already applied (one slash per height)
//	ghandover                          marker: staked validators have taken over
//	X<hotkey>                          RetiredHotkey: swapped away, never usable again
//	Z<coldkey>                         height of the coldkey's last SwapHotkey (u64)
//	o<coldkey><hotkey>                 marker: coldkey owns hotkey (kept by setHotkeyInfo)
//	C<old coldkey>                     ColdkeySwap record (coldkeyswap.go)
//	Q<due height><old coldkey>         marker: swap queue by the height it is due
const (
	pHotkey     = 'h'
	pStake      = 'k'
	pColdStake  = 'K'
	pUnbond     = 'u'
	pRelease    = 'r'
	pColdUnb    = 'U'
	pConsKey    = 'c'
	pPending    = 'p'
	pCandidate  = 'v'
	pValSet     = 'V'
	pJailedBoot = 'J'
	pMissed     = 'm'
	pEvidence   = 'e'
	pRetired    = 'X'
	pLastSwap   = 'Z'
	pOwned      = 'o'
	pColdSwap   = 'C'
	pSwapQueue  = 'Q'
)

var keyHandover = []byte("ghandover")

func key(p byte, parts ...[]byte) []byte { return statekey.Key(p, parts...) }

func u64b(v uint64) []byte { return statekey.U64(v) }

var marker = []byte{1}

// Key lengths of the staking records, checked by their decoders: a key of
// another length under one of these prefixes is not a record (issue 11: a
// foreign key read as a position sliced out of range on every validator).
const (
	stakeKeyLen   = 1 + 20 + 20     // k<hotkey><coldkey>, K<coldkey><hotkey>
	unbondKeyLen  = 1 + 20 + 8 + 20 // u<hotkey><release><coldkey>, r<release><hotkey><coldkey>, U<coldkey><hotkey><release>
	addressKeyLen = 1 + 20          // h, p, v, R, m… <address>
)
