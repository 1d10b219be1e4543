// Package statekey builds the flat state keys the protocol modules
// (staking, subnet, gov) lay out, and keeps the u64 values they store under
// them. Each module documents its own layout in its keys.go; this package
// only spells the bytes, the same way for all of them: a one-byte prefix,
// then fixed-width big-endian parts, so that a prefix scan walks records in
// numeric order.
//
// Invariants: a record prefix belongs to one module (each module's keys.go
// lists its own; 'g' holds named singletons such as "gparams" and
// "ghandover", distinct by their whole name), chain/layout_test.go holds
// the layouts apart; and a u64 of zero is never stored (SetU64 deletes the
// key), so "absent" and "zero" are one state and one state root.
//
//	k := statekey.Key('k', hotkey[:], coldkey[:])   // staking's stake record
//	v := statekey.GetU64(st, k)
//	statekey.SetU64(st, k, v+amount)
//
// Record reads an RLP record back (absent: false); a record that does not
// decode is corruption and panics, the same way in every module:
//
//	h, ok := statekey.Record[HotkeyInfo](st, key(pHotkey, hk[:]), "hotkey")
package statekey
