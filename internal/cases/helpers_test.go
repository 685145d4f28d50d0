package cases

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

const (
	itemPromised    = "0100001000-990121-01" // 承诺件, 10/20 working days
	itemImmediate   = "0700002000-990121-01" // 即办件
	itemCustom      = "0100003000-990121-01" // custom template with a site inspection
	itemCertificate = "0100004000-990121-01" // 决定 then 制证 (certificate production after the decision)
	orgA            = int64(100)
	orgB            = int64(200)
	windowA         = int64(10)
)

// fakeItems is an ItemSource over fixed snapshots.
type fakeItems map[string]ItemSnapshot

func (f fakeItems) Item(_ context.Context, code string, _ int, _ map[string]string) (ItemSnapshot, error) {
	it, ok := f[code]
	if !ok {
		return ItemSnapshot{}, errs.E(errs.NotFound, "item_not_found", "事项不存在")
	}
	return it, nil
}

func materials() []ItemMaterial {
	return []ItemMaterial{
		{ID: "m1", Name: "申请书", Required: true},
		{ID: "m2", Name: "营业场所证明", Required: true, PendingAllowed: true},
		{ID: "m3", Name: "无犯罪记录证明", Required: true, CommitmentAllowed: true},
	}
}

func testItems() fakeItems {
	all := append(materials(), ItemMaterial{ID: "m4", Name: "委托书"})
	base := ItemSnapshot{Version: 1, OrgID: orgA, Org: "示范县市场监督管理局", RegionCode: "990121", Domain: "商事登记",
		Checklist: materials(), Materials: all, Published: true, Reconsider: "示范县人民政府", Litigation: "示范县人民法院"}
	p := base
	p.Code, p.Name, p.CaseType = itemPromised, "食品经营许可", "promised"
	p.PromisedLimit, p.LegalLimit = Limit{10, "working_day"}, Limit{20, "working_day"}
	i := base
	i.Code, i.Name, i.CaseType = itemImmediate, "个体工商户名称变更", "immediate"
	i.PromisedLimit, i.LegalLimit = Limit{0, "working_day"}, Limit{20, "working_day"}
	c := base
	c.Code, c.Name, c.CaseType = itemCustom, "公共场所卫生许可", "promised"
	c.PromisedLimit, c.LegalLimit = Limit{10, "working_day"}, Limit{20, "working_day"}
	c.Steps = []TemplateStep{{Name: "受理", Role: "clerk", Share: 0.2}, {Name: "现场勘查", Role: "reviewer", StopsClock: true, Days: 5},
		{Name: "审查", Role: "reviewer", Share: 0.4}, {Name: "决定", Role: "approver", Share: 0.4}}
	pc := base
	pc.Code, pc.Name, pc.CaseType = itemCertificate, "食品生产许可", "promised"
	pc.PromisedLimit, pc.LegalLimit = Limit{10, "working_day"}, Limit{20, "working_day"}
	pc.Steps = []TemplateStep{{Name: "受理", Role: "clerk", Share: 0.2}, {Name: "审查", Role: "reviewer", Share: 0.3},
		{Name: "决定", Role: "approver", Share: 0.3}, {Name: "制证", Role: "clerk", Share: 0.2}}
	return fakeItems{p.Code: p, i.Code: i, c.Code: c, pc.Code: pc}
}

// fakeAuthz grants window powers per clerk user id.
type fakeAuthz map[int64]WindowPowers

func (f fakeAuthz) WindowPowers(_ context.Context, userID, _, orgID int64, _, _, _ string) (WindowPowers, error) {
	w, ok := f[userID]
	if !ok || orgID != orgA {
		return WindowPowers{}, errs.E(errs.Forbidden, "no_window_authorization", "无授权")
	}
	return w, nil
}

// cast are the test principals.
type cast struct {
	applicant, other, clerk, clerkNoAuth, clerkAcceptOnly, reviewer, approver, approverB, supervisor *auth.Principal
}

