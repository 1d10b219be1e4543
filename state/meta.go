package state

import "fmt"

// Node-local metadata: data a node keeps beside the chain but outside the
// state root (e.g. consensus proposer priorities, which any node can
// recompute). Keys live under 'X' (keys.go).

// PutMeta writes node-local metadata (not synced on its own; the next
// block's synced batch makes it durable).
func (s *Store) PutMeta(k string, v []byte) error {
	if err := s.kv.Put(metaKey(k), v); err != nil {
		return fmt.Errorf("state: put meta %s: %w", k, err)
	}
	return nil
}

// GetMeta reads node-local metadata; ErrNotFound when absent.
func (s *Store) GetMeta(k string) ([]byte, error) {
	v, err := s.kv.Get(metaKey(k))
	if err != nil || len(v) == 0 {
		return nil, fmt.Errorf("%w: meta %s", ErrNotFound, k)
	}
	return v, nil
}
