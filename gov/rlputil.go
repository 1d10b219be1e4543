package gov

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// encodeRLP encodes a value this package defines; such values always encode.
func encodeRLP(v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		panic(fmt.Sprintf("gov: encode %T: %v", v, err))
	}
	return b
}

// decodeRLP decodes a record this package wrote; failure is corruption.
func decodeRLP(b []byte, v any) {
	if err := rlp.DecodeBytes(b, v); err != nil {
		panic(fmt.Sprintf("gov: corrupt %T record: %v", v, err))
	}
}
