package types

import (
	"reflect"
	"unsafe"

	"github.com/ethereum/go-ethereum/rlp"
)

// A decoded transaction holds its encoded bytes (raw) and the decoded call.
// For a call made of long strings (a governance proposal's title,
// description and parameter changes) the decoded strings would copy the
// payload a second time; shareStrings points them into raw instead, and
// MemSize tells the txpool what a tx really holds.

const (
	// shareMinTx: below this many encoded bytes a tx has no string worth
	// sharing, and the walk is skipped.
	shareMinTx = 512
	// shareMinString: shorter strings keep their own copy, so that a short
	// string kept beyond its tx (a subnet's name) does not pin the tx's bytes.
	shareMinString = 64
	// txFixedMem is a native tx's memory beyond raw and its call: the Tx
	// value, r and s, the sender result, and allocator rounding (measured
	// with TestTxMemSizeCoversHeap).
	txFixedMem = 448
	// ethTxMem is what an Ethereum-signed value transfer's go-ethereum
	// transaction holds beyond raw (its inner tx, big.Ints, caches).
	ethTxMem = 640
)

// MemSize estimates the bytes tx keeps alive: its encoding, its decoded
// call and fixed parts. The txpool bounds its memory by it; Size (the
// encoded length) undercounts a decoded tx by up to half.
func (tx *Tx) MemSize() int {
	n := txFixedMem + cap(tx.raw)
	if tx.eth != nil {
		n += ethTxMem
	}
	if tx.data.Call != nil {
		n += deepSize(reflect.ValueOf(tx.data.Call), tx.raw)
	}
	return n
}

// deepSize is the memory v refers to beyond its own inline size: string and
// slice contents and pointed-to values. Strings that lie inside own (a tx's
// raw bytes) cost nothing more.
func deepSize(v reflect.Value, own []byte) int {
	switch v.Kind() {
	case reflect.String:
		if v.Len() == 0 || within(unsafe.StringData(v.String()), own) {
			return 0
		}
		return v.Len()
	case reflect.Slice:
		if v.IsNil() {
			return 0
		}
		et := v.Type().Elem()
		n := v.Cap() * int(et.Size())
		if hasRefs(et.Kind()) {
			for i := range v.Len() {
				n += deepSize(v.Index(i), own)
			}
		}
		return n
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		n := deepSize(e, own)
		if v.Kind() == reflect.Pointer {
			n += int(e.Type().Size())
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			if hasRefs(v.Field(i).Kind()) {
				n += deepSize(v.Field(i), own)
			}
		}
		return n
	case reflect.Array:
		n := 0
		if hasRefs(v.Type().Elem().Kind()) {
			for i := range v.Len() {
				n += deepSize(v.Index(i), own)
			}
		}
		return n
	}
	return 0
}

// hasRefs reports whether a value of kind k may refer to memory beyond its
// inline size (conservatively: structs and arrays are walked).
func hasRefs(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Slice, reflect.Pointer, reflect.Interface, reflect.Struct, reflect.Array, reflect.Map:
		return true
	}
	return false
}

// within reports whether p points into b.
func within(p *byte, b []byte) bool {
	if len(b) == 0 || p == nil {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	at := uintptr(unsafe.Pointer(p))
	return at >= start && at < start+uintptr(len(b))
}

// shareStrings points the long strings of a native tx's decoded call at the
// equal bytes inside tx.raw. raw is never written after decoding (Bytes
// says so), so the strings stay immutable. It walks the encoding beside the
// decoded value; a string is replaced only where the bytes it finds are
// equal to it, so a walk that lost its way changes nothing but memory.
func (tx *Tx) shareStrings() {
	if tx.typ != TxTypeNative || len(tx.raw) < shareMinTx || tx.data.Call == nil {
		return
	}
	// raw: the type byte, then [ChainID, Nonce, Fee, Tip, [Kind, Payload], V, R, S].
	fields, _, err := rlp.SplitList(tx.raw[1:])
	if err != nil {
		return
	}
	for range 4 {
		if _, _, fields, err = rlp.Split(fields); err != nil {
			return
		}
	}
	call, _, err := rlp.SplitList(fields)
	if err != nil {
		return
	}
	if _, _, call, err = rlp.Split(call); err != nil { // Kind
		return
	}
	shareInto(reflect.ValueOf(tx.data.Call), call)
}

// shareInto walks v beside enc, the RLP item that encodes it (as package
// rlp lays out structs, slices and strings).
func shareInto(v reflect.Value, enc []byte) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			shareInto(v.Elem(), enc)
		}
	case reflect.String:
		kind, content, _, err := rlp.Split(enc)
		if err != nil || kind != rlp.String || len(content) < shareMinString || !v.CanSet() || string(content) != v.String() {
			return
		}
		v.SetString(unsafe.String(unsafe.SliceData(content), len(content)))
	case reflect.Struct:
		items, _, err := rlp.SplitList(enc)
		if err != nil {
			return
		}
		t := v.Type()
		for i := 0; i < t.NumField() && len(items) > 0; i++ {
			if f := t.Field(i); !f.IsExported() || f.Tag.Get("rlp") == "-" {
				continue
			}
			_, _, rest, err := rlp.Split(items)
			if err != nil {
				return
			}
			shareInto(v.Field(i), items[:len(items)-len(rest)])
			items = rest
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // []byte: mutable, kept as decoded
			return
		}
		items, _, err := rlp.SplitList(enc)
		if err != nil {
			return
		}
		for i := 0; i < v.Len() && len(items) > 0; i++ {
			_, _, rest, err := rlp.Split(items)
			if err != nil {
				return
			}
			shareInto(v.Index(i), items[:len(items)-len(rest)])
			items = rest
		}
	}
}
