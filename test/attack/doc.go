// Package attack is taod's adversarial suite (`make attack`): an honest
// network of in-process validators on real libp2p hosts, and Byzantine peers
// that speak taod's protocols (hello, gossip topics through raw gossipsub so
// that any bytes can be published, block sync as a lying or stalling server
// and as a greedy client). Each TestAttack* runs one attack and asserts that
// honest validators keep committing at ≥ 80% of their no-attack rate, that no
// honest node bans or scores below zero another honest node, and that the
// process's peak RSS stays under 500 MB.
package attack
