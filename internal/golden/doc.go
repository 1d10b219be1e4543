// Package golden records and replays taod's golden chain: a short devnet
// run, kept in testdata/golden/, that exercises every call kind over
// several epochs. It is the safety net of refactors (a refactor changes no
// byte of it) and the alarm of consensus changes (which regenerate it on
// purpose and say why).
//
// Data flows one way:
//
//	script.go (the scenario) → generate.go (Propose, sign commits, Commit)
//	    → Recording{genesis.json, blocks.rlp, expect.txt} → testdata/golden
//	testdata/golden → Load → Replay (chain.New, Execute, Commit on a fresh
//	    store) → expectation lines compared with expect.txt → CheckCoverage
//
// Replay depends only on the API that survives the restructure of issue
// 13: the genesis JSON, chain.New, Chain.Execute, Chain.Commit and the
// types decoders. The generator also reads chain state (validator sets,
// PoW difficulty, stakes, jail): those reads live in queries.go alone, so a
// refactor that moves them edits that one file, and
// TestGoldenGeneratorDeterministic proves the output did not move.
//
// Determinism: dev keys from fixed seeds, a fixed genesis time, block times
// at the preset's interval, candidates in script order, and go-ethereum's
// deterministic (RFC 6979) signatures; no clock, no randomness.
//
// Regenerate (a deliberate consensus change only):
//
//	go test ./internal/golden -run TestGoldenChainReplays -update
package golden
