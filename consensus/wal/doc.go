// Package wal is an append-only write-ahead log of opaque records, synced on
// every append. The consensus driver writes its own signed votes and
// proposals to it before sending them, so that a restarted validator never
// signs two different messages at one height, round and step.
//
// # Format
//
// The file is a sequence of frames:
//
//	offset 0   uint32 LE  length of the payload (1 … MaxRecordSize)
//	offset 4   uint32 LE  CRC-32C of the payload
//	offset 8   uint32 LE  CRC-32C of bytes 0–8 (the header's own check)
//	offset 12  payload
//
// The header carries its own checksum so that a damaged length is recognised
// as such instead of sending the reader off into the rest of the file.
//
// # Recovery
//
// Open replays every frame. A frame that does not check out is either
//
//   - the torn tail of the last append, cut short by a crash before its fsync
//     returned: no valid frame follows it. Open truncates it away and returns
//     a *TornTailError (ErrTornTail) as Replay.Warning; the record was never
//     acknowledged, so the driver never acted on it; or
//   - damage before the end of the log: a valid frame follows it. Records
//     that were synced have been lost, and with them the knowledge of what
//     this key signed, so Open fails with a *CorruptError (ErrCorrupt) and
//     the node must stop.
//
// After a failed append or fsync the file's tail is unknown; the WAL refuses
// further appends, and the node must restart, which reopens and repairs it.
//
// # Files and usage
//
// wal.go holds the log (Open, Append, Compact, Close); fs.go the small FS
// interface it writes through: OS() in production, MemFS in tests and the
// simulator (unsynced bytes are lost at Crash; hooks fail or shorten a write
// and fail an fsync, so torn records and disk errors are tested).
//
//	w, rep, err := wal.Open(wal.OS(), path)   // replays and repairs
//	if err != nil { return err }              // *CorruptError: stop the node
//	restore(rep.Records)                      // rep.Warning: a torn tail was cut
//	err = w.Append(rec1, rec2)                // one fsync for both
//	err = w.Compact(func(r []byte) bool { return stillNeeded(r) })
package wal
