package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/supervise"
)

// superviseWorld is a department with an approver, a supervisor, a clerk,
// an admin and one open case accepted on 02-25 whose promised deadline
// ends with 03-03 (yellow from 03-03 00:00, red from 03-04 00:00 Beijing).
type superviseWorld struct {
	org                int64
	caseNo             string
	sup, clk, adm, apr string // bearer tokens
}

func newSuperviseWorld(t *testing.T, e *testEnv) superviseWorld {
	t.Helper()
	ctx := context.Background()
	w := superviseWorld{caseNo: "990121-20260225-000001-7"}
	if err := e.DB.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at)
		VALUES ('示范县市场监督管理局', '11990121MB0000001X', '990121', 'department', $1, $1) RETURNING id`, e.Sim.Now()).Scan(&w.org); err != nil {
		t.Fatal(err)
	}
	e.mustUser("sup", "990121", auth.Supervisor)
	e.mustUser("clk", "990121", auth.Clerk)
	e.mustUser("adm", "", auth.Admin)
	if _, err := e.Auth.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Kind: auth.KindStaff, Login: "apr", Name: "审批科长",
		Password: "Passw0rd!", RegionCode: "990121", OrgID: w.org, Roles: []auth.Role{auth.Approver}}); err != nil {
		t.Fatal(err)
	}
	w.sup, w.clk, w.adm, w.apr = e.mustToken("sup"), e.mustToken("clk"), e.mustToken("adm"), e.mustToken("apr")
	bj := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, clock.Shanghai).UTC() }
	accepted := time.Date(2026, 2, 25, 9, 0, 0, 0, clock.Shanghai).UTC()
	if _, err := e.DB.W.ExecContext(ctx, `INSERT INTO cases (no, query_hash, region_code, item_code, item_version, item_name, org_id,
		case_type, channel, status, applicant_name, step_index, step_role, step_org_id, light, step_light, promised_due, legal_due,
		case_yellow_at, next_light_change_at, submitted_at, accepted_at, body, created_at, updated_at)
		VALUES ($1, 'h', '990121', '0100001000-990121-01', 1, '食品经营许可', $2, 'promised', 'window', 'accepted', '王五', 0,
		'reviewer', $2, 'green', '', $3, $4, $5, $5, $6, $6, $7, $6, $6)`, w.caseNo, w.org, bj(3, 4), bj(3, 25), bj(3, 3), accepted,
		`{"item_snapshot":{"code":"0100001000-990121-01","version":1,"promised_limit":{"days":5},"legal_limit":{"days":20}}}`); err != nil {
		t.Fatal(err)
	}
	e.Srv.Jobs.Register("cases-lights", time.Minute, func(ctx context.Context) error {
		_, err := e.Srv.Cases.RefreshLights(ctx, e.Sim.Now())
		return err
	})
	return w
}

func TestSuperviseAPI_statsReportFindingsAndErrors(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	w := newSuperviseWorld(t, e)
	type problem struct {
		Code   string `json:"code"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"anonymous stats", "GET", "/api/v1/stats/cases", "", nil, 401, ""},
		{"clerk stats", "GET", "/api/v1/stats/cases", w.clk, nil, 403, ""},
		{"other county", "GET", "/api/v1/stats/cases?region=990122", w.sup, nil, 403, ""},
		{"unknown grouping", "GET", "/api/v1/stats/cases?group_by=planet", w.sup, nil, 422, "group_by"},
		{"bad date", "GET", "/api/v1/stats/cases?from=2026-02-30", w.sup, nil, 422, "from"},
		{"bad org id", "GET", "/api/v1/stats/cases?org=x", w.sup, nil, 422, "org"},
		{"report without month", "GET", "/api/v1/reports/monthly", w.sup, nil, 422, "month"},
		{"report anonymous", "GET", "/api/v1/reports/monthly?month=2026-03", "", nil, 401, ""},
		{"findings anonymous", "GET", "/api/v1/supervise/findings", "", nil, 401, ""},
		{"findings for a clerk", "GET", "/api/v1/supervise/findings", w.clk, nil, 403, ""},
		{"fee by a supervisor", "POST", "/api/v1/supervise/fee-charges", w.sup, supervise.FeeCharge{CaseNo: w.caseNo, Name: "工本费", Amount: 10}, 403, ""},
		{"fee without a name", "POST", "/api/v1/supervise/fee-charges", w.clk, supervise.FeeCharge{CaseNo: w.caseNo, Amount: 10}, 422, "name"},
		{"fee with an unknown field", "POST", "/api/v1/supervise/fee-charges", w.clk, map[string]any{"case_no": w.caseNo, "fee": 1}, 422, ""},
		{"unknown finding", "POST", "/api/v1/supervise/findings/999/actions/confirm", w.sup, nil, 404, ""},
		{"cards anonymous", "GET", "/api/v1/supervise/cards", "", nil, 401, ""},
		{"scoreboard is public", "GET", "/api/v1/scoreboard?month=2026-03", "", nil, 200, ""},
		{"scoreboard bad month", "GET", "/api/v1/scoreboard?month=March", "", nil, 422, "month"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p problem
			got := e.apiCall(c.method, c.path, c.token, c.body, &p)
			if got != c.status {
				t.Fatalf("status got %d, want %d (%+v)", got, c.status, p)
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Fatalf("field errors got %+v, want %s", p.Errors, c.field)
			}
		})
	}
	// A fee outside the list becomes a finding, worked by the supervisor.
	var fee struct{ Listed bool }
	if got := e.apiCall("POST", "/api/v1/supervise/fee-charges", w.clk, supervise.FeeCharge{CaseNo: w.caseNo, Name: "工本费", Amount: 10}, &fee); got != 201 || fee.Listed {
		t.Fatalf("fee charge got %d listed=%v, want 201 unlisted", got, fee.Listed)
	}
	var fs struct {
		Items []supervise.Finding `json:"items"`
	}
	if e.apiCall("GET", "/api/v1/supervise/findings?status=open", w.sup, nil, &fs); len(fs.Items) != 1 || fs.Items[0].Kind != supervise.KindFeeNotListed {
		t.Fatalf("findings got %+v, want one fee_not_listed", fs.Items)
	}
	id := strconvI(fs.Items[0].ID)
	var p problem
	if got := e.apiCall("POST", "/api/v1/supervise/findings/"+id+"/actions/dismiss", w.sup, map[string]string{"reason": ""}, &p); got != 422 || p.Code != "dismiss_reason_required" {
		t.Fatalf("dismiss without reason got %d %s", got, p.Code)
	}
	if got := e.apiCall("POST", "/api/v1/supervise/findings/"+id+"/actions/confirm", w.clk, nil, nil); got != 403 {
		t.Fatalf("clerk confirming got %d, want 403", got)
	}
	var f supervise.Finding
	if got := e.apiCall("POST", "/api/v1/supervise/findings/"+id+"/actions/rectify", w.sup, map[string]string{"deadline": "2026-03-20"}, &f); got != 200 || f.Status != "rectification" {
		t.Fatalf("rectify got %d %s", got, f.Status)
	}
	var st supervise.StatsResult
	if got := e.apiCall("GET", "/api/v1/stats/cases?from=2026-02-01&to=2026-03-31&group_by=org", w.sup, nil, &st); got != 200 || st.Total.Accepted != 1 || len(st.Groups) != 1 || st.Groups[0].Label != "示范县市场监督管理局" {
		t.Fatalf("stats got %d %+v", got, st)
	}
	// The Excel report.
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/reports/monthly?month=2026-02", nil)
	req.Header.Set("Authorization", "Bearer "+w.sup)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("report got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("open report: %v", err)
	}
	defer x.Close()
	if sheets := x.GetSheetList(); len(sheets) != 2 || sheets[0] != supervise.SummarySheet || sheets[1] != "示范县市场监督管理局" {
		t.Fatalf("report sheets got %v", sheets)
	}
}

