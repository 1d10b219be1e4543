package p2p

import (
	"fmt"
	"math"
	"net/netip"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
)

// newResourceManager applies cfg's hard limits on top of libp2p's scaled
// defaults.
func newResourceManager(cfg *Config, shared []netip.Prefix) (network.ResourceManager, error) {
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	streams := rcmgr.LimitVal(cfg.MaxStreamsPerPeer)
	limits := rcmgr.PartialLimitConfig{
		System: rcmgr.ResourceLimits{
			Conns:         rcmgr.LimitVal(cfg.MaxConns),
			ConnsInbound:  rcmgr.LimitVal(cfg.MaxConns),
			ConnsOutbound: rcmgr.LimitVal(cfg.MaxConns),
			Memory:        rcmgr.LimitVal64(cfg.MaxMemory),
		},
		PeerDefault: rcmgr.ResourceLimits{Streams: streams, StreamsInbound: streams, StreamsOutbound: streams},
	}
	// Per IP: MaxConnsPerIP from one IPv4 address or IPv6 /56 (libp2p's
	// default is 8), except in SharedIPs, which replace libp2p's own
	// exception (loopback unlimited).
	perIP := []rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: cfg.MaxConnsPerIP}}
	perIP6 := []rcmgr.ConnLimitPerSubnet{{PrefixLength: 56, ConnCount: cfg.MaxConnsPerIP}, {PrefixLength: 48, ConnCount: 8 * cfg.MaxConnsPerIP}}
	unlimited4, unlimited6 := []rcmgr.NetworkPrefixLimit{}, []rcmgr.NetworkPrefixLimit{}
	for _, p := range shared {
		l := rcmgr.NetworkPrefixLimit{Network: p, ConnCount: math.MaxInt}
		if p.Addr().Is4() {
			unlimited4 = append(unlimited4, l)
		} else {
			unlimited6 = append(unlimited6, l)
		}
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.Build(scaling.Scale(cfg.MaxMemory, 4*cfg.MaxConns+256))),
		rcmgr.WithMetricsDisabled(), rcmgr.WithLimitPerSubnet(perIP, perIP6), rcmgr.WithNetworkPrefixLimit(unlimited4, unlimited6))
	if err != nil {
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	return rm, nil
}
