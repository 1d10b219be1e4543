// Package neuron is the subnet SDK's shared core: the Neuron a metagraph
// holds, the request-signing format every axon and dendrite speaks, and the
// refusal codes an axon answers with. The parts live in subpackages:
//
//   - metagraph: the subnet's view (neurons by UID and hotkey, stakes,
//     permits, axons, last epoch's scores), synced from a node each block or
//     tempo through package client;
//   - axon: a miner's server (net/http) that admits signed requests from
//     registered callers, orders them by stake when busy and signs its
//     answers;
//   - dendrite: a validator's client that queries many axons at once and
//     verifies each answer against the axon's hotkey;
//   - weights: scores → u16 weights the chain accepts, and setting them
//     (directly or by commit-reveal) while waiting out rate limits.
//
// # Request signing
//
// A request is POST /taod/v1/<kind> with a JSON body and six headers
// (Taod-Chain-Id, Taod-Netuid, Taod-Nonce, Taod-Caller, Taod-Axon,
// Taod-Signature). The caller's hotkey signs RequestHeader.Hash, a
// domain-separated keccak256 over (chain ID, netuid, nonce, caller, axon
// hotkey, kind, keccak256(body)); the axon's hotkey signs ResponseHash over
// (request hash, HTTP status, keccak256(response body)), so a validator can
// prove who answered what. The exact bytes, with a test vector, are in
// docs/subnets.md ("Request signing").
//
// # Usage sketch
//
// A miner:
//
//	c, _ := client.Dial(ctx, "ws://127.0.0.1:9944")
//	mg := metagraph.New(netuid)
//	_ = mg.Sync(ctx, c)
//	go mg.Run(ctx, c, time.Second, nil)                  // keep the view fresh
//	ax, _ := axon.New(axon.Config{Key: hotkey, ChainID: chainID, Netuid: netuid, Metagraph: mg})
//	_ = axon.Handle(ax, "predict", func(ctx context.Context, caller neuron.Neuron, req Req) (Resp, error) {
//		return answer(req), nil                            // caller is verified and registered
//	})
//	ln, _ := net.Listen("tcp", ":8091")
//	_ = ax.Announce(ctx, announcer, publicIP, 8091, 1)   // ServeAxon, skipped if unchanged
//	_ = ax.Serve(ctx, ln, 0)
//
// A validator:
//
//	d, _ := dendrite.New(dendrite.Config{Key: hotkey, ChainID: chainID, Netuid: netuid, Timeout: 2 * time.Second})
//	score := make([]uint64, len(mg.Neurons()))          // by UID, any scale
//	for _, r := range dendrite.Query[Req, Resp](ctx, d, mg.Neurons(), "predict", req) {
//		if r.Status == dendrite.StatusOK { score[r.UID] = grade(r.Response, r.Latency) }
//	}
//	uids, w, _ := weights.FromScores(mg.Hyperparams(), myUID, score)
//	setter := weights.NewSetter(c, signer, mg)
//	_, err := setter.Set(ctx, uids, w)                   // direct or commit-reveal; waits out rate limits
package neuron
