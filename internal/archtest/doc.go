// Package archtest holds the import rules that keep taod's layers pointing
// one way, and the check that enforces them (TestImportDirection runs it over
// the whole module; docs/architecture.md draws the map it guards).
//
// Load reads every package of the module with go/build (non-test files,
// with and without the chaos build tag), so the graph is the one the
// compiler sees. A Rule names a package and the module packages it must not
// reach, directly or through others; NoIO additionally bars a pure package
// from importing I/O packages of the standard library itself. Libraries
// outside the module (go-ethereum's rlp and crypto, holiman/uint256) are
// trusted to be pure where the rules need it: the check follows edges only
// inside the module.
//
//	g, err := archtest.Load("../..")
//	for _, v := range archtest.Check(g, archtest.Rules()) { t.Error(v) }
//
// ScanDecls (decls.go) parses the same files for their top-level
// declarations, for the rules imports cannot show: one home for the
// validator set, the commit rule and the signature cache (TestOneHome), no
// package-level variable holding state (TestNoGlobalState). The tests also
// hold every package to a doc.go of its own (TestEveryPackageHasDocGo) and
// keep test helpers out of non-test code (TestTestHelpersStayInTests).
package archtest
