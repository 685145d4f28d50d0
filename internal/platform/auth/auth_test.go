package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

func setup(t *testing.T, d *db.DB) (*auth.Service, *clock.Sim) {
	t.Helper()
	clk := clock.NewFrozen(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	for _, r := range [][4]string{{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"}, {"990121", "示范县", "county", "990100"}, {"990122", "东山县", "county", "990100"}} {
		var parent any
		if r[3] != "" {
			parent = r[3]
		}
		if _, err := d.W.Exec(`INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`, r[0], r[1], r[2], parent, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	s := auth.NewService(d, clk, auth.TestHash)
	s.SetWallClock(clk)
	return s, clk
}

func TestPasswordHashIsArgon2idAndChecks(t *testing.T) {
	h, err := auth.HashPassword("abc12345", auth.DefaultHash)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(h, "abc12345"); !ok {
		t.Fatal("right password rejected")
	}
	if ok, _ := auth.CheckPassword(h, "abc12346"); ok {
		t.Fatal("wrong password accepted")
	}
	if h[:10] != "$argon2id$" {
		t.Fatalf("hash %q is not argon2id", h)
	}
}

func TestAdminScopeAndRoles(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s, _ := setup(t, d)
		ctx := context.Background()
		cityAdmin, err := s.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Login: "city", Name: "市管理员", Password: "Passw0rd1", Roles: []auth.Role{auth.Admin}, RegionCode: "990100"})
		if err != nil {
			t.Fatal(err)
		}
		eastAdmin, err := s.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Login: "east", Name: "东山管理员", Password: "Passw0rd1", Roles: []auth.Role{auth.Admin}, RegionCode: "990122"})
		if err != nil {
			t.Fatal(err)
		}
		clerk, _ := s.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Login: "clk", Name: "窗口", Password: "Passw0rd1", Roles: []auth.Role{auth.Clerk}, RegionCode: "990121"})
		tests := []struct {
			name string
			by   *auth.Principal
			u    auth.NewUser
			want error
		}{
			{"city admin creates in its county", cityAdmin.Principal(), auth.NewUser{Login: "aa1", Name: "县审查", Password: "Passw0rd1", Roles: []auth.Role{auth.Reviewer}, RegionCode: "990121"}, nil},
			{"county admin cannot create in another county", eastAdmin.Principal(), auth.NewUser{Login: "aa2", Name: "县审查", Password: "Passw0rd1", Roles: []auth.Role{auth.Reviewer}, RegionCode: "990121"}, auth.ErrOutOfScope},
			{"clerk cannot create users", clerk.Principal(), auth.NewUser{Login: "aa3", Name: "县审查", Password: "Passw0rd1", Roles: []auth.Role{auth.Reviewer}}, auth.ErrForbidden},
			{"anonymous cannot create users", nil, auth.NewUser{Login: "aa4", Name: "县审查", Password: "Passw0rd1", Roles: []auth.Role{auth.Reviewer}}, auth.ErrUnauthenticated},
		}
		for _, c := range tests {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, c.by, c.u)
				if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
			})
		}
		bad := []struct {
			name  string
			u     auth.NewUser
			field string
		}{
			{"unknown role", auth.NewUser{Login: "bb1", Name: "某某", Password: "Passw0rd1", Roles: []auth.Role{"boss"}}, "roles"},
			{"applicant role for staff", auth.NewUser{Login: "bb2", Name: "某某", Password: "Passw0rd1", Roles: []auth.Role{auth.Applicant}}, "roles"},
			{"weak password", auth.NewUser{Login: "bb3", Name: "某某", Password: "password", Roles: []auth.Role{auth.Clerk}}, "password"},
			{"bad region code", auth.NewUser{Login: "bb4", Name: "某某", Password: "Passw0rd1", Roles: []auth.Role{auth.Clerk}, RegionCode: "99012"}, "region_code"},
			{"bad phone", auth.NewUser{Login: "bb5", Name: "某某", Password: "Passw0rd1", Roles: []auth.Role{auth.Clerk}, Phone: "12345"}, "phone"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, auth.SystemPrincipal(), c.u)
				e, ok := errs.As(err)
				if !ok || e.Kind != errs.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
					t.Fatalf("got %v, want invalid on %s", err, c.field)
				}
			})
		}
		users, err := s.ListUsers(ctx, eastAdmin.Principal(), auth.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.RegionCode != "" && u.RegionCode != "990122" {
				t.Fatalf("east admin sees user %s of region %s", u.Login, u.RegionCode)
			}
		}
	})
}

