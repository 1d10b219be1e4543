package types

import (
	"encoding/binary"
	"fmt"
)

// ReceiptVersion is the receipt format this code writes:
//   - 2: as 1, and the events that move value carry their amounts: a
//     burned registration, a hotkey swap and a coldkey swap report what
//     the coldkey paid (EvFeePaid with a Ref naming the burn, and Amount on
//     the kind's own event); proposals' tally and cancel events report the
//     deposit refunded.
//   - 1: receipts carry typed events, and every block ends its receipt list
//     with one block receipt (TxHash zero) holding the events of begin- and
//     end-of-block work. In a version-1 receipt those amounts are 0 and the
//     burns have no EvFeePaid: "not recorded", not "nothing paid".
//   - 0 (no Version field, no events, one receipt per tx): blocks before
//     issue 15.
//
// This code executes only the current version; stored receipts of older
// versions still decode (the fields are the same) and say which meaning
// their amounts have.
const ReceiptVersion = 2

// EventKind names what an event records. The numbers are part of the
// receipt encoding (consensus): never renumber, only append.
type EventKind uint8

// Event kinds. The comment gives the meaning of each field an event of that
// kind uses; fields it does not name are zero.
const (
	// EvTransfer: Addr sent Amount rao to Peer.
	EvTransfer EventKind = 1 + iota
	// EvFeePaid: Addr paid Amount rao, all of it recycled. Ref says what
	// for: FeeTx (0) a tx's fee and tip, the first event of a paid tx;
	// FeeRegistrationBurn, FeeHotkeySwap, FeeColdkeySwap the burn of that
	// call, paid by its coldkey (receipt version 2). Summing an account's
	// EvFeePaid amounts gives all it paid to be recycled.
	EvFeePaid
	// EvStakeAdded: coldkey Addr staked Amount rao to hotkey Peer.
	EvStakeAdded
	// EvStakeRemoved: coldkey Addr removed Amount rao from hotkey Peer; it
	// unbonds until height Ref.
	EvStakeRemoved
	// EvStakeUnbonded: Amount rao unbonded from hotkey Peer was released to
	// coldkey Addr's balance.
	EvStakeUnbonded
	// EvReward: Amount rao credited to Addr; Ref is the source:
	// RewardOwnerCut, the owner's cut of subnet Netuid's epoch;
	// RewardDividends, validator hotkey Addr's (UID, owner Peer) dividends,
	// shared by its take and its nominators' stake; RewardTake, what owner
	// coldkey Addr kept of its hotkey Peer's dividends (take and rounding
	// dust, beyond its own position's share). Miners' incentive is in the
	// epoch's table only (up to 4,096 UIDs; see EvEpoch); the node-local
	// index lists it in account histories (source RewardIncentive).
	EvReward
	// EvSlash: Amount rao slashed from hotkey Addr (recycled); jailed until Ref.
	EvSlash
	// EvUnjail: hotkey Addr left jail (its owner Peer asked).
	EvUnjail
	// EvNeuronRegistered: hotkey Addr took UID on Netuid, replacing the
	// neuron of hotkey Peer (zero when the subnet grew); Amount is the burn
	// it cost (0 for proof of work), paid by the coldkey named in the
	// EvFeePaid (Ref FeeRegistrationBurn) just before it in the receipt.
	EvNeuronRegistered
	// EvWeightsSet: hotkey Addr set weights on Netuid (0: root weights).
	EvWeightsSet
	// EvWeightsCommitted: hotkey Addr committed weights on Netuid.
	EvWeightsCommitted
	// EvWeightsRevealed: hotkey Addr revealed weights on Netuid.
	EvWeightsRevealed
	// EvSubnetCreated: Addr created subnet Netuid, locking Amount rao.
	EvSubnetCreated
	// EvEpoch: subnet Netuid ran its epoch over UID neurons and paid Amount
	// rao; Data is the 32-byte EpochDigest of the per-UID table (kept
	// node-locally, see EpochTable).
	EvEpoch
	// EvProposalSubmitted: Addr submitted proposal Ref with deposit Amount.
	EvProposalSubmitted
	// EvVoted: Addr voted on proposal Ref; UID is the option (types.VoteYes…).
	EvVoted
	// EvProposalPassed: proposal Ref (proposer Addr) passed its tally;
	// Amount is the deposit refunded to Addr.
	EvProposalPassed
	// EvProposalFailed: proposal Ref (proposer Addr) did not pass, or passed
	// and could not be carried out; Data is the reason. Amount is the
	// deposit refunded to Addr: the whole deposit, or 0 when it was
	// recycled (quorum not reached, or vetoed: the deposit went back to the
	// emission pool, removed from issuance like a fee).
	EvProposalFailed
	// EvParamChanged: a parameter changed: Data is "key=value", Ref the
	// proposal (0: a subnet owner's hyperparameter of Netuid, Addr owner).
	EvParamChanged
	// EvHotkeySwapped: hotkey Addr was replaced by Peer; Amount is the burn
	// it cost, paid by the owner (its EvFeePaid, Ref FeeHotkeySwap, comes
	// just before).
	EvHotkeySwapped
	// EvColdkeySwapScheduled: coldkey Addr will move to Peer at height Ref;
	// Addr paid Amount rao for it (also its EvFeePaid, Ref FeeColdkeySwap).
	// (The event is emitted by the scheduling tx; EvColdkeySwapExecuted when
	// the move finishes, in the block receipt.)
	EvColdkeySwapScheduled
	// EvColdkeySwapCancelled: coldkey Addr's swap (to Peer) was cancelled.
	EvColdkeySwapCancelled
	// EvColdkeySwapExecuted: coldkey Addr's positions finished moving to Peer.
	EvColdkeySwapExecuted
	// EvTakeSet: hotkey Addr's take is now Amount ppm (set by owner Peer).
	EvTakeSet
	// EvProposalCancelled: proposal Ref was cancelled by its proposer Addr;
	// Amount is the part of the deposit refunded (the rest, gov's
	// CancelBurnPPM of it, was recycled).
	EvProposalCancelled
	// EvSubnetPruned: subnet Netuid was pruned; owner Addr got back its lock Amount.
	EvSubnetPruned
	// EvColdkeySwapDisputed: coldkey Addr was asked to move to Peer while
	// another swap was pending: frozen until height Ref unless governance
	// resolves it. Amount as EvColdkeySwapScheduled.
	EvColdkeySwapDisputed

	evKindEnd // one past the last kind
)

