package client_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/client"
	"github.com/taonet/taod/client/clienttest"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

func signer(t *testing.T, k *ecdsa.PrivateKey) *client.Signer {
	t.Helper()
	s, err := client.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fee(t *testing.T, r *rpc.ReceiptJSON) uint64 {
	v, err := strconv.ParseUint(r.FeePaid, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A transfer signed from a keystore file pays the chain's minimum fee for
// its length, and balances move by amount and fee.
func TestTransferFromKeystore(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, false)
	ctx := ctxT(t)
	s, err := client.SignerFromKeystore(filepath.Join(tn.KeysDir(), "dev0.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Address() != devkeys.Address(0) {
		t.Fatalf("keystore signer %s, want dev0 %s", s.Address(), devkeys.Address(0))
	}
	to := crypto.PubkeyToAddress(newKey(t).PublicKey)
	before, err := c.Balance(ctx, s.Address())
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.SendAndWait(ctx, s, client.Transfer(to, 1_500_000_000))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "success" || r.From != s.Address() {
		t.Fatalf("receipt %+v", r)
	}
	tx, err := c.Tx(ctx, r.TxHash)
	if err != nil || tx == nil {
		t.Fatalf("tx %v %v", tx, err)
	}
	p, err := c.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := chain.MinFeeFor(p.Params, client.Transfer(to, 1_500_000_000), len(tx.Raw))
	if err != nil {
		t.Fatal(err)
	}
	got := fee(t, r)
	if got < want || got-want > 4*p.Params.BaseFeePerWeight*p.Params.ByteWeight || tx.Fee != strconv.FormatUint(got, 10) {
		t.Fatalf("fee paid %d (tx says %s), chain minimum %d", got, tx.Fee, want)
	}
	if b, _ := c.Balance(ctx, to); b != 1_500_000_000 {
		t.Fatalf("recipient balance %d", b)
	}
	if after, _ := c.Balance(ctx, s.Address()); after != before-1_500_000_000-got {
		t.Fatalf("sender balance %d, want %d - amount - fee %d", after, before, got)
	}
}

// Several Sends in a row get consecutive nonces without waiting; a tracker
// made stale by another client resyncs on the node's nonce refusal.
func TestNonceTracker(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, false)
	ctx := ctxT(t)
	s := signer(t, devkeys.Key(1))
	to := devkeys.Address(2)
	var hashes []types.Hash
	for i := range 5 {
		h, err := c.Send(ctx, s, client.Transfer(to, uint64(i+1)))
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		hashes = append(hashes, h)
	}
	for i, h := range hashes {
		r, err := c.WaitReceipt(ctx, h)
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		tx, _ := c.Tx(ctx, h)
		if tx.Nonce != uint64(i) {
			t.Fatalf("tx %d has nonce %d", i, tx.Nonce)
		}
		_ = r
	}
	// Another client sends two txs of the same signer and they commit: this
	// client's tracker (at nonce 5) is now behind the chain (7).
	other := tn.Dial(t, false)
	for range 2 {
		if _, err := other.SendAndWait(ctx, s, client.Transfer(to, 1)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := c.SendAndWait(ctx, s, client.Transfer(to, 1))
	if err != nil {
		t.Fatalf("stale tracker did not resync: %v", err)
	}
	if tx, _ := c.Tx(ctx, r.TxHash); tx.Nonce != 7 {
		t.Fatalf("resynced tx nonce %d, want 7", tx.Nonce)
	}
	if n, _ := c.Nonce(ctx, s.Address()); n != 8 {
		t.Fatalf("chain nonce %d, want 8", n)
	}
}

// Subnet call kinds over WebSocket: create a subnet, register a hotkey by
// burn and another by proof of work, serve an axon and set weights
// fee-free from hotkeys holding no TAO, stake, and then the permit rule:
// once stake exists, a hotkey without a permit is refused before sending,
// and paying a fee does not help (the chain fails the call).
func TestSubnetCallsAndPermitRule(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, true)
	ctx := ctxT(t)
	owner, cold := signer(t, devkeys.Key(0)), signer(t, devkeys.Key(1))
	hk1, hk2 := signer(t, newKey(t)), signer(t, newKey(t))

	mustOK := func(r *rpc.ReceiptJSON, err error) *rpc.ReceiptJSON {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != "success" {
			t.Fatalf("%+v", r)
		}
		return r
	}
	mustOK(mustSend(ctx, c, owner, client.RegisterNetwork("client-test")))
	const netuid = 1
	mustOK(mustSend(ctx, c, cold, client.BurnedRegister(netuid, hk1.Address())))
	pow, err := c.MinePowRegister(ctx, netuid, hk2.Address(), cold.Address(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := mustOK(mustSend(ctx, c, hk2, pow))
	if fee(t, r) != 0 {
		t.Fatalf("PoW registration paid %s", r.FeePaid)
	}
	r = mustOK(mustSend(ctx, c, hk1, client.ServeAxon(netuid, net.ParseIP("127.0.0.1"), 8091, 0, 1)))
	if fee(t, r) != 0 {
		t.Fatalf("ServeAxon paid %s", r.FeePaid)
	}
	// Bootstrapping subnet (no stake): any neuron sets weights for free.
	r = mustOK(mustSend(ctx, c, hk2, client.SetWeights(netuid, []uint16{0, 1}, []uint16{1, 1}, 0)))
	if fee(t, r) != 0 {
		t.Fatalf("bootstrap SetWeights paid %s", r.FeePaid)
	}
	mg, err := c.Metagraph(ctx, netuid)
	if err != nil || len(mg) != 2 || mg[0].Hotkey != hk1.Address() || mg[0].Axon == nil || mg[0].Axon.Port != 8091 {
		t.Fatalf("metagraph %+v %v", mg, err)
	}
	mustOK(mustSend(ctx, c, cold, client.AddStake(hk1.Address(), 10*types.RaoPerTAO)))
	if st, err := c.Stake(ctx, cold.Address(), hk1.Address()); err != nil || st < 10*types.RaoPerTAO { // emission may add to it
		t.Fatalf("stake %d %v", st, err)
	}
	// hk3 registers once stake exists: it holds no stake and sets no
	// weights, so no epoch gives it a permit (hk2, which set weights while
	// the subnet bootstrapped, may have earned dividends, stake, a permit).
	hk3 := signer(t, newKey(t))
	pow, err = c.MinePowRegister(ctx, netuid, hk3.Address(), cold.Address(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(mustSend(ctx, c, hk3, pow))
	info, err := c.Subnet(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}

	head, err := c.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Send(ctx, hk3, client.SetWeights(netuid, []uint16{0}, []uint16{1}, 0))
	var np *client.NoPermitError
	if !errors.As(err, &np) || !errors.Is(err, subnet.ErrNoPermit) || !errors.Is(err, client.ErrNoPermit) {
		t.Fatalf("want a permit refusal, got %v", err)
	}
	if np.Netuid != netuid || np.UID != 2 || np.NextEpoch <= head || (np.NextEpoch+netuid)%info.Tempo != 0 {
		t.Fatalf("refusal %+v at head %d", np, head)
	}
	// hk3 holds no stake: waiting for the epoch would not help, and the
	// refusal says so.
	if np.Stake != 0 || np.MaxValidators == 0 || !strings.Contains(err.Error(), "the hotkey has no stake") {
		t.Fatalf("refusal %+v: %v", np, err)
	}
	// The chain agrees: paying the fee only buys a failed receipt.
	mustOK(mustSend(ctx, c, owner, client.Transfer(hk3.Address(), types.RaoPerTAO)))
	_, err = mustSend(ctx, c, hk3, client.SetWeights(netuid, []uint16{0}, []uint16{1}, 0), client.WithFee(1_000_000))
	var fe *client.FailedError
	if !errors.As(err, &fe) || !errors.Is(err, subnet.ErrNoPermit) {
		t.Fatalf("paid SetWeights without a permit: %v", err)
	}
	// Forced fee-free, the node refuses it for its fee alone (why the
	// client checks the permit itself before sending).
	_, err = c.Send(ctx, hk3, client.SetWeights(netuid, []uint16{0}, []uint16{1}, 0), client.WithFee(0))
	if !errors.Is(err, client.ErrRejected) || !errors.Is(err, chain.ErrFeeTooLow) {
		t.Fatalf("fee-free SetWeights without a permit: %v", err)
	}
	// An unregistered hotkey is told to register.
	_, err = c.Send(ctx, signer(t, newKey(t)), client.SetWeights(netuid, []uint16{0}, []uint16{1}, 0))
	if !errors.Is(err, client.ErrNotNeuron) {
		t.Fatalf("unregistered SetWeights: %v", err)
	}
}

func mustSend(ctx context.Context, c *client.Client, s *client.Signer, call types.Call, opts ...client.SendOption) (*rpc.ReceiptJSON, error) {
	return c.SendAndWait(ctx, s, call, opts...)
}

// WaitReceipt is bounded by ctx for a tx that never arrives, over HTTP
// polling and over WS heads.
func TestWaitReceiptBoundedByCtx(t *testing.T) {
	tn := clienttest.Start(t)
	for _, ws := range []bool{false, true} {
		c := tn.Dial(t, ws)
		ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
		r, err := c.WaitReceipt(ctx, types.Hash{1})
		cancel()
		if r != nil || !errors.Is(err, client.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ws=%v: %v %v", ws, r, err)
		}
	}
}

// Concurrent Sends of one signer through one client take distinct,
// consecutive nonces and all commit.
func TestConcurrentSendsOneSigner(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, false)
	ctx := ctxT(t)
	s := signer(t, devkeys.Key(2))
	const workers, each = 4, 3
	hashes := make(chan types.Hash, workers*each)
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				h, err := c.Send(ctx, s, client.Transfer(devkeys.Address(3), uint64(1+w*each+i)))
				if err != nil {
					errs <- err
					return
				}
				hashes <- h
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(hashes)
	seen := map[uint64]bool{}
	for h := range hashes {
		if _, err := c.WaitReceipt(ctx, h); err != nil {
			t.Fatal(err)
		}
		tx, err := c.Tx(ctx, h)
		if err != nil || seen[tx.Nonce] {
			t.Fatalf("tx %s: nonce %d seen twice (%v)", h, tx.Nonce, err)
		}
		seen[tx.Nonce] = true
	}
	if n, _ := c.Nonce(ctx, s.Address()); n != workers*each || len(seen) != workers*each {
		t.Fatalf("chain nonce %d, %d distinct nonces; want %d", n, len(seen), workers*each)
	}
}

// Cached fee parameters that governance has since raised make the node
// refuse the fee: Send drops them, reads fresh ones and succeeds.
func TestStaleFeeParamsRefreshed(t *testing.T) {
	tn := clienttest.Start(t)
	c := tn.Dial(t, false)
	ctx := ctxT(t)
	stale := chain.DefaultParams()
	stale.BaseFeePerWeight, stale.ByteWeight = 0, 0 // a fee of zero
	client.SetFeeParams(c, &stale)
	r, err := c.SendAndWait(ctx, signer(t, devkeys.Key(3)), client.Transfer(devkeys.Address(0), 5))
	if err != nil {
		t.Fatal(err)
	}
	if fee(t, r) == 0 {
		t.Fatalf("paid no fee: %+v", r)
	}
}
