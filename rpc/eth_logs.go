package rpc

// eth_getLogs and receipts' logs: TAO transfers shown as ERC-20 Transfer
// logs, so wallets and indexers that watch logs see TAO arrive. The log's
// address is EIP-7528's address for a chain's native asset; topics are the
// Transfer signature and the sender and recipient, left-padded; data is the
// amount in wei (rao × 10^9, as eth_getBalance counts). Only transfers make
// logs: the other events are taod's own (tao_getEvents).

import (
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/types"
)

// Ethereum-style limits of eth_getLogs (those of the common providers).
const (
	MaxLogsRange   = 10_000
	MaxLogsResults = 10_000
	maxLogTopics   = 4  // positions, as Ethereum
	maxTopicOr     = 16 // alternatives per position, and addresses per filter
)

var (
	// NativeTokenAddress is the log address of TAO transfers (EIP-7528).
	NativeTokenAddress = common.HexToAddress("0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE")
	// TransferTopic is keccak256("Transfer(address,address,uint256)").
	TransferTopic = crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))
)

// LogFilter is eth_getLogs' filter: a block range or a block hash, and
// addresses and topics as Ethereum matches them (a position is null for
// any, one hash, or a list of alternatives).
type LogFilter struct {
	FromBlock *gethrpc.BlockNumber `json:"fromBlock"`
	ToBlock   *gethrpc.BlockNumber `json:"toBlock"`
	BlockHash *types.Hash          `json:"blockHash"`
	Address   oneOrMany            `json:"address"`
	Topics    []oneOrMany          `json:"topics"`
}

// oneOrMany is a JSON value that may be null, one string or a list of them.
type oneOrMany []string

func (o *oneOrMany) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*o = oneOrMany{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want null, a hex string or a list of them")
	}
	if len(many) > maxTopicOr {
		return fmt.Errorf("%d alternatives: at most %d", len(many), maxTopicOr)
	}
	*o = many
	return nil
}

type logMatcher struct {
	addrs  []common.Address
	topics [][]common.Hash
}

func newLogMatcher(f *LogFilter) (*logMatcher, error) {
	m := &logMatcher{}
	for _, s := range f.Address {
		var a common.Address
		if err := a.UnmarshalText([]byte(s)); err != nil {
			return nil, invalidParams("address %.50q: %v", s, err)
		}
		m.addrs = append(m.addrs, a)
	}
	if len(f.Topics) > maxLogTopics {
		return nil, invalidParams("%d topic positions: at most %d", len(f.Topics), maxLogTopics)
	}
	for i, pos := range f.Topics {
		var alts []common.Hash
		for _, s := range pos {
			var h common.Hash
			if err := h.UnmarshalText([]byte(s)); err != nil {
				return nil, invalidParams("topic %d %.70q: %v", i, s, err)
			}
			alts = append(alts, h)
		}
		m.topics = append(m.topics, alts)
	}
	return m, nil
}

