package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestLoginLogoutAndRoleNavigation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.mustUser("adm", "990121", auth.Admin)
		b := e.browser()
		if status, _ := b.get("/workbench"); status != http.StatusUnauthorized {
			t.Fatalf("anonymous /workbench: got %d, want 401", status)
		}
		b.login("adm", "Passw0rd!")
		status, body := b.get("/workbench")
		if status != http.StatusOK || !strings.Contains(body, `href="/admin/users"`) || !strings.Contains(body, "系统管理员") {
			t.Fatalf("admin workbench: status %d, nav missing", status)
		}
		status, body, _ = b.post("/workbench", "/logout", nil)
		if status != http.StatusOK || !strings.Contains(body, "您已安全退出") {
			t.Fatalf("logout: status %d", status)
		}
		if status, _ := b.get("/workbench"); status != http.StatusUnauthorized {
			t.Fatalf("after logout: got %d, want 401", status)
		}
	})
}

func TestFormsRejectMissingCSRF(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	resp, err := http.PostForm(e.HTTP.URL+"/login", url.Values{"login": {"adm"}, "password": {"Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without csrf: got %d, want 403", resp.StatusCode)
	}
}

func TestLoginThrottledPerAccount(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	b := e.browser()
	for i := 0; i < 5; i++ {
		status, body, _ := b.post("/login", "/login", url.Values{"login": {"adm"}, "password": {"wrong-pass1"}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "账号或密码错误") {
			t.Fatalf("attempt %d: got %d, want 401 with message", i, status)
		}
	}
	status, body, _ := b.post("/login", "/login", url.Values{"login": {"adm"}, "password": {"Passw0rd!"}})
	if status != http.StatusTooManyRequests || !strings.Contains(body, "登录失败次数过多") {
		t.Fatalf("6th attempt with the right password: got %d, want 429 throttled", status)
	}
}

func TestAPIAuthErrorsAreProblems(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	e.mustUser("clk", "990121", auth.Clerk)
	var p Problem
	if got := e.apiCall("GET", "/api/v1/users", "", nil, &p); got != 401 || p.Code != "unauthenticated" {
		t.Fatalf("anonymous: got %d %q, want 401 unauthenticated", got, p.Code)
	}
	if got := e.apiCall("GET", "/api/v1/users", e.mustToken("clk"), nil, &p); got != 403 || p.Code != "forbidden" {
		t.Fatalf("clerk: got %d %q, want 403 forbidden", got, p.Code)
	}
	if got := e.apiCall("GET", "/api/v1/users", "bh_nonsense", nil, &p); got != 401 || p.Code != "bad_token" {
		t.Fatalf("bad token: got %d %q, want 401 bad_token", got, p.Code)
	}
	tok := e.mustToken("adm")
	var l struct{ Total int }
	if got := e.apiCall("GET", "/api/v1/users", tok, nil, &l); got != 200 || l.Total != 2 {
		t.Fatalf("admin list: got %d total %d, want 200 and 2", got, l.Total)
	}
}

func TestTokenRevokeStopsAccess(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.mustUser("adm", "990121", auth.Admin)
		tok := e.mustToken("adm")
		var toks struct {
			Items []auth.Token
		}
		if got := e.apiCall("GET", "/api/v1/tokens", tok, nil, &toks); got != 200 || len(toks.Items) != 1 {
			t.Fatalf("list tokens: %d %+v", got, toks)
		}
		if toks.Items[0].LastUsedAt == nil {
			t.Fatal("last_used_at not recorded")
		}
		if got := e.apiCall("DELETE", "/api/v1/tokens/"+itoa(toks.Items[0].ID), tok, nil, nil); got != 204 {
			t.Fatalf("revoke: got %d, want 204", got)
		}
		if got := e.apiCall("GET", "/api/v1/me", tok, nil, nil); got != 401 {
			t.Fatalf("revoked token: got %d, want 401", got)
		}
	})
}

func TestRegisterValidatesIDsAndLogsIn(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	cases := []struct {
		name, kind, id, field string
	}{
		{"bad citizen check digit", "person", "110105194912310021", "id_number"},
		{"bad uscc check char", "enterprise", "91350100M000100Y44", "id_number"},
		{"citizen id too short", "person", "11010519491231", "id_number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p Problem
			got := e.apiCall("POST", "/api/v1/register", "", map[string]string{"kind": c.kind, "name": "王小二", "id_number": c.id,
				"phone": "13900000000", "password": "abc12345", "legal_rep": "王小二"}, &p)
			if got != 422 || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
				t.Fatalf("got %d %+v, want 422 on %s", got, p, c.field)
			}
		})
	}
	b := e.browser()
	status, body, path := b.post("/register", "/register", url.Values{"kind": {"person"}, "name": {"张三"}, "id_number": {"11010519491231002x"},
		"phone": {"13900000000"}, "password": {"abc12345"}, "password2": {"abc12345"}})
	if status != http.StatusOK || path != "/my" || !strings.Contains(body, "张三") {
		t.Fatalf("register: status %d path %s", status, path)
	}
	// The same ID cannot register twice.
	var p Problem
	if got := e.apiCall("POST", "/api/v1/register", "", map[string]string{"kind": "person", "name": "张三", "id_number": "11010519491231002X",
		"phone": "13900000000", "password": "abc12345"}, &p); got != 409 {
		t.Fatalf("duplicate registration: got %d %+v, want 409", got, p)
	}
	var n int
	if err := e.DB.R.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("users after bad input: %d, want 1", n)
	}
}

