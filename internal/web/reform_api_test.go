package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/dbtest"
)

type problemBody struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p problemBody) field(name string) string {
	for _, e := range p.Errors {
		if e.Field == name {
			return e.Message
		}
	}
	return ""
}

func TestReformAPI(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	f := newReformFixture(t, e)
	good := map[string]any{"title": "企业开办3个工作日内办结", "lead_org_id": f.market, "responsible_org_ids": []int64{f.land},
		"deadline": "2026-03-31", "source_doc": "示政办发〔2026〕3号"}

	t.Run("anonymous callers get 401", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{{"GET", "/api/v1/reform/tasks"}, {"POST", "/api/v1/reform/tasks"},
			{"GET", "/api/v1/reform/letters"}, {"GET", "/api/v1/reform/reports/monthly"}} {
			var body any
			if c.method == "POST" {
				body = good
			}
			if st := e.apiCall(c.method, c.path, "", body, nil); st != 401 {
				t.Errorf("%s %s: got %d, want 401", c.method, c.path, st)
			}
		}
	})
	t.Run("an approver cannot create a task", func(t *testing.T) {
		var p problemBody
		if st := e.apiCall("POST", "/api/v1/reform/tasks", f.apm, good, &p); st != 403 || p.Code != "forbidden" {
			t.Fatalf("got %d %+v, want 403 forbidden", st, p)
		}
	})
	t.Run("bad input is 422 with the fields", func(t *testing.T) {
		var p problemBody
		bad := map[string]any{"title": "x", "lead_org_id": f.market, "responsible_org_ids": []int64{f.land, f.land}}
		if st := e.apiCall("POST", "/api/v1/reform/tasks", f.sup, bad, &p); st != 422 {
			t.Fatalf("got %d, want 422", st)
		}
		if p.field("deadline") != "请填写完成时限" || p.field("responsible_org_ids") != "责任单位“示范县自然资源局”重复" {
			t.Fatalf("got %+v", p)
		}
		if st := e.apiCall("POST", "/api/v1/reform/tasks", f.sup, map[string]any{"title": "x", "nope": 1}, &p); st != 422 || p.Code != "unknown_field" {
			t.Fatalf("unknown field: got %d %+v", st, p)
		}
	})
	id := f.mustTask(t, good)
	path := fmt.Sprintf("/api/v1/reform/tasks/%d", id)

	t.Run("the units' staff see the task, others do not", func(t *testing.T) {
		var got struct {
			Status string `json:"status"`
			Light  string `json:"light"`
			Lead   struct {
				Name string `json:"name"`
			} `json:"lead_unit"`
		}
		if st := e.apiCall("GET", path, f.apm, nil, &got); st != 200 || got.Status != "not_started" || got.Light != "green" || got.Lead.Name != "示范县市场监督管理局" {
			t.Fatalf("lead unit: %d %+v", st, got)
		}
		if st := e.apiCall("GET", path, f.clkLand, nil, nil); st != 200 {
			t.Fatalf("responsible unit: %d", st)
		}
		if st := e.apiCall("GET", "/api/v1/reform/tasks/99999", f.sup, nil, nil); st != 404 {
			t.Fatalf("missing task: %d, want 404", st)
		}
	})
	t.Run("progress: only unit staff, with valid input", func(t *testing.T) {
		var p problemBody
		if st := e.apiCall("POST", path+"/progress", f.sup, map[string]any{"text": "x", "percent": 10}, &p); st != 403 || p.Code != "reform_not_unit" {
			t.Fatalf("supervisor: %d %+v", st, p)
		}
		if st := e.apiCall("POST", path+"/progress", f.apm, map[string]any{"text": "", "percent": 101}, &p); st != 422 || p.field("percent") == "" || p.field("text") == "" {
			t.Fatalf("bad progress: %d %+v", st, p)
		}
		var got struct {
			Percent int `json:"percent"`
			Unit    struct {
				ID int64 `json:"id"`
			} `json:"unit"`
		}
		if st := e.apiCall("POST", path+"/progress", f.clkLand, map[string]any{"text": "已完成流程梳理", "percent": 40}, &got); st != 201 || got.Unit.ID != f.land || got.Percent != 40 {
			t.Fatalf("land clerk: %d %+v", st, got)
		}
	})
	t.Run("update is audited with a reason", func(t *testing.T) {
		body := map[string]any{"title": "企业开办3个工作日内办结", "lead_org_id": f.market, "responsible_org_ids": []int64{f.land, f.approval},
			"deadline": "2026-03-31", "reason": "增加责任单位"}
		var got struct {
			Units []struct{} `json:"responsible_units"`
		}
		if st := e.apiCall("PUT", path, f.sup, body, &got); st != 200 || len(got.Units) != 2 {
			t.Fatalf("update: %d %+v", st, got)
		}
		if st := e.apiCall("PUT", path, f.apm, body, nil); st != 403 {
			t.Fatalf("approver update: %d, want 403", st)
		}
	})
	t.Run("completion needs evidence, then the task is done", func(t *testing.T) {
		var p problemBody
		if st := e.apiCall("POST", path+"/complete", f.sup, map[string]any{}, &p); st != 422 || p.field("evidence") == "" {
			t.Fatalf("no evidence: %d %+v", st, p)
		}
		var got struct {
			Status      string `json:"status"`
			CompletedOn string `json:"completed_on"`
		}
		if st := e.apiCall("POST", path+"/complete", f.sup, map[string]any{"evidence": "已实现3个工作日办结"}, &got); st != 200 || got.Status != "done" || got.CompletedOn != "2026-03-02" {
			t.Fatalf("complete: %d %+v", st, got)
		}
		if st := e.apiCall("POST", path+"/complete", f.sup, map[string]any{"evidence": "again"}, &p); st != 409 || p.Code != "reform_task_done" {
			t.Fatalf("twice: %d %+v", st, p)
		}
	})
	t.Run("list filters by status and month", func(t *testing.T) {
		f.mustTask(t, map[string]any{"title": "12345热线整合", "lead_org_id": f.approval, "deadline": "2026-04-30"})
		var got struct {
			Total int `json:"total"`
		}
		for _, c := range []struct {
			q    string
			want int
		}{{"", 2}, {"?status=done", 1}, {"?month=2026-04", 1}, {"?org_id=" + fmt.Sprint(f.land), 1}} {
			if st := e.apiCall("GET", "/api/v1/reform/tasks"+c.q, f.sup, nil, &got); st != 200 || got.Total != c.want {
				t.Errorf("list %q: %d total %d, want %d", c.q, st, got.Total, c.want)
			}
		}
		var p problemBody
		if st := e.apiCall("GET", "/api/v1/reform/tasks?month=2026-4", f.sup, nil, &p); st != 422 || p.field("month") == "" {
			t.Fatalf("bad month: %d %+v", st, p)
		}
	})
	t.Run("monthly report and letters", func(t *testing.T) {
		var rep struct {
			Total struct {
				Due            int     `json:"due"`
				DoneOnTime     int     `json:"done_on_time"`
				CompletionRate float64 `json:"completion_rate"`
			} `json:"total"`
		}
		if st := e.apiCall("GET", "/api/v1/reform/reports/monthly?month=2026-03", f.sup, nil, &rep); st != 200 || rep.Total.Due != 1 || rep.Total.DoneOnTime != 1 || rep.Total.CompletionRate != 1 {
			t.Fatalf("report: %d %+v", st, rep)
		}
		if st := e.apiCall("GET", "/api/v1/reform/reports/monthly?month=2026-03", f.apm, nil, nil); st != 403 {
			t.Fatalf("approver report: %d, want 403", st)
		}
		e.Sim.Set(time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC))
		if _, err := e.Srv.Reform.SendReminders(context.Background(), e.Sim.Now()); err != nil {
			t.Fatal(err)
		}
		var ls struct {
			Total int `json:"total"`
			Items []struct {
				DocNo string `json:"doc_no"`
			} `json:"items"`
		}
		if st := e.apiCall("GET", "/api/v1/reform/letters?month=2026-04", f.sup, nil, &ls); st != 200 || ls.Total != 1 || ls.Items[0].DocNo != "示范县政办提示〔2026〕1号" {
			t.Fatalf("letters: %d %+v", st, ls)
		}
		if st := e.apiCall("GET", "/api/v1/reform/letters?month=2026-04", f.apm, nil, &ls); st != 200 || ls.Total != 0 {
			t.Fatalf("market approver letters: %d %+v (the April task is the approval bureau's)", st, ls)
		}
		var p problemBody
		if st := e.apiCall("GET", "/api/v1/reform/letters?month=x", f.sup, nil, &p); st != 422 || p.field("month") == "" {
			t.Fatalf("bad month: %d %+v", st, p)
		}
	})
}
