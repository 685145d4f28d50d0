package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestOperationalEndpoints(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(e.HTTP.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	if st, body, _ := get("/healthz"); st != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", st, body)
	}
	if st, body, _ := get("/readyz"); st != 200 || !strings.Contains(body, "ready") {
		t.Fatalf("readyz: %d %s", st, body)
	}
	get("/calendar")
	if st, body, _ := get("/metrics"); st != 200 || !strings.Contains(body, `banhao_http_requests_total{pattern="GET /calendar",status="200"}`) {
		t.Fatalf("metrics: %d lacks the request counter", st)
	}
	st, body, h := get("/api/v1/nope")
	if st != 404 || h.Get("Content-Type") != "application/problem+json; charset=utf-8" || !strings.Contains(body, "route_not_found") {
		t.Fatalf("unknown API route: %d %s %s", st, h.Get("Content-Type"), body)
	}
	st, body, h = get("/nope")
	if st != 404 || !strings.Contains(body, "您访问的页面或接口不存在") {
		t.Fatalf("unknown page: %d", st)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || h.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers: %q", csp)
	}
	// Static assets are served under content-hashed names, cacheable forever.
	_, home, _ := get("/")
	i := strings.Index(home, "/static/app.")
	if i < 0 {
		t.Fatal("no hashed static URL on the home page")
	}
	url := home[i : i+strings.Index(home[i:], `"`)]
	st, _, h = get(url)
	if st != 200 || !strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Fatalf("static %s: %d %s", url, st, h.Get("Cache-Control"))
	}
	if strings.Contains(home, "<script>") || strings.Contains(home, "http://cdn") || strings.Contains(home, "https://") {
		t.Fatal("inline script or external asset on the home page")
	}
}
