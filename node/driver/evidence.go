package driver

import "github.com/taonet/taod/types"

// maxEvidence bounds the pool. Evidence comes from double signs the engine
// saw, at most a few per validator and round; a pool this full means the
// proposer includes the oldest first and the rest waits its turn.
const maxEvidence = 1024

// evidencePool holds double signs seen on the wire until a block includes
// them or they are too old to use. Single-threaded, like the driver.
type evidencePool struct {
	evs []types.Evidence
}

// add keeps ev unless the pool holds the same offence or is full; it reports
// whether ev is new.
func (p *evidencePool) add(ev types.Evidence) bool {
	for i := range p.evs {
		if p.evs[i].SameOffence(&ev) {
			return false
		}
	}
	if len(p.evs) >= maxEvidence {
		return false
	}
	p.evs = append(p.evs, ev)
	return true
}

// list is a copy of the pool, oldest first: a block keeps what it was built
// with while the pool changes.
func (p *evidencePool) list() []types.Evidence {
	if len(p.evs) == 0 {
		return nil
	}
	return append([]types.Evidence(nil), p.evs...)
}

// prune drops evidence block b carried or that is older than maxAge heights.
func (p *evidencePool) prune(b *types.Block, maxAge uint64) {
	keep := p.evs[:0]
	for _, ev := range p.evs {
		included := false
		for i := range b.Evidence {
			included = included || b.Evidence[i].SameOffence(&ev)
		}
		if !included && ev.A.Height+maxAge >= b.Height() {
			keep = append(keep, ev)
		}
	}
	clear(p.evs[len(keep):])
	p.evs = keep
}
