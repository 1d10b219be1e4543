package rpc

// Events: tao_getAccountHistory (the address index, paged), tao_getEvents
// (a filter over a bounded block range, read from receipts) and
// subnet_history (a UID's epochs, for charts). Shapes in doc.go.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/taonet/taod/types"
)

// Limits of the event reads.
const (
	MaxHistoryPage   = 100    // tao_getAccountHistory's limit
	MaxEventsRange   = 10_000 // blocks in one tao_getEvents call
	MaxEventsResults = 1_000  // events in one tao_getEvents answer
	MaxEventKinds    = 32     // kinds in one filter
	MaxHistoryEpochs = 256    // subnet_history's epochs
)

// ErrIndexOff is the answer of an index read on a node that keeps none.
var ErrIndexOff = &Error{CodeServer, "this node keeps no event index: set [index] enabled = true in config.toml (it indexes from the next block)"}

// indexStartsAt is the answer of an index read that reaches before the
// first block the index holds (pruned by [index] keep_blocks, or committed
// before the index was switched on): the entries are gone, not absent.
func indexStartsAt(from uint64, what string) *Error {
	return &Error{CodeNotFound, fmt.Sprintf("%s: this node's event index starts at block %d (older entries were pruned, [index] keep_blocks, or never indexed); tao_getEvents reads receipts and still covers older blocks", what, from)}
}

// EventJSON is one event as the API shows it. Amount is rao as a decimal
// string; netuid is null for kinds that are not about a subnet; txHash is
// null for events of the block receipt (begin- and end-of-block work).
type EventJSON struct {
	Kind         string         `json:"kind"`
	BlockNumber  uint64         `json:"blockNumber"`
	BlockHash    types.Hash     `json:"blockHash"`
	TxHash       *types.Hash    `json:"txHash"`
	ReceiptIndex uint32         `json:"receiptIndex"`
	EventIndex   uint32         `json:"eventIndex"`
	Address      *types.Address `json:"address"`
	Peer         *types.Address `json:"peer"`
	Netuid       *uint64        `json:"netuid"`
	UID          uint64         `json:"uid"`
	Amount       string         `json:"amount"`
	Ref          uint64         `json:"ref"`
	Data         hexutil.Bytes  `json:"data"`
	Cursor       string         `json:"cursor"` // this event's position, "height:receipt:event"
	// Source is set on the node-local records of tao_getAccountHistory
	// only: "incentive" for a miner's incentive of an epoch (kind reward,
	// ref types.RewardIncentive), which no receipt holds.
	Source string `json:"source,omitempty"`
}

// incentiveJSON renders an incentive record of the index like a reward
// event of the block receipt: address the hotkey, peer its owner.
func incentiveJSON(bh types.Hash, r EventRef, in *Incentive) EventJSON {
	netuid := uint64(in.Netuid)
	hot := in.Hotkey
	out := EventJSON{
		Kind: types.EvReward.String(), BlockNumber: r.Height, BlockHash: bh, ReceiptIndex: r.Receipt, EventIndex: r.Event,
		Address: &hot, Netuid: &netuid, UID: uint64(in.UID), Amount: strconv.FormatUint(in.Amount, 10),
		Ref: types.RewardIncentive, Data: hexutil.Bytes{}, Cursor: formatCursor(r), Source: "incentive",
	}
	if in.Owner != (types.Address{}) {
		o := in.Owner
		out.Peer = &o
	}
	return out
}

func eventJSON(bh types.Hash, height uint64, ri, ei int, r *types.Receipt, e *types.Event) EventJSON {
	out := EventJSON{
		Kind: e.Kind.String(), BlockNumber: height, BlockHash: bh, ReceiptIndex: uint32(ri), EventIndex: uint32(ei),
		UID: e.UID, Amount: strconv.FormatUint(e.Amount, 10), Ref: e.Ref, Data: hexutil.Bytes(e.Data),
		Cursor: formatCursor(EventRef{height, uint32(ri), uint32(ei)}),
	}
	if out.Data == nil {
		out.Data = hexutil.Bytes{}
	}
	if !r.IsBlockReceipt() {
		h := r.TxHash
		out.TxHash = &h
	}
	if e.Addr != (types.Address{}) {
		a := e.Addr
		out.Address = &a
	}
	if e.Peer != (types.Address{}) {
		p := e.Peer
		out.Peer = &p
	}
	if e.Kind.HasNetuid() {
		n := e.Netuid
		out.Netuid = &n
	}
	return out
}

func formatCursor(r EventRef) string {
	return fmt.Sprintf("%d:%d:%d", r.Height, r.Receipt, r.Event)
}

func parseCursor(s string) (*EventRef, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ":")
	if len(s) > 64 || len(parts) != 3 {
		return nil, invalidParams("cursor %.64q: want \"height:receipt:event\" as an answer gave it", s)
	}
	h, err1 := strconv.ParseUint(parts[0], 10, 64)
	r, err2 := strconv.ParseUint(parts[1], 10, 32)
	e, err3 := strconv.ParseUint(parts[2], 10, 32)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, invalidParams("cursor %q: want \"height:receipt:event\" as an answer gave it", s)
	}
	return &EventRef{h, uint32(r), uint32(e)}, nil
}