func newCast(applicantID, otherID int64) cast {
	staff := func(id int64, org int64, roles ...auth.Role) *auth.Principal {
		return &auth.Principal{UserID: id, Name: "工作人员", Kind: auth.KindStaff, Roles: roles, RegionCode: "990121", OrgID: org}
	}
	return cast{
		applicant: &auth.Principal{UserID: applicantID, Name: "张三", Kind: auth.KindPerson, Roles: []auth.Role{auth.Applicant},
			IDNumber: "11010519491231002X", Phone: "13800000000"},
		other:           &auth.Principal{UserID: otherID, Name: "李四", Kind: auth.KindPerson, Roles: []auth.Role{auth.Applicant}},
		clerk:           staff(1001, 0, auth.Clerk),
		clerkNoAuth:     staff(1002, 0, auth.Clerk),
		clerkAcceptOnly: staff(1003, 0, auth.Clerk),
		reviewer:        staff(1004, orgA, auth.Reviewer),
		approver:        staff(1005, orgA, auth.Approver),
		approverB:       staff(1006, orgB, auth.Approver),
		supervisor:      staff(1007, 0, auth.Supervisor),
	}
}

type env struct {
	d   *db.DB
	clk *clock.Sim
	svc *Service
	who cast
	cal *calendar.Calendar
}

// bj is a Beijing wall-clock instant.
func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai).UTC()
}

func newEnv(t testing.TB, d *db.DB, start time.Time) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFrozen(start)
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, start) }); err != nil {
		t.Fatalf("seed calendar: %v", err)
	}
	uids := make([]int64, 2)
	for i, idn := range []string{"11010519491231002X", otherID} {
		err := d.W.QueryRowContext(ctx, `INSERT INTO users (login, name, kind, password_hash, phone, id_number, created_at, updated_at)
			VALUES ($1, $2, 'person', 'x', '13800000000', $3, $4, $4)
			ON CONFLICT (login) DO UPDATE SET name = excluded.name RETURNING id`, "u"+idn, "申请人", idn, start).Scan(&uids[i])
		if err != nil {
			t.Fatalf("insert user: %v", err)
		}
	}
	who := newCast(uids[0], uids[1])
	cal := calendar.New(d, clk)
	authz := fakeAuthz{
		who.clerk.UserID:           {WindowID: windowA, CanAccept: true, CanDecide: true},
		who.clerkAcceptOnly.UserID: {WindowID: windowA, CanAccept: true},
	}
	svc := NewService(Deps{DB: d, Clock: clk, Items: testItems(), Calendar: CalendarAdapter{Cal: cal}, Authorizer: authz})
	return &env{d: d, clk: clk, svc: svc, who: who, cal: cal}
}

// otherID is a valid citizen ID (check character computed by the ids package).
var otherID = "11010119900307001" + string(ids.CitizenIDCheck("11010119900307001"))

const hashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const hashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

func fullMaterials() []MaterialInput {
	return []MaterialInput{{MaterialID: "m1", File: hashA}, {MaterialID: "m2", Paper: true}, {MaterialID: "m3", License: "EL-001"}}
}

// mustSubmitOnline files a complete online application of item.
func (e *env) mustSubmitOnline(t testing.TB, item string) *Case {
	t.Helper()
	r, err := e.svc.Submit(context.Background(), e.who.applicant, SubmitRequest{Item: item, Channel: Online, Materials: fullMaterials()})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r.Case
}

// mustSubmitWindow files a complete application at the window.
func (e *env) mustSubmitWindow(t testing.TB, item string) *Case {
	t.Helper()
	r, err := e.svc.Submit(context.Background(), e.who.clerk, SubmitRequest{Item: item, Channel: Window, Materials: fullMaterials(),
		Applicant: &Applicant{Name: "王五", IDNumber: otherID}})
	if err != nil {
		t.Fatalf("submit at window: %v", err)
	}
	return r.Case
}

// okFn returns a checker that fails t on an action error.
func okFn(t testing.TB) func(*Case, error) *Case {
	return func(c *Case, err error) *Case {
		t.Helper()
		if err != nil {
			t.Fatalf("action: %v", err)
		}
		return c
	}
}

// wantErr fails unless err matches the sentinel by kind and code.
func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %s/%s", err, want.Kind, want.Code)
	}
}

// count returns a single integer from q.
func count(t testing.TB, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("count %q: %v", q, err)
	}
	return n
}

func (e *env) timelineLen(t testing.TB, no string) int {
	return count(t, e.d, `SELECT COUNT(*) FROM audit_events WHERE stream = $1`, "case/"+no)
}

func (e *env) get(t testing.TB, no string) *Case {
	t.Helper()
	c, err := e.svc.Get(context.Background(), e.who.supervisor, no)
	if err != nil {
		t.Fatalf("get %s: %v", no, err)
	}
	return c
}
