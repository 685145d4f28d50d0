package supervise

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/outbox"
)

const (
	itemReview    = "0100001000-990121-01" // 承诺件 10/20 working days, 审查 → 决定
	itemImmediate = "0700002000-990121-01" // 即办件
	itemShort     = "0100001003-990121-01" // 承诺件 2/20 working days: 审查 gets one day
)

// fakeItems is a cases.ItemSource over fixed snapshots.
type fakeItems map[string]cases.ItemSnapshot

func (f fakeItems) Item(_ context.Context, code string, _ int, _ map[string]string) (cases.ItemSnapshot, error) {
	it, ok := f[code]
	if !ok {
		return it, errs.E(errs.NotFound, "item_not_found", "事项不存在")
	}
	return it, nil
}

func testItems(org int64) fakeItems {
	mats := []cases.ItemMaterial{{ID: "m1", Name: "申请书", Required: true}, {ID: "m2", Name: "营业场所证明", Required: true, PendingAllowed: true}}
	base := cases.ItemSnapshot{Version: 1, OrgID: org, Org: "示范县市场监督管理局", RegionCode: "990121", Domain: "商事登记",
		Checklist: mats, Materials: mats, Published: true, Reconsider: "示范县人民政府", Litigation: "示范县人民法院"}
	r := base
	r.Code, r.Name, r.CaseType = itemReview, "食品经营许可", "promised"
	r.PromisedLimit, r.LegalLimit = cases.Limit{Days: 10, Unit: "working_day"}, cases.Limit{Days: 20, Unit: "working_day"}
	r.Steps = []cases.TemplateStep{{Name: "审查", Role: "reviewer", Share: 0.5}, {Name: "决定", Role: "approver", Share: 0.5}}
	i := base
	i.Code, i.Name, i.CaseType = itemImmediate, "个体工商户名称变更", "immediate"
	i.PromisedLimit, i.LegalLimit = cases.Limit{Days: 0, Unit: "working_day"}, cases.Limit{Days: 20, Unit: "working_day"}
	sh := r
	sh.Code, sh.Name = itemShort, "食品经营许可延续"
	sh.PromisedLimit = cases.Limit{Days: 2, Unit: "working_day"}
	return fakeItems{r.Code: r, i.Code: i, sh.Code: sh}
}

type fakeAuthz struct{ clerk, window int64 }

func (f fakeAuthz) WindowPowers(_ context.Context, userID, _, _ int64, _, _, _ string) (cases.WindowPowers, error) {
	if userID != f.clerk {
		return cases.WindowPowers{}, errs.E(errs.Forbidden, "no_window_authorization", "无授权")
	}
	return cases.WindowPowers{WindowID: f.window, CanAccept: true, CanDecide: true}, nil
}

type fakeFees map[string][]Fee

func (f fakeFees) Fees(_ context.Context, code string, _ int) ([]Fee, error) { return f[code], nil }

// env is a supervision test world: a county, one department with a
// reviewer and an approver, a clerk at a window, a supervisor, the real
// calendar, the cases service and the outbox wired to supervision.
type env struct {
	d                                         *db.DB
	clk                                       *clock.Sim
	cases                                     *cases.Service
	svc                                       *Service
	out                                       *outbox.Dispatcher
	org, window                               int64
	clerk, reviewer, approver, supervisor, ds *auth.Principal // ds: a supervisor of another county
}

func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai).UTC()
}

