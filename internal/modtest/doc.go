// Package modtest sets up what the protocol modules' tests (staking, subnet,
// gov) and their benchmarks start from: a fresh store on a temporary
// directory, and a state with funded accounts whose balances the total
// issuance counts (so that recycling and conservation checks have something
// to take from). It is a test helper, as net/http/httptest is: only _test.go
// files import it.
//
//	st := modtest.State(t, 100*types.RaoPerTAO, addr(1), addr(2), addr(3))
//	x := &staking.Block{State: st, Height: 5, Params: staking.TestParams()}
//
// CheckBounds holds a module's Params.Validate to its bounds, one edge and
// one step past each:
//
//	modtest.CheckBounds(t, gov.DefaultParams, gov.Params.Validate, []modtest.Bound[gov.Params]{
//		{Key: "voting_period", Edge: func(p *gov.Params) { p.VotingPeriod = 1 }, Past: func(p *gov.Params) { p.VotingPeriod = 0 }},
//	})
package modtest
