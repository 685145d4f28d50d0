package reform

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
)

// fixture is a fresh schema with two counties, four organizations and the
// people who work with reform tasks.
type fixture struct {
	d   *db.DB
	clk *clock.Sim
	svc *Service
	cal *calendar.Calendar
	// organizations
	market, land, approval, dongshan int64
	// principals
	supervisor, supervisorDS, approverMarket, clerkLand, approverLand, applicant *auth.Principal
}

// bj is a Beijing wall-clock instant.
func bj(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, clock.Shanghai).UTC()
}

func newFixture(t testing.TB, d *db.DB, now time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{d: d, clk: clock.NewFrozen(now)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range [][4]string{{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"},
		{"990121", "示范县", "county", "990100"}, {"990122", "东山县", "county", "990100"}} {
		var parent any
		if r[3] != "" {
			parent = r[3]
		}
		_, err := d.W.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`, r[0], r[1], r[2], parent, now)
		must(err)
	}
	must(d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, now) }))
	org := func(name, uscc, region string) int64 {
		var id int64
		must(d.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at) VALUES ($1, $2, $3, 'department', $4, $4) RETURNING id`,
			name, uscc, region, now).Scan(&id))
		return id
	}
	f.market = org("示范县市场监督管理局", "11990121000000001A", "990121")
	f.land = org("示范县自然资源局", "11990121000000002A", "990121")
	f.approval = org("示范县行政审批服务局", "11990121000000003A", "990121")
	f.dongshan = org("东山县行政审批服务局", "11990122000000004A", "990122")
	user := func(login string, orgID int64, region string, kind string, roles ...auth.Role) *auth.Principal {
		var id int64
		var orgArg, regionArg any
		if orgID != 0 {
			orgArg = orgID
		}
		if region != "" {
			regionArg = region
		}
		must(d.W.QueryRowContext(ctx, `INSERT INTO users (login, name, kind, password_hash, org_id, region_code, created_at, updated_at)
			VALUES ($1, $2, $3, 'x', $4, $5, $6, $6) RETURNING id`, login, "测试"+login, kind, orgArg, regionArg, now).Scan(&id))
		for _, r := range roles {
			_, err := d.W.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, id, string(r))
			must(err)
		}
		return &auth.Principal{UserID: id, Login: login, Name: "测试" + login, Kind: kind, Roles: roles, RegionCode: region, OrgID: orgID}
	}
	f.supervisor = user("sup", f.approval, "990121", auth.KindStaff, auth.Supervisor)
	f.supervisorDS = user("supds", f.dongshan, "990122", auth.KindStaff, auth.Supervisor)
	f.approverMarket = user("apm", f.market, "990121", auth.KindStaff, auth.Approver)
	f.clerkLand = user("clkland", f.land, "990121", auth.KindStaff, auth.Clerk)
	f.approverLand = user("apland", f.land, "990121", auth.KindStaff, auth.Approver)
	f.applicant = user("app", 0, "", auth.KindPerson, auth.Applicant)
	f.cal = calendar.New(d, f.clk)
	f.svc = NewService(d, f.clk, f.cal)
	return f
}

// mustTask creates a task as the supervisor.
func (f *fixture) mustTask(t testing.TB, title, start, deadline string, lead int64, units ...int64) Task {
	t.Helper()
	tk, err := f.svc.Create(context.Background(), f.supervisor, TaskInput{Title: title, LeadOrgID: lead, UnitIDs: units,
		StartDate: start, Deadline: deadline, SourceDoc: "示政办发〔2026〕1号"})
	if err != nil {
		t.Fatalf("create task %s: %v", title, err)
	}
	return tk
}

// mustComplete marks a task done on a given day (the clock must be at or after it).
func (f *fixture) mustComplete(t testing.TB, id int64, on string) {
	t.Helper()
	if _, err := f.svc.Complete(context.Background(), f.supervisor, id, CompleteInput{Evidence: "已印发实施方案并上线运行", CompletedOn: on}); err != nil {
		t.Fatalf("complete task %d: %v", id, err)
	}
}

func intp(n int) *int { return &n }

// wantErr fails unless err matches want by kind and code.
func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %s/%s", err, want.Kind, want.Code)
	}
}

// fieldsOf returns field → message of a validation error.
func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if e, ok := errs.As(err); ok {
		for _, fe := range e.Fields {
			if _, dup := out[fe.Field]; !dup {
				out[fe.Field] = fe.Message
			}
		}
	}
	return out
}
