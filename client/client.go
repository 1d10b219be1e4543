package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/rpc"
	"github.com/taonet/taod/types"
)

// Errors of the client itself. A node's refusal or a failed receipt is a
// *RejectedError or a *FailedError; both match the chain's own sentinels
// with errors.Is (chain.ErrNonceTooLow, subnet.ErrNoPermit, ...).
var (
	ErrDial     = errors.New("client: cannot connect to the node")
	ErrRejected = errors.New("client: the node refused the transaction")
	// ErrBusy is a refusal for load, not for the tx: the node's pool holds
	// more than its admission bound. Send the same tx again later (or to
	// another node); a *RejectedError with it also matches ErrRejected.
	ErrBusy        = errors.New("client: the node is busy; retry later")
	ErrFailed      = errors.New("client: the transaction was included but its call failed")
	ErrNoPermit    = errors.New("client: no validator permit")
	ErrNotNeuron   = errors.New("client: hotkey is not registered on the subnet")
	ErrNotRoot     = errors.New("client: hotkey is not a root network member")
	ErrInvalidCall = errors.New("client: invalid call")
	ErrTimeout     = errors.New("client: transaction not included in time")
	ErrBadReply    = errors.New("client: malformed reply from the node")
)

// DefaultCallTimeout bounds one RPC call when the caller's ctx has no
// deadline of its own.
const DefaultCallTimeout = 15 * time.Second

// Client is a connection to one node's JSON-RPC (HTTP or WebSocket) with a
// nonce tracker per signer. It is safe for concurrent use.
type Client struct {
	rpc *gethrpc.Client
	url string
	ws  bool

	mu struct {
		sync.Mutex
		chainID uint64                   // 0 until first read (a chain ID is never 0)
		params  *chain.Params            // fee parameters; nil until read, dropped on a fee refusal
		nonces  map[types.Address]uint64 // next nonce to use per signer that sent through this client
	}
}

// Dial connects to a node: http(s):// for request/response, ws(s):// for
// that plus head subscriptions (WaitReceipt then waits on newHeads instead
// of polling).
func Dial(ctx context.Context, url string) (*Client, error) {
	c, err := gethrpc.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrDial, url, err)
	}
	return newClient(c, url), nil
}

// NewFromRPC wraps an existing go-ethereum RPC client (an in-process node's,
// say); url only names the node in errors.
func NewFromRPC(c *gethrpc.Client, url string) *Client { return newClient(c, url) }

func newClient(c *gethrpc.Client, url string) *Client {
	cl := &Client{rpc: c, url: url, ws: strings.HasPrefix(url, "ws://") || strings.HasPrefix(url, "wss://")}
	cl.mu.nonces = make(map[types.Address]uint64)
	return cl
}

// Close ends the connection.
func (c *Client) Close() { c.rpc.Close() }

// URL is the node's address as given to Dial.
func (c *Client) URL() string { return c.url }

// Call makes one raw JSON-RPC call: the escape hatch for methods without a
// typed wrapper. The node's error text is kept, prefixed by method and node.
func (c *Client) Call(ctx context.Context, out any, method string, args ...any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCallTimeout)
		defer cancel()
	}
	if err := c.rpc.CallContext(ctx, out, method, args...); err != nil {
		return fmt.Errorf("%s at %s: %w", method, c.url, err)
	}
	return nil
}

// matchesRule reports whether msg, a node's error text, names the rule of
// target: a sentinel of the chain's packages ("chain: ...", "types: ...",
// "txpool: ...", "subnet: ...") whose text the node wrapped into msg.
func matchesRule(msg string, target error) bool {
	if target == nil {
		return false
	}
	t := target.Error()
	for _, p := range []string{"chain: ", "types: ", "txpool: ", "subnet: ", "staking: ", "gov: "} {
		if strings.HasPrefix(t, p) {
			return strings.Contains(msg, t)
		}
	}
	return false
}

// RejectedError is a node's refusal of a transaction (JSON-RPC error on
// tao_sendRawTransaction): invalid, or refused by the pool. Nothing changed
// on chain and the nonce was not used.
type RejectedError struct {
	Code int    // JSON-RPC error code (rpc.CodeTxRejected for refusals)
	Msg  string // the node's text, verbatim
}

func (e *RejectedError) Error() string { return "transaction refused: " + e.Msg }

// Is matches ErrRejected, ErrBusy for a busy node's refusal, and any chain
// sentinel named in the node's text (txpool.ErrBusy among them).
func (e *RejectedError) Is(target error) bool {
	if target == ErrBusy {
		return e.Code == rpc.CodeTxBusy
	}
	return target == ErrRejected || matchesRule(e.Msg, target)
}

// FailedError is an included transaction whose call failed: the fee was
// charged and the nonce used, nothing else changed. Rule is the receipt's
// error text, verbatim.
type FailedError struct {
	TxHash types.Hash
	Block  uint64
	Rule   string
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("transaction %s failed in block %d: %s", e.TxHash, e.Block, e.Rule)
}

// Is matches ErrFailed and any chain sentinel named in the receipt's text.
func (e *FailedError) Is(target error) bool {
	return target == ErrFailed || matchesRule(e.Rule, target)
}

// rejected turns a tao_sendRawTransaction error into a *RejectedError when
// the node answered with a JSON-RPC error, keeping other errors (transport).
func rejected(err error) error {
	var re gethrpc.Error
	if errors.As(err, &re) {
		return &RejectedError{Code: re.ErrorCode(), Msg: re.Error()}
	}
	return err
}
