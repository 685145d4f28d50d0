package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"banhao.dev/banhao/internal/platform/errs"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "banhao_http_requests_total", Help: "HTTP requests by route pattern and status."}, []string{"pattern", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "banhao_http_request_seconds", Help: "HTTP request duration by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"pattern"})
	m.reg.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(pattern string, status int, d time.Duration) {
	m.requests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(pattern).Observe(d.Seconds())
}

// Registry exposes the metrics registry so areas can add their own collectors.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

//go:embed openapi/*.json
var openapiFS embed.FS

func (s *Server) registerOps() {
	s.mux.HandleFunc("GET /static/{file}", s.static.serve)
	// Anything unmatched: problem+json under /api/, a Chinese page elsewhere.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errs.E(errs.NotFound, "route_not_found", "您访问的页面或接口不存在"))
	})
	s.page("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
	})
	s.page("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.DB.W.PingContext(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
			return
		}
		if err := s.DB.CheckSchema(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "schema not current", "detail": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	s.page("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP)
	s.api("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		doc, err := OpenAPI()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
}

// OpenAPI merges the embedded fragments (openapi/*.json: base.json first,
// then one per area) into one OpenAPI 3.0 document.
func OpenAPI() ([]byte, error) {
	names, err := fs.Glob(openapiFS, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Slice(names, func(i, j int) bool {
		return names[i] == "openapi/base.json" || names[j] != "openapi/base.json" && names[i] < names[j]
	})
	doc := map[string]any{}
	for _, n := range names {
		raw, err := openapiFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			return nil, fmt.Errorf("openapi fragment %s: %w", n, err)
		}
		merge(doc, frag)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// merge deep-merges maps; later fragments add paths and schemas.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
