// Package metagraph is a subnet's view from a validator's or miner's
// seat: its neurons by UID and by hotkey (stake, permit, axon, last epoch's
// rank, trust, consensus, incentive, dividends, emission), and its
// hyperparameters, as of a block.
//
// Sync reads subnet_snapshot (the neurons and hyperparameters from one head
// state, with that block's height, so the view's Block is exact) through a
// Source (*client.Client is one), checks the answer (at most
// 4,096 UIDs, UID i at index i, well-formed numbers) and swaps in a new
// immutable Snapshot atomically: readers (an axon admitting a caller, a
// validator picking targets) never lock and never see half a sync. Run
// polls the head and syncs each new block; RunEpochs syncs only after each
// of the subnet's epoch blocks (scores change only then); Set installs a
// view by hand for tests and simulations.
package metagraph
