package statekey

import "encoding/binary"

// Key is prefix followed by parts.
func Key(prefix byte, parts ...[]byte) []byte {
	n := 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 1, n)
	k[0] = prefix
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// U64 is v big-endian in 8 bytes.
func U64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// U16 is v big-endian in 2 bytes.
func U16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// Marker is the value of a key whose presence is the record.
func Marker() []byte { return []byte{1} }

// Getter reads a key (*state.State satisfies it).
type Getter interface{ Get(k []byte) []byte }

// Setter writes a key; a nil value deletes it (*state.State satisfies it).
type Setter interface{ Set(k, v []byte) }

// GetU64 reads a u64 stored by SetU64; absent (or not 8 bytes) is 0.
func GetU64(st Getter, k []byte) uint64 {
	if v := st.Get(k); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// SetU64 stores v under k, or deletes k when v is 0 (a zero is never
// stored, so "absent" and "zero" are one state).
func SetU64(st Setter, k []byte, v uint64) {
	if v == 0 {
		st.Set(k, nil)
		return
	}
	st.Set(k, U64(v))
}
