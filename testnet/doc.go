// Package testnet generates and runs local multi-node taod networks: the
// process testnet on 127.0.0.x (every node its own loopback address) and,
// for the chaos suite, a docker-compose testnet of FROM-scratch containers.
//
// Generate writes one home per node (keys, a shared genesis naming every
// validator, a config whose bootstrap list names the other nodes) and a
// testnet.json layout that `taod testnet start|status` read back.
package testnet