// EvFeePaid's reasons (its Ref).
const (
	FeeTx               = 0 // a tx's fee and tip
	FeeRegistrationBurn = 1 // the burn of a BurnedRegister
	FeeHotkeySwap       = 2 // the burn of a SwapHotkey
	FeeColdkeySwap      = 3 // the cost of a ScheduleColdkeySwap
)

// EvReward's sources (its Ref).
const (
	RewardDividends = 1 // a validator's dividends from a subnet epoch
	RewardOwnerCut  = 2 // a subnet owner's cut of an epoch
	RewardTake      = 3 // a validator owner's take of its hotkey's dividends
	// RewardIncentive is a miner's incentive of a subnet epoch. No receipt
	// carries it (it is in the epoch's table only): the node-local index
	// shows it in account histories with this source.
	RewardIncentive = 4
)

var eventNames = [...]string{
	EvTransfer: "transfer", EvFeePaid: "feePaid", EvStakeAdded: "stakeAdded",
	EvStakeRemoved: "stakeRemoved", EvStakeUnbonded: "stakeUnbonded", EvReward: "reward",
	EvSlash: "slash", EvUnjail: "unjail", EvNeuronRegistered: "neuronRegistered",
	EvWeightsSet: "weightsSet", EvWeightsCommitted: "weightsCommitted", EvWeightsRevealed: "weightsRevealed",
	EvSubnetCreated: "subnetCreated", EvEpoch: "epoch", EvProposalSubmitted: "proposalSubmitted",
	EvVoted: "voted", EvProposalPassed: "proposalPassed", EvProposalFailed: "proposalFailed",
	EvParamChanged: "paramChanged", EvHotkeySwapped: "hotkeySwapped",
	EvColdkeySwapScheduled: "coldkeySwapScheduled", EvColdkeySwapCancelled: "coldkeySwapCancelled",
	EvColdkeySwapExecuted: "coldkeySwapExecuted", EvTakeSet: "takeSet", EvProposalCancelled: "proposalCancelled",
	EvSubnetPruned: "subnetPruned", EvColdkeySwapDisputed: "coldkeySwapDisputed",
}

