package types

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// CallKind identifies a call in the closed set of calls a transaction may make.
type CallKind uint8

// Call kinds. The numbers are part of the wire format: never renumber.
const (
	CallTransfer         CallKind = 1
	CallAddStake         CallKind = 2
	CallRemoveStake      CallKind = 3
	CallSetTake          CallKind = 4
	CallBindConsensusKey CallKind = 5
	CallUnjail           CallKind = 6
	CallRegisterNetwork  CallKind = 7
	CallBurnedRegister   CallKind = 8
	CallPowRegister      CallKind = 9
	CallServeAxon        CallKind = 10
	CallSetWeights       CallKind = 11
	CallCommitWeights    CallKind = 12
	CallRevealWeights    CallKind = 13
	CallRootRegister     CallKind = 14
	CallSetRootWeights   CallKind = 15
	CallSetHyperparam    CallKind = 16
	CallPropose          CallKind = 17
	CallVote             CallKind = 18
	CallCancelProposal   CallKind = 19
	CallSwapHotkey       CallKind = 20

	CallScheduleColdkeySwap CallKind = 21
	CallCancelColdkeySwap   CallKind = 22
)

var callNames = map[CallKind]string{
	CallTransfer:         "Transfer",
	CallAddStake:         "AddStake",
	CallRemoveStake:      "RemoveStake",
	CallSetTake:          "SetTake",
	CallBindConsensusKey: "BindConsensusKey",
	CallUnjail:           "Unjail",
	CallRegisterNetwork:  "RegisterNetwork",
	CallBurnedRegister:   "BurnedRegister",
	CallPowRegister:      "PowRegister",
	CallServeAxon:        "ServeAxon",
	CallSetWeights:       "SetWeights",
	CallCommitWeights:    "CommitWeights",
	CallRevealWeights:    "RevealWeights",
	CallRootRegister:     "RootRegister",
	CallSetRootWeights:   "SetRootWeights",
	CallSetHyperparam:    "SetHyperparam",
	CallPropose:          "Propose",
	CallVote:             "Vote",
	CallCancelProposal:   "CancelProposal",
	CallSwapHotkey:       "SwapHotkey",

	CallScheduleColdkeySwap: "ScheduleColdkeySwap",
	CallCancelColdkeySwap:   "CancelColdkeySwap",
}

func (k CallKind) String() string {
	if n, ok := callNames[k]; ok {
		return n
	}
	return fmt.Sprintf("CallKind(%d)", uint8(k))
}

// newCall returns an empty call of kind k to decode into.
func newCall(k CallKind) Call {
	switch k {
	case CallTransfer:
		return new(Transfer)
	case CallAddStake:
		return new(AddStake)
	case CallRemoveStake:
		return new(RemoveStake)
	case CallSetTake:
		return new(SetTake)
	case CallBindConsensusKey:
		return new(BindConsensusKey)
	case CallUnjail:
		return new(Unjail)
	case CallRegisterNetwork:
		return new(RegisterNetwork)
	case CallBurnedRegister:
		return new(BurnedRegister)
	case CallPowRegister:
		return new(PowRegister)
	case CallServeAxon:
		return new(ServeAxon)
	case CallSetWeights:
		return new(SetWeights)
	case CallCommitWeights:
		return new(CommitWeights)
	case CallRevealWeights:
		return new(RevealWeights)
	case CallRootRegister:
		return new(RootRegister)
	case CallSetRootWeights:
		return new(SetRootWeights)
	case CallSetHyperparam:
		return new(SetHyperparam)
	case CallPropose:
		return new(Propose)
	case CallVote:
		return new(GovVote)
	case CallCancelProposal:
		return new(CancelProposal)
	case CallSwapHotkey:
		return new(SwapHotkey)

	case CallScheduleColdkeySwap:
		return new(ScheduleColdkeySwap)
	case CallCancelColdkeySwap:
		return new(CancelColdkeySwap)
	}
	return nil
}

// TransferWeight is the weight of a plain transfer: the same as an Ethereum
// transfer's gas so that Ethereum tooling's defaults fit.
const TransferWeight uint64 = 21_000

var (
	// ErrUnknownCall reports a call kind this node does not know.
	ErrUnknownCall = errors.New("types: unknown call kind")
	// ErrZeroAmount reports a value-moving call with a zero amount.
	ErrZeroAmount = errors.New("types: amount must be positive")
)

// Call is one of the closed set of things a transaction does. Validate holds
// the stateless checks; the state transition (package chain) holds the rest.
type Call interface {
	Kind() CallKind
	// Weight is the call's cost in weight units; fee ≥ base fee × weight.
	Weight() uint64
	// Validate checks what can be checked without state.
	Validate() error
}

// Transfer moves Amount rao from the sender to To.
type Transfer struct {
	To     Address
	Amount uint64
}

func (*Transfer) Kind() CallKind { return CallTransfer }
func (*Transfer) Weight() uint64 { return TransferWeight }
func (t *Transfer) Validate() error {
	if t.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// callWire is the wire form of a call: its kind and its payload's RLP.
type callWire struct {
	Kind    uint8
	Payload rlp.RawValue
}

// EncodeCall returns the canonical RLP of c.
func EncodeCall(c Call) ([]byte, error) {
	payload, err := rlp.EncodeToBytes(c)
	if err != nil {
		return nil, fmt.Errorf("encode %v: %w", c.Kind(), err)
	}
	return rlp.EncodeToBytes(&callWire{Kind: uint8(c.Kind()), Payload: payload})
}

// DecodeCall decodes a call from its canonical RLP.
func DecodeCall(b []byte) (Call, error) {
	var w callWire
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("types: decode call: %w", err)
	}
	c := newCall(CallKind(w.Kind))
	if c == nil {
		return nil, fmt.Errorf("%w: %d", ErrUnknownCall, w.Kind)
	}
	if err := rlp.DecodeBytes(w.Payload, c); err != nil {
		return nil, fmt.Errorf("types: decode %v: %w", CallKind(w.Kind), err)
	}
	return c, nil
}
