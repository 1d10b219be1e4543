package client_test

import (
	"errors"
	"fmt"
	"github.com/taonet/taod/staking"
	"github.com/taonet/taod/subnet"
	"strings"
	"testing"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/client"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/types"
)

// calls returns calls of every kind and of many lengths.
func feeCalls() []types.Call {
	a := devkeys.Address(3)
	out := []types.Call{
		client.Transfer(a, 1), client.Transfer(a, 1<<62),
		client.AddStake(a, 12345), client.RemoveStake(a, 1), client.SetTake(a, 90_000),
		client.Unjail(a), client.RegisterNetwork(""), client.RegisterNetwork(strings.Repeat("n", types.MaxNameLen)),
		client.BurnedRegister(1, a), &types.PowRegister{Netuid: 3, Coldkey: a, BlockNumber: 1 << 40, Nonce: 1 << 63},
		client.RootRegister(a), client.SetHyperparam(1, "max_uids", 4096), client.Vote(7, types.VoteNo),
		client.CancelProposal(1 << 50), client.CommitWeights(a, 1, []uint16{1}, []uint16{2}, []byte("salt"), 3),
		client.ProposeText("t", strings.Repeat("d", types.MaxDescriptionLen), types.RaoPerTAO),
		client.ProposeUpgrade("u", "", 1, "v2", 1000),
		client.ProposeParams("p", "", 1, types.ParamChange{Key: "staking.unbonding_period", Value: "10"}),
	}
	for _, n := range []int{0, 1, 2, 15, 16, 127, 128, 255, 256, 1000, types.MaxWeightsLen} {
		uids, ws := make([]uint16, n), make([]uint16, n)
		for i := range uids {
			uids[i], ws[i] = uint16(i), uint16(65535-i)
		}
		out = append(out, client.SetWeights(1, uids, ws, uint64(n)), client.RevealWeights(2, uids, ws, []byte("s"), 0), client.SetRootWeights(uids, ws))
	}
	return out
}

// SignTx pays chain.MinFeeFor of the signed tx's own length (exactly, in
// nearly every case) under several fee parameters, for every call kind and
// many lengths; one rao less at that length would be below it; a free call
// pays zero.
func TestSignTxFeeIsChainMinimum(t *testing.T) {
	key := devkeys.Key(0)
	exact, total := 0, 0
	for _, fp := range []struct{ base, byteW uint64 }{{1, 16}, {1, 0}, {7, 16}, {1000, 3}, {1, 1 << 20}} {
		p := chain.DefaultParams()
		p.BaseFeePerWeight, p.ByteWeight = fp.base, fp.byteW
		for i, call := range feeCalls() {
			name := fmt.Sprintf("base%d/byte%d/%d-%v", fp.base, fp.byteW, i, call.Kind())
			tx, err := client.SignTx(&p, 42, uint64(i)<<20, call, false, key)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			min, err := chain.MinFeeFor(p, call, tx.Size())
			if err != nil {
				t.Fatal(err)
			}
			// The chain accepts it; it pays at most a few bytes' length
			// fee over the minimum, and usually exactly the minimum.
			if tx.Fee() < min || tx.Fee()-min > 4*fp.base*fp.byteW || tx.Tip() != 0 {
				t.Fatalf("%s: fee %d tip %d, chain minimum %d for %d bytes", name, tx.Fee(), tx.Tip(), min, tx.Size())
			}
			total++
			if tx.Fee() == min {
				exact++
			}
			if min == 0 {
				continue
			}
			// One rao less at the same length is below the minimum. (Not
			// always at its own length: the signature's encoding varies
			// by a byte or so, and with it the length fee.)
			less, err := types.SignTx(types.TxData{ChainID: 42, Nonce: uint64(i) << 20, Fee: min - 1, Call: call}, key)
			if err != nil {
				t.Fatal(err)
			}
			if m2, _ := chain.MinFeeFor(p, call, less.Size()); less.Size() == tx.Size() && less.Fee() >= m2 {
				t.Fatalf("%s: fee %d would also do (minimum %d)", name, less.Fee(), m2)
			}
			free, err := client.SignTx(&p, 42, 0, call, true, key)
			if err != nil || free.Fee() != 0 {
				t.Fatalf("%s: free fee %d %v", name, free.Fee(), err)
			}
		}
	}
	if exact*100 < total*95 {
		t.Fatalf("exact minimum fee in only %d of %d txs", exact, total)
	}
	t.Logf("exact minimum fee in %d of %d txs", exact, total)
	if _, err := client.SignTx(nil, 1, 0, client.Transfer(devkeys.Address(1), 1), false, key); err == nil {
		t.Fatal("paid SignTx without params accepted")
	}
}

