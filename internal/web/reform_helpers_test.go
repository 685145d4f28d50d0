package web

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
)

// reformFixture adds organizations and the people who work with reform
// tasks to a test server.
type reformFixture struct {
	e                      *testEnv
	market, land, approval int64
	// tokens
	sup, apm, clkLand, apLand string
}

func newReformFixture(t *testing.T, e *testEnv) *reformFixture {
	t.Helper()
	ctx := context.Background()
	f := &reformFixture{e: e}
	org := func(name, uscc string) int64 {
		var id int64
		if err := e.DB.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at) VALUES ($1, $2, '990121', 'department', $3, $3) RETURNING id`,
			name, uscc, e.Sim.Now()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.market = org("示范县市场监督管理局", "11990121000000001A")
	f.land = org("示范县自然资源局", "11990121000000002A")
	f.approval = org("示范县行政审批服务局", "11990121000000003A")
	user := func(login string, orgID int64, roles ...auth.Role) string {
		if _, err := e.Auth.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Kind: auth.KindStaff, Login: login, Name: "测试" + login,
			Password: "Passw0rd!", RegionCode: "990121", OrgID: orgID, Roles: roles}); err != nil {
			t.Fatalf("create user %s: %v", login, err)
		}
		return e.mustToken(login)
	}
	f.sup = user("sup", f.approval, auth.Supervisor)
	f.apm = user("apm", f.market, auth.Approver)
	f.clkLand = user("clkland", f.land, auth.Clerk)
	f.apLand = user("apland", f.land, auth.Approver)
	return f
}

// mustTask creates a task through the API and returns its id.
func (f *reformFixture) mustTask(t *testing.T, body map[string]any) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	if st := f.e.apiCall("POST", "/api/v1/reform/tasks", f.sup, body, &out); st != 201 {
		t.Fatalf("create task: status %d", st)
	}
	return out.ID
}