func TestElderlyModeSticks(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	b := e.browser()
	_, body := b.get("/")
	if strings.Contains(body, `class="elderly"`) {
		t.Fatal("elderly mode on by default")
	}
	b.post("/", "/prefs/elderly", url.Values{"on": {"1"}, "next": {"/register"}})
	_, body = b.get("/login")
	if !strings.Contains(body, `<body class="elderly">`) || !strings.Contains(body, "退出长辈模式") {
		t.Fatal("elderly mode did not stick across pages")
	}
}

func TestDemoClockOnlyInDemoMode(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	tok := e.mustToken("adm")
	before := e.Sim.Now()
	var c clockData
	if got := e.apiCall("POST", "/api/v1/admin/clock", tok, map[string]string{"advance": "48h"}, &c); got != 200 || !c.Now.Equal(before.Add(48*3600e9)) {
		t.Fatalf("advance: got %d now %v, want %v", got, c.Now, before.Add(48*3600e9))
	}
	// The move is audited: who, and the time before and after.
	evs, err := audit.Stream(context.Background(), e.DB.R, "clock")
	if err != nil || len(evs) != 1 {
		t.Fatalf("clock audit: got %d events, %v; want 1", len(evs), err)
	}
	adm, _ := e.Auth.UserByLogin(context.Background(), "adm")
	var data struct {
		Before struct{ Now time.Time } `json:"before"`
		After  struct{ Now time.Time } `json:"after"`
	}
	if err := json.Unmarshal(evs[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if evs[0].ActorID != adm.ID || !data.Before.Now.Equal(before) || !data.After.Now.Equal(c.Now) {
		t.Fatalf("clock audit: got actor %d %s→%s, want %d %s→%s", evs[0].ActorID, data.Before.Now, data.After.Now, adm.ID, before, c.Now)
	}
	var p Problem
	if got := e.apiCall("POST", "/api/v1/admin/clock", tok, map[string]string{"advance": "-1h"}, &p); got != 422 || p.Code != "clock_backwards" {
		t.Fatalf("backwards: got %d %s", got, p.Code)
	}
	e.Srv.Sim = nil // production: wall clock
	if got := e.apiCall("POST", "/api/v1/admin/clock", tok, map[string]string{"advance": "1h"}, &p); got != 403 || p.Code != "clock_not_demo" {
		t.Fatalf("production: got %d %s, want 403 clock_not_demo", got, p.Code)
	}
}

func itoa(n int64) string { return strconvI(n) }

// A rejected staff form marks each failing input invalid and ties it to its
// message, so a screen reader announces what to fix.
func TestUserFormLinksErrorsToInputs(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	b := e.browser()
	b.login("adm", "Passw0rd!")
	status, body, _ := b.post("/admin/users/new", "/admin/users", url.Values{"login": {"x"}, "name": {"窗口人员"}, "password": {"Passw0rd1"},
		"roles": {"clerk"}, "hall_id": {"424242"}, "region_code": {"990121"}})
	if status != 422 {
		t.Fatalf("status: got %d, want 422", status)
	}
	for _, f := range []string{"login"} {
		if !strings.Contains(body, `aria-invalid="true" aria-describedby="`+f+`-error"`) || !strings.Contains(body, `id="`+f+`-error"`) {
			t.Errorf("input %s is not marked invalid and linked to its message", f)
		}
	}
	if strings.Contains(body, `id="name" name="name" value="窗口人员" aria-invalid`) {
		t.Error("a valid input is marked invalid")
	}
	status, body, _ = b.post("/admin/users/new", "/admin/users", url.Values{"login": {"clerk9"}, "name": {"窗口人员"}, "password": {"Passw0rd1"},
		"roles": {"clerk"}, "hall_id": {"424242"}, "region_code": {"990121"}})
	if status != 422 || !strings.Contains(body, `aria-describedby="hall_id-error"`) || !strings.Contains(body, `id="hall_id-error"`) {
		t.Fatalf("unknown hall: status %d, want 422 with the hall field marked", status)
	}
}