// NextEpochBlock is the first height after head where the chain's epoch
// condition (h + netuid) % tempo == 0 holds (brute force).
func TestNextEpochBlock(t *testing.T) {
	for _, tempo := range []uint64{1, 2, 3, 10, 99, 360} {
		for _, netuid := range []uint16{0, 1, 2, 9, 10, 11, 1000, 65535} {
			for head := uint64(0); head < 3*tempo+5; head++ {
				got := client.NextEpochBlock(head, netuid, tempo)
				want := head + 1
				for (want+uint64(netuid))%tempo != 0 {
					want++
				}
				if got != want {
					t.Fatalf("tempo %d netuid %d head %d: got %d want %d", tempo, netuid, head, got, want)
				}
			}
		}
	}
}

// Node refusals and failed receipts match the chain's sentinels by their
// text, and only those whose text they carry.
func TestErrorsMatchChainRules(t *testing.T) {
	rej := &client.RejectedError{Code: -32010, Msg: "invalid transaction: " + fmt.Errorf("%w: have 3, want 5", chain.ErrNonceTooLow).Error()}
	if !errors.Is(rej, client.ErrRejected) || !errors.Is(rej, chain.ErrNonceTooLow) || errors.Is(rej, chain.ErrNonceTooHigh) || errors.Is(rej, client.ErrFailed) {
		t.Fatalf("rejected error matching wrong: %v", rej)
	}
	failed := &client.FailedError{Block: 9, Rule: fmt.Errorf("%w: weights set at block 3, next from 5", staking.ErrRateLimited).Error()}
	wrapped := fmt.Errorf("set weights: %w", failed)
	if !errors.Is(wrapped, client.ErrFailed) || !errors.Is(wrapped, staking.ErrRateLimited) || errors.Is(wrapped, subnet.ErrNoPermit) || errors.Is(wrapped, client.ErrRejected) {
		t.Fatalf("failed error matching wrong: %v", wrapped)
	}
	// Non-rule errors never match by text, even when it appears.
	if errors.Is(&client.FailedError{Rule: "EOF"}, errors.New("EOF")) {
		t.Fatal("matched a non-chain error by text")
	}
	// The refusal says which part of the permit rule stands in the way.
	for _, c := range []struct {
		e    client.NoPermitError
		want string
	}{
		{client.NoPermitError{Netuid: 1, UID: 4, NextEpoch: 19, Stake: 5 * types.RaoPerTAO, MaxValidators: 8},
			"no validator permit on subnet 1 (uid 4) until the epoch at block 19: "},
		{client.NoPermitError{Netuid: 1, UID: 4, NextEpoch: 19, MaxValidators: 8},
			"no validator permit on subnet 1 (uid 4): the hotkey has no stake, and each epoch (next at block 19) gives permits only to the 8 UIDs with the most stake"},
		{client.NoPermitError{Netuid: 1, UID: 4, NextEpoch: 19, Stake: 1_500_000_000, MaxValidators: 2, Cutoff: 7 * types.RaoPerTAO, Outranked: true},
			"no validator permit on subnet 1 (uid 4): its stake of 1.5 TAO is not among the 2 largest on the subnet (the smallest of them is 7 TAO), and the epoch at block 19"},
	} {
		if !strings.HasPrefix(c.e.Error(), c.want) {
			t.Errorf("permit error text:\n%s\nwant prefix\n%s", c.e.Error(), c.want)
		}
	}
}

// permitCutoff follows the epoch's order: more stake first, equal stake
// favouring the higher UID, zero stake never permitted.
func TestPermitCutoff(t *testing.T) {
	stakes := []uint64{50, 0, 30, 30, 10, 0}
	for _, c := range []struct {
		uid       int
		k         uint64
		cutoff    uint64
		outranked bool
	}{
		{0, 1, 50, false}, // the largest
		{2, 2, 30, true},  // 50 and uid 3's equal 30 rank above uid 2
		{3, 2, 30, false}, // uid 3 beats uid 2 on the tie
		{4, 4, 10, false}, // four holders, k = 4: everyone with stake gets one
		{4, 3, 30, true},
		{2, 8, 0, false}, // fewer holders than slots: no cutoff
		{1, 8, 0, false}, // zero stake: not outranked (no permit for another reason)
	} {
		cutoff, outranked := client.PermitCutoff(stakes, c.uid, c.k)
		if cutoff != c.cutoff || outranked != c.outranked {
			t.Errorf("uid %d, k %d: cutoff %d outranked %v; want %d %v", c.uid, c.k, cutoff, outranked, c.cutoff, c.outranked)
		}
	}
}
