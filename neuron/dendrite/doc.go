// Package dendrite is a validator's client: Query sends one typed request
// to many axons concurrently (at most Config.MaxConcurrent in flight, each
// bounded by Config.Timeout and Config.MaxResponseBytes) and returns one
// Result per target: status, the axon's refusal code, latency, the decoded
// response, and a Proof (signed request header, status, body and the
// axon's signature) that anyone can check against the axon's hotkey.
//
// A response counts (StatusOK) only if it is HTTP 200 and signed by the
// hotkey the metagraph lists for that UID. Nonces are the dendrite's clock
// in nanoseconds, bumped by one when the clock has not moved, so they
// strictly increase per dendrite; axons accept them slightly out of order
// (axon.ReorderWindow) since concurrent calls may overtake each other.
package dendrite
