package axon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/taonet/taod/client"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Announcer sends a ServeAxon call signed by the axon's hotkey and waits for
// its inclusion (the client library does both).
type Announcer interface {
	Announce(ctx context.Context, call *types.ServeAxon) error
}

// Announce publishes the axon's endpoint on chain with a ServeAxon call,
// unless the metagraph already records exactly this endpoint (ServeAxon is
// rate-limited by serving_rate_limit, so an unchanged restart sends nothing).
func (a *Axon) Announce(ctx context.Context, an Announcer, ip net.IP, port uint16, version uint32) error {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	if me, ok := a.cfg.Metagraph.ByHotkey(a.hotkey); ok {
		cur := me.Axon
		if cur.Port == port && cur.IP.Equal(ip) && cur.Version == version {
			return nil
		}
	}
	call := &types.ServeAxon{Netuid: a.cfg.Netuid, IP: ip, Port: port, Protocol: 4, Version: version}
	if len(ip) == net.IPv6len {
		call.Protocol = 6
	}
	if err := call.Validate(); err != nil {
		return fmt.Errorf("axon: announce: %w", err)
	}
	if err := an.Announce(ctx, call); err != nil {
		return fmt.Errorf("axon: announce %s:%d: %w", ip, port, err)
	}
	return nil
}

// Serve answers requests on ln until ctx ends, then shuts down gracefully.
// Connections are bounded by maxConns (0: 1024) and every read is bounded in
// time and in header bytes.
func (a *Axon) Serve(ctx context.Context, ln net.Listener, maxConns int) error {
	if maxConns <= 0 {
		maxConns = 1024
	}
	a.serving.Store(true)
	srv := &http.Server{
		Handler:           a,
		MaxHeaderBytes:    a.cfg.MaxHeaderBytes,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      a.cfg.HandlerTimeout + 30*time.Second,
		IdleTimeout:       90 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(&limitListener{Listener: ln, sem: make(chan struct{}, maxConns)}) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		<-errc
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// limitListener accepts at most cap(sem) connections at once: Accept waits
// for a connection to close before taking the next.
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Sender is the one client method ClientAnnouncer needs; *client.Client has it.
type Sender interface {
	SendAndWait(ctx context.Context, s *client.Signer, call types.Call, opts ...client.SendOption) (*rpc.ReceiptJSON, error)
}

// ClientAnnouncer announces through the client library, signing with the
// axon's hotkey (ServeAxon is fee-free for registered neurons).
type ClientAnnouncer struct {
	Client Sender
	Signer *client.Signer // the axon's hotkey
}

// Announce sends call and waits for its receipt.
func (c ClientAnnouncer) Announce(ctx context.Context, call *types.ServeAxon) error {
	_, err := c.Client.SendAndWait(ctx, c.Signer, call)
	return err
}