func newEnv(t testing.TB, d *db.DB, start time.Time) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFrozen(start)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, r := range [][4]string{{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"},
		{"990121", "示范县", "county", "990100"}, {"990122", "东山县", "county", "990100"}} {
		var parent any
		if r[3] != "" {
			parent = r[3]
		}
		exec(`INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`, r[0], r[1], r[2], parent, start)
	}
	e := &env{d: d, clk: clk}
	if err := d.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at)
		VALUES ('示范县市场监督管理局', '11990121MB0000001X', '990121', 'department', $1, $1) RETURNING id`, start).Scan(&e.org); err != nil {
		t.Fatal(err)
	}
	var hall int64
	if err := d.W.QueryRowContext(ctx, `INSERT INTO halls (name, region_code, created_at, updated_at) VALUES ('示范县政务服务中心', '990121', $1, $1) RETURNING id`, start).Scan(&hall); err != nil {
		t.Fatal(err)
	}
	if err := d.W.QueryRowContext(ctx, `INSERT INTO windows (hall_id, number, kind, created_at, updated_at) VALUES ($1, 'A01', 'comprehensive', $2, $2) RETURNING id`, hall, start).Scan(&e.window); err != nil {
		t.Fatal(err)
	}
	staff := func(login string, org int64, region string, role auth.Role) *auth.Principal {
		var id int64
		var orgv any
		if org != 0 {
			orgv = org
		}
		if err := d.W.QueryRowContext(ctx, `INSERT INTO users (login, name, kind, password_hash, org_id, region_code, created_at, updated_at)
			VALUES ($1, $2, 'staff', 'x', $3, $4, $5, $5) RETURNING id`, login, "测试"+login, orgv, region, start).Scan(&id); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, id, string(role))
		return &auth.Principal{UserID: id, Name: "测试" + login, Kind: auth.KindStaff, Roles: []auth.Role{role}, RegionCode: region, OrgID: org}
	}
	e.clerk = staff("clerk", 0, "990121", auth.Clerk)
	e.reviewer = staff("reviewer", e.org, "990121", auth.Reviewer)
	e.approver = staff("approver", e.org, "990121", auth.Approver)
	e.supervisor = staff("supervisor", 0, "990121", auth.Supervisor)
	e.ds = staff("dsup", 0, "990122", auth.Supervisor)
	exec(`INSERT INTO users (login, name, kind, password_hash, phone, id_number, created_at, updated_at)
		VALUES ('wangwu', '王五', 'person', 'x', '13800000000', $1, $2, $2)`, applicantID, start)
	exec(`INSERT INTO window_staff (window_id, user_id) VALUES ($1, $2)`, e.window, e.clerk.UserID)
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, start) }); err != nil {
		t.Fatal(err)
	}
	cal := calendar.New(d, clk)
	e.cases = cases.NewService(cases.Deps{DB: d, Clock: clk, Items: testItems(e.org), Calendar: cases.CalendarAdapter{Cal: cal},
		Authorizer: fakeAuthz{clerk: e.clerk.UserID, window: e.window}, Notifier: cases.NotifyAdapter{}})
	e.svc = NewService(Deps{DB: d, Clock: clk, Calendar: cal, Fees: fakeFees{itemReview: {{Name: "检验费", Amount: 100}}}})
	e.out = outbox.NewDispatcher(d)
	e.svc.Register(e.out)
	return e
}

// applicantID is a valid citizen ID.
var applicantID = "11010119900307001" + string(ids.CitizenIDCheck("11010119900307001"))

// submit files a complete application at the window (optionally with a form).
func (e *env) submit(t testing.TB, item string, form map[string]any) *cases.Case {
	t.Helper()
	r, err := e.cases.Submit(context.Background(), e.clerk, cases.SubmitRequest{Item: item, Channel: cases.Window, Form: form,
		Materials: []cases.MaterialInput{{MaterialID: "m1", Paper: true}, {MaterialID: "m2", Paper: true}},
		Applicant: &cases.Applicant{Name: "王五", IDNumber: applicantID}})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r.Case
}

// at moves the clock and runs the lights tick and the outbox, as the jobs do.
func (e *env) at(t testing.TB, when time.Time) {
	t.Helper()
	e.clk.Set(when)
	if _, err := e.cases.RefreshLights(context.Background(), when); err != nil {
		t.Fatalf("refresh lights: %v", err)
	}
	e.deliver(t)
}

func (e *env) deliver(t testing.TB) {
	t.Helper()
	if _, _, err := e.out.DeliverBatch(context.Background(), e.clk.Now(), 1000); err != nil {
		t.Fatalf("deliver outbox: %v", err)
	}
	var failed int
	_ = e.d.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE topic LIKE 'case.%' AND last_error <> ''`).Scan(&failed)
	if failed > 0 {
		var msg string
		_ = e.d.R.QueryRowContext(context.Background(), `SELECT last_error FROM outbox WHERE topic LIKE 'case.%' AND last_error <> ''`).Scan(&msg)
		t.Fatalf("supervision handler failed: %s", msg)
	}
}

func ok[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func count(t testing.TB, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", q, err)
	}
	return n
}

func timeMonth(m int) time.Month { return time.Month(m) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
