// Package query implements rpc.Query, the chain's read-only query surface,
// over chain and state. It is a thin adapter and the only place the API's
// reads touch chain's readers or the store: when a rule moves between
// modules, its call site here is the one to change.
//
// Data flows one way: rpc asks (Blocks and Archive for what never changes
// once committed; View for the head state), this package reads the store or
// calls the module's reader on a state.View, and hands back the modules' own
// records, which rpc renders as JSON.
//
// Consistency: a View wraps a state.View, a Pebble snapshot of one block's
// flat state whose head is read from the snapshot itself, so every read of
// one RPC call sees the same block while the node keeps committing.
// Parameters of a view are decoded once per head (the last head's are
// cached).
package query