// String is the kind's API name ("transfer", "stakeAdded", …).
func (k EventKind) String() string {
	if k > 0 && k < evKindEnd {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool { return k > 0 && k < evKindEnd }

// ParseEventKind is the inverse of String.
func ParseEventKind(s string) (EventKind, error) {
	for k := EventKind(1); k < evKindEnd; k++ {
		if eventNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("types: unknown event kind %q", s)
}

// HasNetuid reports whether events of kind k are about a subnet (their
// Netuid field means something, root network 0 included).
func (k EventKind) HasNetuid() bool {
	switch k {
	case EvReward, EvNeuronRegistered, EvWeightsSet, EvWeightsCommitted, EvWeightsRevealed, EvSubnetCreated, EvEpoch, EvSubnetPruned:
		return true
	}
	return false
}

// MaxEventData bounds an event's Data.
const MaxEventData = 128

// Event is one typed thing a block did. It is a value in the receipt
// encoding, so its field order is consensus. Addr is the account whose
// history it belongs to first; Peer, when set, is the other party (indexed
// too). See the kinds for what each field means.
type Event struct {
	Kind   EventKind
	Addr   Address
	Peer   Address
	Netuid uint64
	UID    uint64
	Amount uint64
	Ref    uint64
	Data   []byte
}

// EventLog collects a block's events in the order the block's execution
// emits them. Package chain makes one per block and lends it to each
// module's Block; a nil *EventLog drops what it is given, so a module used
// without one (tests, dry runs) emits nothing. Mark and Truncate let the
// caller drop the events of writes it reverts. Not safe for concurrent use:
// a block executes on one goroutine.
type EventLog struct {
	events []Event
	epochs []EpochTable
}

// Emit appends e (its Data cut to MaxEventData).
func (l *EventLog) Emit(e Event) {
	if l == nil {
		return
	}
	if len(e.Data) > MaxEventData {
		e.Data = e.Data[:MaxEventData]
	}
	l.events = append(l.events, e)
}

// EmitEpoch records a subnet epoch: the per-UID table goes aside (it is
// node-local) and an EvEpoch event with the table's digest is emitted.
func (l *EventLog) EmitEpoch(t EpochTable, paid uint64) {
	if l == nil {
		return
	}
	d := t.Digest()
	l.Emit(Event{Kind: EvEpoch, Netuid: uint64(t.Netuid), UID: uint64(len(t.Rows)), Amount: paid, Data: d[:]})
	l.epochs = append(l.epochs, t)
}

// Mark is the log's position, for Truncate.
func (l *EventLog) Mark() int {
	if l == nil {
		return 0
	}
	return len(l.events)
}

// Truncate drops the events emitted since mark m.
func (l *EventLog) Truncate(m int) {
	if l != nil && m <= len(l.events) {
		l.events = l.events[:m]
	}
}

// Since returns a copy of the events emitted since mark m.
func (l *EventLog) Since(m int) []Event {
	if l == nil || m >= len(l.events) {
		return nil
	}
	return append([]Event(nil), l.events[m:]...)
}

// Epochs are the epoch tables recorded so far.
func (l *EventLog) Epochs() []EpochTable {
	if l == nil {
		return nil
	}
	return l.epochs
}

// EpochRow is one UID's outcome of an epoch: normalised incentive and
// dividends (u16, 65535 = 1) and the rao it earned.
type EpochRow struct {
	UID       uint16
	Hotkey    Address
	Incentive uint16
	Dividends uint16
	Emission  uint64
}

// EpochTable is a subnet epoch's per-UID outcome, in UID order. Only its
// digest is consensus (in the EvEpoch event); the table itself is kept by
// nodes that index (a 4,096-UID table is ~150 KiB, too big for a receipt).
type EpochTable struct {
	Netuid uint16
	Height uint64
	Rows   []EpochRow
	// Owners is node-local and outside the digest: each row's hotkey owner
	// at commit, filled by the chain only when its store indexes (zero for
	// rows paid nothing and for retired hotkeys); nil otherwise.
	Owners []Address
}

// Digest is keccak256 over the rows' fixed-width encoding (uid 2, hotkey 20,
// incentive 2, dividends 2, emission 8, big-endian) after netuid 2 and
// height 8.
func (t *EpochTable) Digest() Hash {
	b := make([]byte, 10, 10+34*len(t.Rows))
	binary.BigEndian.PutUint16(b, t.Netuid)
	binary.BigEndian.PutUint64(b[2:], t.Height)
	var row [34]byte
	for _, r := range t.Rows {
		binary.BigEndian.PutUint16(row[:], r.UID)
		copy(row[2:22], r.Hotkey[:])
		binary.BigEndian.PutUint16(row[22:], r.Incentive)
		binary.BigEndian.PutUint16(row[24:], r.Dividends)
		binary.BigEndian.PutUint64(row[26:], r.Emission)
		b = append(b, row[:]...)
	}
	return Keccak256(b)
}
