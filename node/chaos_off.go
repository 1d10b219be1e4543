//go:build !chaos

package node

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/taonet/taod/consensus"
)

// chaosBuilt reports whether the fault switches are compiled in.
const chaosBuilt = false

var errNoChaos = errors.New("node: [chaos] fault switches need a binary built with -tags chaos")

// faults adds nothing without the chaos build tag.
func (n *Node) faults(consensus.Message) []consensus.Message { return nil }

// clockSkewMs is zero without the chaos build tag.
func (n *Node) clockSkewMs() int64 { return 0 }

// chaosRoutes serves nothing without the chaos build tag.
func (n *Node) chaosRoutes(*http.ServeMux) {}

// chaosFaults starts nothing without the chaos build tag.
func (n *Node) chaosFaults(context.Context, *errgroup.Group) error { return nil }
