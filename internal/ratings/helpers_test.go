package ratings

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

const (
	itemImmediate = "0700002000-990121-01"
	orgA          = int64(100)
	orgB          = int64(200)
	windowA       = int64(10)
)

// fakeItems serves one immediate item of orgA (即办件, decided on the spot).
type fakeItems struct{}

func (fakeItems) Item(_ context.Context, code string, _ int, _ map[string]string) (cases.ItemSnapshot, error) {
	if code != itemImmediate {
		return cases.ItemSnapshot{}, errs.E(errs.NotFound, "item_not_found", "事项不存在")
	}
	ms := []cases.ItemMaterial{{ID: "m1", Name: "申请书", Required: true}}
	return cases.ItemSnapshot{Code: code, Version: 1, Name: "个体工商户名称变更", OrgID: orgA, Org: "示范县市场监督管理局", RegionCode: "990121",
		Domain: "商事登记", CaseType: "immediate", LegalLimit: cases.Limit{Days: 20, Unit: "working_day"}, PromisedLimit: cases.Limit{Unit: "working_day"},
		Checklist: ms, Materials: ms, Published: true}, nil
}

// fakeAuthz lets the test clerk accept and decide at windowA.
type fakeAuthz struct{ clerk int64 }

func (f fakeAuthz) WindowPowers(_ context.Context, userID, _, _ int64, _, _, _ string) (cases.WindowPowers, error) {
	if userID != f.clerk {
		return cases.WindowPowers{}, errs.E(errs.Forbidden, "no_window_authorization", "无授权")
	}
	return cases.WindowPowers{WindowID: windowA, CanAccept: true, CanDecide: true}, nil
}

type cast struct {
	applicant, other, clerk, deptA, deptB, supervisor, hotline, supervisorB *auth.Principal
}

type env struct {
	d     *db.DB
	clk   *clock.Sim
	cases *cases.Service
	svc   *Service
	who   cast
}

// bj is a Beijing wall-clock instant.
func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai).UTC()
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	start := bj(2026, 3, 2, 9, 0) // a Monday
	clk := clock.NewFrozen(start)
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, start) }); err != nil {
		t.Fatalf("seed calendar: %v", err)
	}
	user := func(login, kind string) int64 {
		var id int64
		err := d.W.QueryRowContext(ctx, `INSERT INTO users (login, name, kind, password_hash, phone, created_at, updated_at)
			VALUES ($1, $1, $2, 'x', '13800000000', $3, $3) RETURNING id`, login, kind, start).Scan(&id)
		if err != nil {
			t.Fatalf("insert user: %v", err)
		}
		return id
	}
	staff := func(login string, org int64, region string, roles ...auth.Role) *auth.Principal {
		return &auth.Principal{UserID: user(login, "staff"), Name: login, Kind: auth.KindStaff, Roles: roles, RegionCode: region, OrgID: org}
	}
	w := cast{
		applicant: &auth.Principal{UserID: user("zhang", "person"), Name: "张三", Kind: auth.KindPerson, Roles: []auth.Role{auth.Applicant},
			IDNumber: "11010519491231002X", Phone: "13800000000"},
		other:       &auth.Principal{UserID: user("li", "person"), Name: "李四", Kind: auth.KindPerson, Roles: []auth.Role{auth.Applicant}},
		clerk:       staff("clerk", 0, "990121", auth.Clerk),
		deptA:       staff("deptA", orgA, "990121", auth.Reviewer),
		deptB:       staff("deptB", orgB, "990121", auth.Reviewer),
		supervisor:  staff("sup", 0, "990121", auth.Supervisor),
		hotline:     staff("hot", 0, "990121", auth.HotlineAgent),
		supervisorB: staff("supB", 0, "990122", auth.Supervisor),
	}
	cal := calendar.New(d, clk)
	cs := cases.NewService(cases.Deps{DB: d, Clock: clk, Items: fakeItems{}, Calendar: cases.CalendarAdapter{Cal: cal}, Authorizer: fakeAuthz{clerk: w.clerk.UserID}})
	svc := NewService(Deps{DB: d, Clock: clk, Directory: CasesDirectory{Cases: cs}, Calendar: WorkingCalendar{Cal: cal}, BaseURL: "https://banhao.example"})
	return &env{d: d, clk: clk, cases: cs, svc: svc, who: w}
}

// concluded files an online case for the applicant, decides it on the spot
// at the window and concludes it; it returns the case and its query code.
func (e *env) concluded(t testing.TB) (*cases.Case, string) {
	t.Helper()
	ctx := context.Background()
	res, err := e.cases.Submit(ctx, e.who.applicant, cases.SubmitRequest{Item: itemImmediate, Channel: cases.Online,
		Materials: []cases.MaterialInput{{MaterialID: "m1", Paper: true}}})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	no := res.Case.No
	if _, err := e.cases.DecideOnSpot(ctx, e.who.clerk, no, cases.DecideRequest{Outcome: "grant", Result: &cases.GrantResult{CertificateNo: "GT-1"}}); err != nil {
		t.Fatalf("decide on spot: %v", err)
	}
	c, err := e.cases.Conclude(ctx, e.who.clerk, no)
	if err != nil {
		t.Fatalf("conclude: %v", err)
	}
	return c, res.QueryCode
}

// wantErr fails unless err is target (by kind and code).
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// bad is a valid level-1 rating of the online tag set.
func bad() RateRequest {
	return RateRequest{Level: 1, Tags: []string{"反复提交仍未办成"}, Comment: "来回提交了三次"}
}

func outboxMsg(id int64, payload string) outbox.Message {
	return outbox.Message{ID: id, Topic: cases.TopicEvent, Payload: json.RawMessage(payload), Attempt: 1}
}

var linkRe = regexp.MustCompile(`/rate/([A-Za-z0-9_-]{20,64})`)

// lastLinkToken reads the rating link from the last SMS about case no.
func lastLinkToken(t testing.TB, e *env, no string) string {
	t.Helper()
	var payload string
	err := e.d.R.QueryRowContext(context.Background(), `SELECT payload FROM outbox WHERE topic = $1 AND payload LIKE $2 ORDER BY id DESC LIMIT 1`,
		notify.TopicSMS, "%"+no+"%/rate/%").Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	m := linkRe.FindStringSubmatch(payload)
	if m == nil {
		t.Fatalf("no link in SMS %s", payload)
	}
	return m[1]
}

func errsAs(err error) (*errs.Error, bool) { return errs.As(err) }
