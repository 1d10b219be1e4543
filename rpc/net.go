package rpc

import (
	"strconv"
	"time"
)

// NetAPI is the net_ namespace.
type NetAPI struct{ b Backend }

// Health is a node's liveness summary.
type Health struct {
	Healthy        bool   `json:"healthy"`
	Height         uint64 `json:"height"`
	LastBlockAgeMs int64  `json:"lastBlockAgeMs"`
	Syncing        bool   `json:"syncing"`
	Peers          int    `json:"peers"`
	TxPool         int    `json:"txpool"`
	UptimeSec      int64  `json:"uptimeSec"`
}

// Health reports whether the chain is advancing: healthy while the last
// block is younger than ten block intervals.
func (api *NetAPI) Health() (*Health, error) {
	v, err := api.b.View()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	head := v.Head()
	age := time.Now().UnixMilli() - int64(head.Time)
	limit := int64(10 * v.Params().BlockTimeMs)
	return &Health{
		Healthy:        age <= limit,
		Syncing:        syncing(api.b.SyncStatus(), head.Height),
		Height:         head.Height,
		LastBlockAgeMs: age,
		TxPool:         api.b.PoolSize(),
		Peers:          api.b.Peers(),
		UptimeSec:      int64(time.Since(api.b.Started()).Seconds()),
	}, nil
}

// Version returns the chain ID as a decimal string, as Ethereum's net_version
// does (wallets read it to tell networks apart).
func (api *NetAPI) Version() string { return strconv.FormatUint(api.b.ChainID(), 10) }

// syncing says whether the node is catching up: its sync loop is fetching
// and a peer claims a head above ours.
func syncing(st SyncStatus, head uint64) bool { return st.Syncing && st.Highest > head }
