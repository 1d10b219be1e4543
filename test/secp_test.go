package test

import "github.com/ethereum/go-ethereum/crypto"

var secpN = crypto.S256().Params().N