// AccountHistory is a page of an account's events, newest first.
type AccountHistory struct {
	Events      []EventJSON `json:"events"`
	Next        *string     `json:"next"`        // the cursor of the next page; null at the end
	IndexedFrom uint64      `json:"indexedFrom"` // older blocks are not in the index (never indexed, or pruned)
}

// GetAccountHistory lists the events naming addr (as sender, recipient,
// coldkey, hotkey, owner…) and the miner's incentive records the index
// keeps for addr as hotkey or owner (EventJSON with source "incentive"),
// newest first, limit ≤ 100 (default 25) from
// cursor ("" for the newest; else an answer's next). Pages are stable
// while blocks are added: new events sort before the cursor. The history
// ends at indexedFrom; a cursor older than it (its block pruned since the
// page that gave it) is refused with an error naming that block.
func (api *TaoAPI) GetAccountHistory(addr types.Address, cursor *string, limit *int) (*AccountHistory, error) {
	n := 25
	if limit != nil {
		n = *limit
	}
	if n < 1 || n > MaxHistoryPage {
		return nil, invalidParams("limit %d: want 1-%d", n, MaxHistoryPage)
	}
	var from *EventRef
	if cursor != nil {
		var err error
		if from, err = parseCursor(*cursor); err != nil {
			return nil, err
		}
	}
	idxFrom, on := api.b.IndexedFrom()
	if !on {
		return nil, ErrIndexOff
	}
	if from != nil && from.Height < idxFrom {
		return nil, indexStartsAt(idxFrom, "cursor "+formatCursor(*from))
	}
	refs, next, err := api.b.AccountEvents(addr, from, n)
	if err != nil {
		return nil, err
	}
	// The read stopped at the floor it saw, which is no lower than the
	// one read above: report the later one.
	if f, _ := api.b.IndexedFrom(); f > idxFrom {
		idxFrom = f
	}
	out := &AccountHistory{Events: make([]EventJSON, 0, len(refs)), IndexedFrom: idxFrom}
	var (
		cached   []types.Receipt
		cachedAt = ^uint64(0)
		hash     types.Hash
	)
	for _, ent := range refs {
		r := ent.Ref
		if ent.Incentive != nil {
			h, ok := api.b.BlockHash(r.Height)
			if !ok {
				return nil, fmt.Errorf("indexed block %d is missing", r.Height)
			}
			out.Events = append(out.Events, incentiveJSON(h, r, ent.Incentive))
			continue
		}
		if r.Height != cachedAt {
			h, ok := api.b.BlockHash(r.Height)
			if !ok {
				return nil, fmt.Errorf("indexed block %d is missing", r.Height)
			}
			rs, err := api.b.Receipts(h)
			if err != nil {
				return nil, fmt.Errorf("receipts of indexed block %d: %v", r.Height, err)
			}
			cached, cachedAt, hash = rs, r.Height, h
		}
		if int(r.Receipt) >= len(cached) || int(r.Event) >= len(cached[r.Receipt].Events) {
			return nil, fmt.Errorf("index entry %s names no event", formatCursor(r))
		}
		rc := &cached[r.Receipt]
		out.Events = append(out.Events, eventJSON(hash, r.Height, int(r.Receipt), int(r.Event), rc, &rc.Events[r.Event]))
	}
	if next != nil {
		c := formatCursor(*next)
		out.Next = &c
	}
	return out, nil
}

// EventFilter selects events for tao_getEvents. Every field is optional;
// the range defaults to the last block and may span at most 10,000 blocks.
type EventFilter struct {
	Kinds     []string       `json:"kinds"`
	Address   *types.Address `json:"address"` // as Addr or Peer
	Netuid    *uint16        `json:"netuid"`  // only kinds about a subnet match
	FromBlock *BlockNumber   `json:"fromBlock"`
	ToBlock   *BlockNumber   `json:"toBlock"`
	Cursor    string         `json:"cursor"` // resume at an answer's next
}

// UnmarshalJSON refuses fields the filter does not have: a misspelt field
// ("kind", "from") would otherwise be dropped and the call answered
// for a wider filter than the caller meant.
func (f *EventFilter) UnmarshalJSON(b []byte) error {
	type plain EventFilter
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var p plain
	if err := d.Decode(&p); err != nil {
		return fmt.Errorf("event filter: %w (fields: kinds, address, netuid, fromBlock, toBlock, cursor)", err)
	}
	*f = EventFilter(p)
	return nil
}

// EventsPage is tao_getEvents' answer, oldest first.
type EventsPage struct {
	Events []EventJSON `json:"events"`
	Next   *string     `json:"next"` // set when 1,000 events filled the page: pass it back as cursor
}

type eventMatcher struct {
	kinds  map[types.EventKind]bool // nil: any
	addr   *types.Address
	netuid *uint16
}

