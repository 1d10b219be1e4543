package subnet

import (
	"github.com/taonet/taod/internal/statekey"
)

// Subnet state keys:
//
//	N<netuid>          SubnetInfo
//	n<netuid><uid>     Neuron
//	x<netuid><hotkey>  uid of a hotkey on a subnet
//	w<netuid><uid>     the neuron's weights (sparse)
//	b<netuid><uid>     the neuron's bonds (sparse)
//	q<netuid><hotkey>  a weights commit awaiting its reveal
//	R<hotkey>          root network member
//	W<hotkey>          a root member's weights over subnets (sparse)
//	gnet               NetworkRegistry
const (
	pSubnet     = 'N'
	pNeuron     = 'n'
	pUIDOf      = 'x'
	pWeights    = 'w'
	pBonds      = 'b'
	pCommit     = 'q'
	pRootMember = 'R'
	pRootWeight = 'W'
)

var keyNetRegistry = []byte("gnet")

func u16b(v uint16) []byte { return statekey.U16(v) }

func key(p byte, parts ...[]byte) []byte { return statekey.Key(p, parts...) }

// addressKeyLen is the length of a key of one prefix byte and an address.
const addressKeyLen = 1 + 20
