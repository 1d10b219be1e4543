// Package subnet holds the pure rules of subnets: hyperparameters and their
// bounds, registration cost and difficulty adjustment, proof-of-work checks,
// the network lock cost, pruning choice and the weights rules. It does no
// I/O and reads no state: package chain applies these rules to the state.
// The Yuma consensus epoch itself is in subnet/yuma.
package subnet
