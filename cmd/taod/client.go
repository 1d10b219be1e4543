package main

import (
	"context"
	"encoding/json"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client"
)

func defaultRPC() string {
	if u := os.Getenv("TAOD_RPC"); u != "" {
		return u
	}
	return "http://127.0.0.1:9944"
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func addRPCFlag(cmd *cobra.Command, url *string) {
	cmd.PersistentFlags().StringVar(url, "rpc", defaultRPC(), "node RPC URL, http:// or ws:// (env TAOD_RPC)")
}

// withClient runs f with a client of the node at url for one command, and
// closes it after. Every verb that talks to a node goes through client/.
func withClient(cmd *cobra.Command, url string, f func(ctx context.Context, c *client.Client) error) error {
	c, err := client.Dial(cmd.Context(), url)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(cmd.Context(), c)
}
