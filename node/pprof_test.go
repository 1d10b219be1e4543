package node

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Go's profiles are served on the metrics address only when the operator
// turns them on: by default /debug/pprof/ is a 404 beside a working
// /metrics (before, every node served them, so whoever reached a metrics
// port opened to a scraper could read the heap or stall the node).
func TestPprofOnlyWhenEnabled(t *testing.T) {
	get := func(h http.Handler, path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	for _, c := range []struct {
		pprof      bool
		wantProf   int
		wantMetric int
	}{
		{false, http.StatusNotFound, http.StatusOK},
		{true, http.StatusOK, http.StatusOK},
	} {
		cfg := DefaultConfig(t.TempDir())
		cfg.Metrics.PProf = c.pprof
		n := &Node{cfg: cfg, metrics: newMetrics()}
		h := n.metricsHandler()
		for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/cmdline"} {
			if got := get(h, p); got != c.wantProf {
				t.Errorf("pprof %v: GET %s = %d, want %d", c.pprof, p, got, c.wantProf)
			}
		}
		if got := get(h, "/metrics"); got != c.wantMetric {
			t.Errorf("pprof %v: GET /metrics = %d", c.pprof, got)
		}
	}
	cfg := DefaultConfig(t.TempDir())
	cfg.Metrics.Addr, cfg.Metrics.PProf = "", true
	if err := cfg.Validate(); err == nil {
		t.Error("pprof without a metrics address validated")
	}
}