func (m *eventMatcher) match(e *types.Event) bool {
	switch {
	case m.kinds != nil && !m.kinds[e.Kind]:
		return false
	case m.addr != nil && e.Addr != *m.addr && e.Peer != *m.addr:
		return false
	case m.netuid != nil && (!e.Kind.HasNetuid() || e.Netuid != uint64(*m.netuid)):
		return false
	}
	return true
}

func (api *TaoAPI) matcher(f *EventFilter) (*eventMatcher, error) {
	m := &eventMatcher{addr: f.Address, netuid: f.Netuid}
	if len(f.Kinds) > MaxEventKinds {
		return nil, invalidParams("%d kinds: at most %d", len(f.Kinds), MaxEventKinds)
	}
	if len(f.Kinds) > 0 {
		m.kinds = make(map[types.EventKind]bool, len(f.Kinds))
		for _, s := range f.Kinds {
			k, err := types.ParseEventKind(s)
			if err != nil {
				return nil, invalidParams("kind %.40q is not an event kind", s)
			}
			m.kinds[k] = true
		}
	}
	return m, nil
}

// GetEvents lists the events of blocks fromBlock..toBlock (at most 10,000
// blocks) that match every field of the filter, oldest first, at most 1,000
// per answer (next resumes). It reads receipts, so it needs no index, and
// pruning the index ([index] keep_blocks) takes nothing from it.
func (api *TaoAPI) GetEvents(f EventFilter) (*EventsPage, error) {
	m, err := api.matcher(&f)
	if err != nil {
		return nil, err
	}
	head := api.b.Head().Height
	to := api.resolve(f.ToBlock)
	from := to
	if f.FromBlock != nil {
		from = api.resolve(f.FromBlock)
	}
	switch {
	case from > to:
		return nil, invalidParams("fromBlock %d is after toBlock %d", from, to)
	case to-from >= MaxEventsRange:
		return nil, &Error{CodeLimit, fmt.Sprintf("blocks %d-%d: at most %d blocks per call", from, to, MaxEventsRange)}
	}
	start := EventRef{Height: from}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		if c.Height < from || c.Height > to {
			return nil, invalidParams("cursor %s is outside blocks %d-%d", f.Cursor, from, to)
		}
		start = *c
	}
	to = min(to, head)
	page := &EventsPage{Events: []EventJSON{}}
	for h := start.Height; h <= to && h >= start.Height; h++ {
		bh, ok := api.b.BlockHash(h)
		if !ok {
			break
		}
		rs, err := api.b.Receipts(bh)
		if err != nil {
			if h == 0 {
				continue // genesis has no receipts
			}
			return nil, fmt.Errorf("receipts of block %d: %v", h, err)
		}
		for ri := range rs {
			for ei := range rs[ri].Events {
				ref := EventRef{h, uint32(ri), uint32(ei)}
				if h == start.Height && (ref.Receipt < start.Receipt || ref.Receipt == start.Receipt && ref.Event < start.Event) {
					continue
				}
				e := &rs[ri].Events[ei]
				if !m.match(e) {
					continue
				}
				if len(page.Events) == MaxEventsResults {
					c := formatCursor(ref)
					page.Next = &c
					return page, nil
				}
				page.Events = append(page.Events, eventJSON(bh, h, ri, ei, &rs[ri], e))
			}
		}
	}
	return page, nil
}

// EpochPointJSON is one point of a UID's chart.
type EpochPointJSON struct {
	Block     uint64        `json:"block"`
	Hotkey    types.Address `json:"hotkey"`
	Incentive uint16        `json:"incentive"` // 65535 = 1
	Dividends uint16        `json:"dividends"` // 65535 = 1
	Emission  string        `json:"emission"`  // rao
}

// History is (netuid, uid)'s last epochs (at most 256; default 32), oldest
// first, for a chart. A UID that changed hands shows each epoch's hotkey.
// The epochs kept start at the index's first block: when none is kept and
// the index does not start at genesis, the answer is an error naming that
// block rather than an empty chart.
func (api *SubnetAPI) History(netuid, uid uint16, epochs *int) ([]EpochPointJSON, error) {
	n := 32
	if epochs != nil {
		n = *epochs
	}
	if n < 1 || n > MaxHistoryEpochs {
		return nil, invalidParams("epochs %d: want 1-%d", n, MaxHistoryEpochs)
	}
	if _, on := api.b.IndexedFrom(); !on {
		return nil, ErrIndexOff
	}
	pts, err := api.b.EpochHistory(netuid, uid, n)
	if err != nil {
		return nil, err
	}
	if from, _ := api.b.IndexedFrom(); len(pts) == 0 && from > 0 {
		return nil, indexStartsAt(from, fmt.Sprintf("no epoch of subnet %d UID %d kept", netuid, uid))
	}
	out := make([]EpochPointJSON, len(pts))
	for i, p := range pts {
		out[len(pts)-1-i] = EpochPointJSON{Block: p.Height, Hotkey: p.Hotkey, Incentive: p.Incentive, Dividends: p.Dividends, Emission: strconv.FormatUint(p.Emission, 10)}
	}
	return out, nil
}