func TestSupervisePages_dashboardReportScoreboard(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	w := newSuperviseWorld(t, e)
	anon := e.browser()
	if status, body := anon.get("/scoreboard?month=2026-02"); status != 200 || !strings.Contains(body, "晒成绩单") || !strings.Contains(body, `id="scoreboard-table"`) {
		t.Fatalf("public scoreboard got %d", status)
	}
	if status, _ := anon.get("/supervise"); status != http.StatusUnauthorized {
		t.Fatalf("anonymous dashboard got %d, want 401", status)
	}
	b := e.browser()
	b.login("sup", "Passw0rd!")
	status, body := b.get("/supervise")
	if status != 200 || !strings.Contains(body, "示范县市场监督管理局") || !strings.Contains(body, `id="demo-clock-hint"`) || !strings.Contains(body, "<svg") {
		t.Fatalf("dashboard got %d without the department, the demo hint or the chart", status)
	}
	if status, body := b.get("/supervise?org=" + strconvI(w.org)); status != 200 || !strings.Contains(body, `id="by-window"`) {
		t.Fatalf("drill-down to the department got %d", status)
	}
	if status, body := b.get("/supervise/reports/monthly?month=2026-02"); status != 200 || !strings.Contains(body, "月度通报") || !strings.Contains(body, "示范县市场监督管理局") {
		t.Fatalf("printable report got %d", status)
	}
	if status, _ := b.get("/supervise/reports/monthly?month=2026-2"); status != 422 {
		t.Fatalf("bad month got %d, want 422", status)
	}
	c := e.browser()
	c.login("clk", "Passw0rd!")
	if status, _ := c.get("/supervise"); status != http.StatusForbidden {
		t.Fatalf("clerk dashboard got %d, want 403", status)
	}
}
