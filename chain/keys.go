package chain

// The chain's own state key (the modules document theirs in
// staking/keys.go, subnet/keys.go and gov/keys.go; state/ holds the
// accounts, issuance and pool):
//
//	gparams   the protocol parameters in force, as JSON (genesis.go)
//
// Every key of every module is under the one state root. Prefixes must not
// collide: a test (chain/layout_test.go) holds the modules' layouts.