func (m *logMatcher) match(l *ethtypes.Log) bool {
	if len(m.addrs) > 0 && !contains(m.addrs, l.Address) {
		return false
	}
	for i, alts := range m.topics {
		if len(alts) == 0 {
			continue
		}
		if i >= len(l.Topics) || !contains(alts, l.Topics[i]) {
			return false
		}
	}
	return true
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// blockLogs are the Transfer logs of a block's receipts, numbered through
// the block as Ethereum numbers logIndex.
func blockLogs(bh types.Hash, height uint64, rs []types.Receipt, f func(ri int, l *ethtypes.Log) bool) {
	var idx uint
	for ri := range rs {
		if rs[ri].IsBlockReceipt() {
			continue
		}
		for _, e := range rs[ri].Events {
			if e.Kind != types.EvTransfer {
				continue
			}
			l := &ethtypes.Log{
				Address:     NativeTokenAddress,
				Topics:      []common.Hash{TransferTopic, common.BytesToHash(e.Addr[:]), common.BytesToHash(e.Peer[:])},
				Data:        common.LeftPadBytes(types.RaoToWei(e.Amount).Bytes(), 32),
				BlockNumber: height, TxHash: rs[ri].TxHash, TxIndex: uint(ri), BlockHash: bh, Index: idx,
			}
			idx++
			if !f(ri, l) {
				return
			}
		}
	}
}

// GetLogs returns the Transfer logs of TAO in a block range (at most 10,000
// blocks; "latest" by default) or one block by hash, matching the filter's
// addresses and topics; more than 10,000 results is an error, as with the
// common Ethereum providers.
func (api *EthAPI) GetLogs(f LogFilter) ([]*ethtypes.Log, error) {
	m, err := newLogMatcher(&f)
	if err != nil {
		return nil, err
	}
	head := api.b.Head().Height
	height := func(bn *gethrpc.BlockNumber) uint64 {
		switch {
		case bn != nil && *bn == gethrpc.EarliestBlockNumber:
			return 0
		case bn == nil || *bn < 0:
			return head // latest, pending, safe, finalized
		}
		return uint64(*bn)
	}
	var from, to uint64
	if f.BlockHash != nil {
		if f.FromBlock != nil || f.ToBlock != nil {
			return nil, invalidParams("blockHash and fromBlock/toBlock are exclusive")
		}
		b, err := api.b.BlockByHash(*f.BlockHash)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, &Error{CodeNotFound, "unknown block"}
		}
		from, to = b.Height(), b.Height()
	} else {
		from, to = height(f.FromBlock), height(f.ToBlock)
	}
	switch {
	case from > to:
		return nil, invalidParams("invalid block range params: fromBlock %d is after toBlock %d", from, to)
	case to-from >= MaxLogsRange:
		return nil, &Error{CodeLimit, fmt.Sprintf("block range too large: %d blocks, at most %d", to-from+1, MaxLogsRange)}
	}
	logs := []*ethtypes.Log{}
	for h := from; h <= min(to, head); h++ {
		bh, ok := api.b.BlockHash(h)
		if !ok {
			break
		}
		rs, err := api.b.Receipts(bh)
		if err != nil {
			continue // genesis has no receipts
		}
		var over bool
		first := len(logs)
		blockLogs(bh, h, rs, func(_ int, l *ethtypes.Log) bool {
			if !m.match(l) {
				return true
			}
			if len(logs) == MaxLogsResults {
				over = true
				return false
			}
			logs = append(logs, l)
			return true
		})
		if over {
			return nil, &Error{CodeLimit, fmt.Sprintf("query returned more than %d results", MaxLogsResults)}
		}
		if len(logs) > first { // the block's time, read only for blocks with logs
			b, err := api.b.BlockByHeight(h)
			if err != nil || b == nil {
				return nil, fmt.Errorf("block %d: %v", h, err)
			}
			for _, l := range logs[first:] {
				l.BlockTimestamp = b.Header.Time / 1000
			}
		}
		if h == ^uint64(0) {
			break
		}
	}
	return logs, nil
}

func addToBloom(b *ethtypes.Bloom, l *ethtypes.Log) {
	b.Add(l.Address[:])
	for _, t := range l.Topics {
		b.Add(t[:])
	}
}

// receiptLogs are receipt ri's Transfer logs, with their block-wide
// indexes, and their bloom.
func receiptLogs(bh types.Hash, height uint64, rs []types.Receipt, ri int) ([]*ethtypes.Log, ethtypes.Bloom) {
	logs := []*ethtypes.Log{}
	var bloom ethtypes.Bloom
	blockLogs(bh, height, rs, func(i int, l *ethtypes.Log) bool {
		if i == ri {
			logs = append(logs, l)
			addToBloom(&bloom, l)
		}
		return i <= ri
	})
	return logs, bloom
}