func TestThrottlePerAddressAndSessionExpiry(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s, clk := setup(t, d)
		s.MaxFailuresPerIP = 3
		ctx := context.Background()
		if _, err := s.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Login: "user1", Name: "用户一", Password: "Passw0rd1", Roles: []auth.Role{auth.Clerk}}); err != nil {
			t.Fatal(err)
		}
		for i, login := range []string{"xx1", "xx2", "xx3"} {
			if _, err := s.Login(ctx, login, "nope", "10.0.0.9"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, err := s.Login(ctx, "user1", "Passw0rd1", "10.0.0.9"); !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("4th failure from one address: got %v, want throttled", err)
		}
		sess, err := s.Login(ctx, "user1", "Passw0rd1", "10.0.0.10")
		if err != nil {
			t.Fatalf("other address: %v", err)
		}
		clk.Advance(16 * time.Minute)
		if _, err := s.Login(ctx, "user1", "Passw0rd1", "10.0.0.9"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		if _, err := s.SessionByToken(ctx, sess.Token); err != nil {
			t.Fatalf("live session: %v", err)
		}
		clk.Advance(13 * time.Hour)
		if _, err := s.SessionByToken(ctx, sess.Token); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("expired session: got %v", err)
		}
	})
}

// Bad scope references and overlong fields are named, and nothing is written.
func TestUserInputNamesTheFailingField(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s, _ := setup(t, d)
		ctx := context.Background()
		sys := auth.SystemPrincipal()
		base := func() auth.NewUser {
			return auth.NewUser{Login: "clerk1", Name: "窗口人员", Password: "Passw0rd1", Roles: []auth.Role{auth.Clerk}, RegionCode: "990121"}
		}
		long := strings.Repeat("长", 101)
		for _, tc := range []struct {
			name  string
			edit  func(*auth.NewUser)
			field string
		}{
			{"an unknown organization is named", func(u *auth.NewUser) { u.OrgID = 99999 }, "org_id"},
			{"an unknown hall is named", func(u *auth.NewUser) { u.HallID = 99999 }, "hall_id"},
			{"an unknown region is named, not out of scope", func(u *auth.NewUser) { u.RegionCode = "990123" }, "region_code"},
			{"an overlong e-mail is rejected", func(u *auth.NewUser) { u.Email = "a@b.c" + strings.Repeat("m", 100) }, "email"},
			{"an overlong contact is rejected", func(u *auth.NewUser) { u.Contact = long }, "contact"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				u := base()
				tc.edit(&u)
				_, err := s.CreateUser(ctx, sys, u)
				e, ok := errs.As(err)
				if !ok || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
					t.Fatalf("got %v, want invalid on %s", err, tc.field)
				}
				if _, err := s.UserByLogin(ctx, "clerk1"); !errors.Is(err, auth.ErrUserNotFound) {
					t.Fatalf("a rejected user was written: %v", err)
				}
			})
		}
		u, err := s.CreateUser(ctx, sys, base())
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateUser(ctx, sys, u.ID, auth.UserUpdate{Name: u.Name, Roles: u.Roles, RegionCode: "990121", OrgID: 424242})
		if e, ok := errs.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "org_id" {
			t.Fatalf("update with unknown org: got %v, want invalid on org_id", err)
		}
		if _, _, err := s.CreateToken(ctx, sys, "clerk1", strings.Repeat("名", 61)); err == nil || errs.KindOf(err) != errs.Invalid {
			t.Fatalf("overlong token name: got %v, want invalid", err)
		}
		if toks, _ := s.ListTokens(ctx, sys, u.ID); len(toks) != 0 {
			t.Fatalf("a rejected token was written: %d tokens", len(toks))
		}
	})
}

func TestAdminDisablesApplicant(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		s, _ := setup(t, d)
		ctx := context.Background()
		adm, err := s.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Login: "adm", Name: "管理员", Password: "Passw0rd1", Roles: []auth.Role{auth.Admin}, RegionCode: "990121"})
		if err != nil {
			t.Fatal(err)
		}
		app, err := s.Register(ctx, auth.NewUser{Kind: auth.KindPerson, Name: "张三", IDNumber: "11010519491231002X", Phone: "13900000000", Password: "abc12345"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUser(ctx, adm.Principal(), app.ID, auth.UserUpdate{Disabled: true}); err != nil {
			t.Fatalf("disable applicant: %v", err)
		}
		if _, err := s.Login(ctx, "11010519491231002X", "abc12345", "10.0.0.1"); !errors.Is(err, auth.ErrDisabled) {
			t.Fatalf("disabled applicant login: %v", err)
		}
	})
}
