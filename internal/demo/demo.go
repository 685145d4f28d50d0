// Package demo seeds the fictional 示范市 demo: places, one account per role,
// and (as areas land) the catalog and living cases. Seeding is idempotent:
// running it twice changes nothing the second time.
package demo

import (
	"context"
	"errors"
	"fmt"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
)

// Password is the password of every demo account (printed by `banhao demo`).
const Password = "Banhao2026"

// Account is a demo login.
type Account struct {
	Role  auth.Role
	Login string
	Name  string
	Note  string
}

// Demo region codes (fictional; 99 is no real province).
const (
	County   = "990121"
	Township = "990121001"
)

// personID and enterpriseUSCC are fictional identifiers with valid check characters.
var (
	personID       = withCitizenCheck("99012119850312162")
	enterpriseUSCC = withUSCCCheck("91990121MA0BH0001")
)

func withCitizenCheck(b string) string { return b + string(ids.CitizenIDCheck(b)) }
func withUSCCCheck(b string) string    { return b + string(ids.USCCCheck(b)) }

// Accounts lists the demo logins, one per role.
func Accounts() []Account {
	return []Account{
		{auth.Applicant, personID, "张三", "个人（自然人）"},
		{auth.Applicant, enterpriseUSCC, "示范县好味道餐饮有限公司", "企业（法人）"},
		{auth.Clerk, "clerk", "李娜", "综合窗口 A01"},
		{auth.Reviewer, "reviewer", "王强", "市场监管局审查"},
		{auth.Approver, "approver", "赵敏", "市场监管局首席代表"},
		{auth.Supervisor, "supervisor", "刘洋", "电子监察"},
		{auth.CatalogAdmin, "catalog", "陈静", "审改办"},
		{auth.HotlineAgent, "hotline", "周婷", "12345 热线"},
		{auth.Agency, "agency", "孙伟", "示范县建设工程咨询有限公司"},
		{auth.Admin, "admin", "系统管理员", "全部权限"},
	}
}

// SeedUsers creates the demo accounts that do not exist yet.
func SeedUsers(ctx context.Context, a *auth.Service, orgFor func(auth.Role) int64, hallID int64) error {
	sys := auth.SystemPrincipal()
	for _, acc := range Accounts() {
		_, err := a.UserByLogin(ctx, acc.Login)
		if err == nil {
			continue
		}
		if !errors.Is(err, auth.ErrUserNotFound) {
			return err
		}
		switch {
		case acc.Role == auth.Applicant && acc.Login == personID:
			_, err = a.Register(ctx, auth.NewUser{Kind: auth.KindPerson, Name: acc.Name, IDNumber: acc.Login, Phone: "13800000001", Password: Password})
		case acc.Role == auth.Applicant:
			_, err = a.Register(ctx, auth.NewUser{Kind: auth.KindEnterprise, Name: acc.Name, IDNumber: acc.Login, Phone: "13800000002",
				LegalRep: "王大厨", Contact: "王大厨", Password: Password})
		default:
			var org int64
			if orgFor != nil {
				org = orgFor(acc.Role)
			}
			var hall int64
			if acc.Role == auth.Clerk {
				hall = hallID
			}
			_, err = a.CreateUser(ctx, sys, auth.NewUser{Kind: auth.KindStaff, Login: acc.Login, Name: acc.Name, Password: Password,
				Roles: []auth.Role{acc.Role}, RegionCode: County, OrgID: org, HallID: hall})
		}
		if err != nil {
			return fmt.Errorf("seed demo user %s: %w", acc.Login, err)
		}
	}
	return nil
}

// IsEmpty reports whether the database has no users yet (demo seeds then).
func IsEmpty(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}
