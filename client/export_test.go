package client

import "github.com/taonet/taod/chain"

// SetFeeParams replaces the cached fee parameters (a test makes them stale).
func SetFeeParams(c *Client, p *chain.Params) {
	c.mu.Lock()
	c.mu.params = p
	c.mu.Unlock()
}

// PermitCutoff is permitCutoff, for its table test.
var PermitCutoff = permitCutoff
