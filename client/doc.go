// Package client is the Go library for talking to a taod node: typed calls
// for every JSON-RPC namespace (tao_, subnet_, stake_, gov_, net_), building,
// signing and sending every call kind, and waiting for inclusion. The
// `taod` CLI and the neuron SDK use it; it is the one code path from a key
// to a receipt.
//
// # Usage
//
//	c, err := client.Dial(ctx, "ws://127.0.0.1:9944") // or http://
//	defer c.Close()
//	s, err := client.SignerFromKeystore("alice.json", password) // or client.NewSigner(key)
//	bal, err := c.Balance(ctx, s.Address())
//
//	// Send pools the tx and returns its hash; SendAndWait also waits for
//	// the receipt. Fee and nonce are computed; several Sends in a row need
//	// no waiting.
//	r, err := c.SendAndWait(ctx, s, client.Transfer(to, 1_500_000_000))
//
//	// Weights from a hotkey: fee-free when the chain says so.
//	_, err = c.SendAndWait(ctx, hot, client.SetWeights(1, uids, weights, 0))
//	var np *client.NoPermitError
//	if errors.As(err, &np) { /* retry after block np.NextEpoch */ }
//
// # Data flow
//
// Send: call.Validate → fee decision (FeeFree: zero for a call the chain
// runs free for this sender; the rule's error for a sender that can never
// run it; else the minimum by chain.MinFeeFor for the signed length, under
// gov_params cached per Client) → nonce from the per-signer tracker
// (pending nonce once, then local increments; a refusal forgets it; a
// nonce or fee refusal resyncs and retries once) → sign →
// tao_sendRawTransaction. Once warm, a Send is one round trip. WaitReceipt:
// receipts polled with backoff over HTTP, checked on each newHeads over WS;
// always bounded by ctx.
//
// Package clienttest starts an in-process test-preset node for tests of
// code built on this package.
//
// # Errors
//
// Sentinels are prefixed "client: " and wrapped with context. The node's
// text is kept verbatim: a refusal is a *RejectedError, a failed call's
// receipt a *FailedError, and both match the chain's own sentinels with
// errors.Is (errors.Is(err, chain.ErrNonceTooLow), staking.ErrRateLimited,
// ...). A weights call from a hotkey without a validator permit is refused
// before sending with a *NoPermitError naming the epoch block when a permit
// can come (errors.Is(err, subnet.ErrNoPermit) holds too).
//
// The types returned by reads are the rpc package's JSON types
// (rpc.ReceiptJSON, rpc.NeuronJSON, ...): one definition of the wire.
package client
