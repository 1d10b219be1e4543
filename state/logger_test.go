package state

import (
	"fmt"
	"strings"
	"testing"
)

type recLogger struct{ debug, errs []string }

func (r *recLogger) Debugf(f string, a ...any) { r.debug = append(r.debug, fmt.Sprintf(f, a...)) }
func (r *recLogger) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }

func TestPebbleLogger(t *testing.T) {
	rec := &recLogger{}
	l := pebbleLogger{rec}
	l.Infof("flushed %d", 1)
	l.Errorf("background error: %s", "disk full")
	if len(rec.debug) != 1 || rec.debug[0] != "pebble: flushed 1" {
		t.Fatalf("info went to %q", rec.debug)
	}
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "disk full") {
		t.Fatalf("error went to %q", rec.errs)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "corrupt") {
				t.Fatalf("fatal did not panic with its message: %v", r)
			}
		}()
		l.Fatalf("corrupt %s", "sstable")
	}()
	if len(rec.errs) != 2 {
		t.Fatalf("the fatal message was not logged first: %q", rec.errs)
	}
}

// A store opened with a logger hands Pebble's messages to it: closing
// flushes the memtable, which Pebble reports.
func TestStoreLogsPebble(t *testing.T) {
	rec := &recLogger{}
	s, err := Open(t.TempDir(), Options{CacheMB: 8, TrieCache: 4, Logger: rec})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(rec.debug) == 0 {
		t.Fatal("no Pebble message reached the logger")
	}
	if len(rec.errs) != 0 {
		t.Fatalf("errors on a clean open and close: %q", rec.errs)
	}
}
