package types

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// randomCall builds a random valid call of kind k.
func randomCall(rng *rand.Rand, k CallKind) Call {
	addr := func() Address {
		var a Address
		for i := range a {
			a[i] = byte(rng.UintN(256))
		}
		return a
	}
	u16s := func(n int) []uint16 {
		out := make([]uint16, n)
		for i := range out {
			out[i] = uint16(rng.UintN(65536))
		}
		return out
	}
	uniq := func(n int) []uint16 {
		p := rng.Perm(1000)[:n]
		out := make([]uint16, n)
		for i, v := range p {
			out[i] = uint16(v)
		}
		return out
	}
	n := rng.IntN(20)
	switch k {
	case CallTransfer:
		return &Transfer{To: addr(), Amount: rng.Uint64() | 1}
	case CallAddStake:
		return &AddStake{Hotkey: addr(), Amount: rng.Uint64() | 1}
	case CallRemoveStake:
		return &RemoveStake{Hotkey: addr(), Amount: rng.Uint64() | 1}
	case CallSetTake:
		return &SetTake{Hotkey: addr(), Take: uint32(rng.UintN(PPM + 1))}
	case CallBindConsensusKey:
		sig := func() []byte {
			b := make([]byte, 65)
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			return b
		}
		return &BindConsensusKey{Hotkey: addr(), ConsensusKey: addr(), HotkeySig: sig(), ConsensusSig: sig()}
	case CallUnjail:
		return &Unjail{Hotkey: addr()}
	case CallRegisterNetwork:
		return &RegisterNetwork{Name: "net"}
	case CallBurnedRegister:
		return &BurnedRegister{Netuid: uint16(rng.UintN(65536)), Hotkey: addr()}
	case CallPowRegister:
		return &PowRegister{Netuid: 1, Coldkey: addr(), BlockNumber: rng.Uint64(), Nonce: rng.Uint64()}
	case CallServeAxon:
		return &ServeAxon{Netuid: 2, IP: []byte{10, 0, 0, byte(rng.UintN(256))}, Port: uint16(rng.UintN(65535)) + 1, Protocol: 4, Version: rng.Uint32()}
	case CallSetWeights:
		return &SetWeights{Netuid: 3, UIDs: uniq(n), Weights: u16s(n), VersionKey: rng.Uint64()}
	case CallCommitWeights:
		return &CommitWeights{Netuid: 3, Hash: Keccak256(addr().Bytes())}
	case CallRevealWeights:
		return &RevealWeights{Netuid: 3, UIDs: uniq(n), Weights: u16s(n), Salt: []byte("salt"), VersionKey: rng.Uint64()}
	case CallRootRegister:
		return &RootRegister{Hotkey: addr()}
	case CallSetRootWeights:
		return &SetRootWeights{Netuids: uniq(n), Weights: u16s(n)}
	case CallSetHyperparam:
		return &SetHyperparam{Netuid: 1, Name: "kappa", Value: rng.Uint64()}
	case CallPropose:
		return &Propose{ProposalKind: ProposalParamChange, Title: "t", Changes: []ParamChange{{"a.b", "1"}}, Deposit: rng.Uint64()}
	case CallVote:
		return &GovVote{ProposalID: rng.Uint64(), Option: uint8(1 + rng.UintN(4))}
	case CallCancelProposal:
		return &CancelProposal{ProposalID: rng.Uint64()}
	case CallSwapHotkey:
		return &SwapHotkey{Old: addr(), New: addr()}

	case CallScheduleColdkeySwap:
		return &ScheduleColdkeySwap{NewColdkey: addr()}
	case CallCancelColdkeySwap:
		return &CancelColdkeySwap{}
	}
	return nil
}

// TestEveryCallRoundTrips: for every call kind, random values survive
// encode → decode (as a call and inside a signed tx) unchanged, and the tx
// re-encodes to the same bytes.
func TestEveryCallRoundTrips(t *testing.T) {
	seed := uint64(20261125)
	rng := rand.New(rand.NewPCG(seed, 1))
	key, _ := crypto.ToECDSA(bytes.Repeat([]byte{5}, 32))
	for k := range callNames {
		for i := 0; i < 50; i++ {
			c := randomCall(rng, k)
			if c == nil || c.Kind() != k {
				t.Fatalf("no generator for %v", k)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("%v: generated an invalid call: %v", k, err)
			}
			enc, err := EncodeCall(c)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeCall(enc)
			if err != nil {
				t.Fatalf("%v: decode: %v", k, err)
			}
			if !reflect.DeepEqual(normalize(back), normalize(c)) {
				t.Fatalf("seed %d %v: round trip changed the call:\n%#v\n%#v", seed, k, c, back)
			}
			tx, err := SignTx(TxData{ChainID: 7, Nonce: uint64(i), Fee: c.Weight(), Call: c}, key)
			if err != nil {
				t.Fatal(err)
			}
			again, err := DecodeTx(tx.Bytes())
			if err != nil || again.Hash() != tx.Hash() || !bytes.Equal(again.Bytes(), tx.Bytes()) {
				t.Fatalf("%v: tx round trip: %v", k, err)
			}
		}
	}
}

// normalize maps nil and empty slices to one form (RLP does not keep the difference).
func normalize(c Call) Call {
	v := reflect.ValueOf(c).Elem()
	out := reflect.New(v.Type())
	out.Elem().Set(v)
	e := out.Elem()
	for i := 0; i < e.NumField(); i++ {
		f := e.Field(i)
		if f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return out.Interface().(Call)
}

func TestCallValidateRefuses(t *testing.T) {
	cases := []Call{
		&Transfer{Amount: 0},
		&SetTake{Take: PPM + 1},
		&BindConsensusKey{HotkeySig: make([]byte, 64), ConsensusSig: make([]byte, 65)},
		&ServeAxon{IP: []byte{1, 2, 3}, Port: 1},
		&SetWeights{UIDs: []uint16{1, 1}, Weights: []uint16{1, 1}},
		&SetWeights{UIDs: []uint16{1}, Weights: []uint16{1, 2}},
		&RevealWeights{Salt: make([]byte, MaxSaltLen+1)},
		&Propose{ProposalKind: 9, Title: "x"},
		&Propose{ProposalKind: ProposalText, Title: ""},
		&Propose{ProposalKind: ProposalText, Title: "x", UpgradeName: "v2"},
		&GovVote{Option: 5},
		&SwapHotkey{Old: Address{1}, New: Address{1}},
		&SwapHotkey{Old: Address{1}},
	}
	for _, c := range cases {
		if c.Validate() == nil {
			t.Errorf("%#v validated", c)
		}
	}
}
