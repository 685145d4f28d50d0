package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestVerificationsAPI_listAndCloseByTheResponsibleDepartment(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCasesEnv(t, d)
		c, _ := e.submit(itemSetup)
		e.mustAct(c.No, "accept", "clerk", nil)
		// No demo item allows 告知承诺 yet: open the task the acceptance of a
		// commitment would have opened.
		ctx := context.Background()
		var caseID, orgID int64
		if err := d.R.QueryRowContext(ctx, `SELECT id, org_id FROM cases WHERE no = $1`, c.No).Scan(&caseID, &orgID); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := d.W.QueryRowContext(ctx, `INSERT INTO case_verifications (case_id, material_id, name, org_id, status, created_at)
			VALUES ($1, 'address', '住所证明', $2, 'open', $3) RETURNING id`, caseID, orgID, e.Sim.Now().UTC()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		var l struct {
			Items []struct {
				ID     int64  `json:"id"`
				CaseNo string `json:"case_no"`
				Status string `json:"status"`
			}
		}
		if st := e.apiCall("GET", "/api/v1/verifications?status=open", e.tok["reviewer"], nil, &l); st != 200 || len(l.Items) != 1 || l.Items[0].CaseNo != c.No {
			t.Fatalf("list got %d %+v, want the open task of %s", st, l.Items, c.No)
		}
		path := fmt.Sprintf("/api/v1/verifications/%d/close", id)
		for _, tt := range []struct {
			name, token string
			body        any
			want        int
			code        string
		}{
			{"anonymous is 401", "", map[string]any{"result": "confirmed"}, http.StatusUnauthorized, ""},
			{"a clerk is 403", e.tok["clerk"], map[string]any{"result": "confirmed"}, http.StatusForbidden, ""},
			{"a bad status filter is 422", "", nil, 0, ""},
			{"an unknown result is 422", e.tok["reviewer"], map[string]any{"result": "maybe"}, http.StatusUnprocessableEntity, "verification_result"},
			{"a failed check without a note is 422", e.tok["reviewer"], map[string]any{"result": "failed"}, http.StatusUnprocessableEntity, "verification_note_required"},
			{"an unknown task is 404", e.tok["reviewer"], map[string]any{"result": "confirmed"}, http.StatusNotFound, "verification_not_found"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var p Problem
				var st int
				switch {
				case tt.want == 0:
					st = e.apiCall("GET", "/api/v1/verifications?status=nope", e.tok["reviewer"], nil, &p)
					tt.want = http.StatusUnprocessableEntity
				case tt.code == "verification_not_found":
					st = e.apiCall("POST", fmt.Sprintf("/api/v1/verifications/%d/close", id+999), tt.token, tt.body, &p)
				default:
					st = e.apiCall("POST", path, tt.token, tt.body, &p)
				}
				if st != tt.want || tt.code != "" && p.Code != tt.code {
					t.Fatalf("got %d %q, want %d %q", st, p.Code, tt.want, tt.code)
				}
			})
		}
		var v struct {
			Status string `json:"status"`
			Note   string `json:"note"`
		}
		if st := e.apiCall("POST", path, e.tok["reviewer"], map[string]any{"result": "confirmed", "note": "现场核实属实"}, &v); st != 200 || v.Status != "confirmed" {
			t.Fatalf("close got %d %+v, want 200 confirmed", st, v)
		}
		var p Problem
		if st := e.apiCall("POST", path, e.tok["approver"], map[string]any{"result": "confirmed"}, &p); st != http.StatusConflict || p.Code != "verification_closed" {
			t.Fatalf("second close got %d %q, want 409 verification_closed", st, p.Code)
		}
	})
}

func TestVerificationPages_listAndRecordTheResult(t *testing.T) {
	d := dbtest.SQLite(t)
	e := newCasesEnv(t, d)
	c, _ := e.submit(itemSetup)
	e.mustAct(c.No, "accept", "clerk", nil)
	ctx := context.Background()
	var id int64
	if err := d.W.QueryRowContext(ctx, `INSERT INTO case_verifications (case_id, material_id, name, org_id, status, created_at)
		SELECT id, 'address', '住所证明', org_id, 'open', $2 FROM cases WHERE no = $1 RETURNING id`, c.No, e.Sim.Now().UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	rev := e.browser()
	rev.login("reviewer", demo.Password)
	_, body := rev.get("/verifications")
	form := fmt.Sprintf(`action="/verifications/%d/close"`, id)
	if !strings.Contains(body, c.No) || !strings.Contains(body, form) || !strings.Contains(body, `href="/verifications"`) {
		t.Fatal("verification page lacks the task, its form or the nav entry")
	}
	path := fmt.Sprintf("/verifications/%d/close", id)
	status, body, _ := rev.post("/verifications", path, url.Values{"result": {"failed"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "须写明核查情况") {
		t.Fatalf("failed without a note: got %d, want 422 with the message", status)
	}
	status, body, _ = rev.post("/verifications", path, url.Values{"result": {"failed"}, "note": {"承诺不实"}})
	if status != http.StatusOK || !strings.Contains(body, "核查结论已记录") || strings.Contains(body, form) || !strings.Contains(body, "承诺不实") {
		t.Fatalf("close: got %d, want the task closed with its note", status)
	}
	clerk := e.browser()
	clerk.login("clerk", demo.Password)
	if status, _ := clerk.get("/verifications"); status != http.StatusForbidden {
		t.Errorf("clerk got %d, want 403", status)
	}
}
