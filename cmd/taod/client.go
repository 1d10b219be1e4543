package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/spf13/cobra"
)

func defaultRPC() string {
	if u := os.Getenv("TAOD_RPC"); u != "" {
		return u
	}
	return "http://127.0.0.1:9944"
}

// dial connects to a node's RPC with a timeout on the first call.
func dial(ctx context.Context, url string) (*gethrpc.Client, error) {
	c, err := gethrpc.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", url, err)
	}
	return c, nil
}

// call makes one RPC call with a timeout, naming the node on failure.
func call(ctx context.Context, c *gethrpc.Client, url string, out any, method string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := c.CallContext(ctx, out, method, args...); err != nil {
		return fmt.Errorf("%s at %s: %w", method, url, err)
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func addRPCFlag(cmd *cobra.Command, url *string) {
	cmd.PersistentFlags().StringVar(url, "rpc", defaultRPC(), "node RPC URL (env TAOD_RPC)")
}

// rpcQuery makes one call to the node at url for a command: connect, call,
// close, naming the node on failure.
func rpcQuery(cmd *cobra.Command, url string, out any, method string, args ...any) error {
	c, err := dial(cmd.Context(), url)
	if err != nil {
		return err
	}
	defer c.Close()
	return call(cmd.Context(), c, url, out, method, args...)
}
