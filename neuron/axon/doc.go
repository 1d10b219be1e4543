// Package axon is a miner's server: an http.Handler answering typed JSON
// requests (one Handler per request kind, registered with Handle) from
// registered neurons of one subnet.
//
// # Admission, cheapest check first
//
//  1. POST /taod/v1/<kind> with a registered kind, else unknown_kind.
//  2. Headers parse (bounded by Config.MaxHeaderBytes in Serve), else bad_request.
//  3. Chain ID and netuid are the axon's (wrong_chain); the axon hotkey is ours (wrong_axon).
//  4. The caller is in the metagraph (not_registered), holds a permit if
//     RequirePermit (no_permit), has at least MinStake (low_stake).
//  5. The nonce is within ±ClockWindow of the axon's clock (stale_nonce) and
//     not already seen (replayed_nonce).
//  6. Content-Length is within MaxBodyBytes (body_too_large); the remote
//     address (IPv6: its /64) is within RatePerHost (rate_limited), so one
//     host forging requests costs at most that many signature recoveries;
//     at most MaxInflight requests get further (busy); the body read is
//     bounded by MaxBodyBytes.
//  7. The signature recovers to the caller (bad_signature).
//  8. The caller's nonce is recorded and its token bucket charged
//     (rate_limited); both only after the signature is verified, so a
//     forger cannot use up someone else's nonces or rate.
//  9. A handler slot: MaxConcurrent run at once; up to QueueLen wait, best
//     stake first; a full queue sheds its lowest-stake waiter for a caller
//     with more stake (shed), else refuses the newcomer (busy).
//
// Refusals before step 7 passes are unsigned (a forger must not be able to
// make the axon sign); every answer after it, including handler errors, is
// signed by the axon's hotkey over neuron.ResponseHash.
//
// # Bounds
//
// Every piece of state is bounded: per-address buckets (MaxHosts, the
// address seen longest ago evicted), per-caller state (MaxCallers entries;
// the one with the oldest nonce is evicted and its nonce becomes a floor,
// so eviction never reopens a replay), the nonce window (ReorderWindow
// nonces per caller), the queue (QueueLen), requests past the header checks
// (MaxInflight, each holding at most MaxBodyBytes), connections (Serve's
// maxConns) and handler time (HandlerTimeout).
package axon
