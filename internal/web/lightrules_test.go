package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestLightRulesAPIAndPage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.mustUser("sup", "990121", auth.Supervisor)
		e.mustUser("clk", "990121", auth.Clerk)
		e.mustUser("eastsup", "990122", auth.Supervisor)
		sup := e.mustToken("sup")
		var p Problem
		if st := e.apiCall("GET", "/api/v1/light-rules", "", nil, &p); st != 401 {
			t.Fatalf("anonymous: %d", st)
		}
		if st := e.apiCall("PUT", "/api/v1/light-rules/990121", e.mustToken("clk"), map[string]float64{"yellow_share": 0.5}, &p); st != 403 {
			t.Fatalf("clerk: %d", st)
		}
		if st := e.apiCall("PUT", "/api/v1/light-rules/990121", e.mustToken("eastsup"), map[string]float64{"yellow_share": 0.5}, &p); st != 403 {
			t.Fatalf("other county's supervisor: %d", st)
		}
		if st := e.apiCall("PUT", "/api/v1/light-rules/990121", sup, map[string]float64{"yellow_share": 2}, &p); st != 422 || p.Errors[0].Field != "yellow_share" {
			t.Fatalf("bad share: %d %+v", st, p)
		}
		if st := e.apiCall("PUT", "/api/v1/light-rules/990121", sup, map[string]float64{"yellow_days": 2, "yellow_share": 0.3}, nil); st != 200 {
			t.Fatalf("set: %d", st)
		}
		var got lightRulesData
		if st := e.apiCall("GET", "/api/v1/light-rules", sup, nil, &got); st != 200 || len(got.Rules) != 1 || got.Rules[0].RegionCode != "990121" || got.Rules[0].YellowDays != 2 {
			t.Fatalf("list: %d %+v", st, got)
		}
		b := e.browser()
		b.login("sup", "Passw0rd!")
		status, body, _ := b.post("/supervise/light-rules", "/supervise/light-rules", url.Values{"region_code": {"990121"}, "yellow_days": {"abc"}})
		if status != 422 || !strings.Contains(body, "剩余工作日阈值应为数字") {
			t.Fatalf("bad form: %d", status)
		}
		status, body, _ = b.post("/supervise/light-rules", "/supervise/light-rules", url.Values{"region_code": {"990121"}, "yellow_days": {"1"}, "yellow_percent": {"25"}})
		if status != http.StatusOK || !strings.Contains(body, "25.00%") {
			t.Fatalf("save form: %d", status)
		}
	})
}
