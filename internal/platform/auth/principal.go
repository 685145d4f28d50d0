// Package auth knows who is calling: users and their roles and scopes,
// password hashing, server-side sessions, login throttling, CSRF tokens and
// API bearer tokens. Areas receive a *Principal and decide authorization in
// their services with Require and the scope helpers.
package auth

import (
	"slices"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Role is a user role (see spec 00-overview "Who uses it").
type Role string

const (
	Applicant    Role = "applicant"
	Clerk        Role = "clerk"
	Reviewer     Role = "reviewer"
	Approver     Role = "approver"
	Supervisor   Role = "supervisor"
	CatalogAdmin Role = "catalog_admin"
	HotlineAgent Role = "hotline_agent"
	Agency       Role = "agency"
	Admin        Role = "admin"
)

// Roles lists every role in display order.
var Roles = []Role{Applicant, Clerk, Reviewer, Approver, Supervisor, CatalogAdmin, HotlineAgent, Agency, Admin}

// StaffRoles are the roles a staff account may hold.
var StaffRoles = []Role{Clerk, Reviewer, Approver, Supervisor, CatalogAdmin, HotlineAgent, Agency, Admin}

// Name is the Chinese name of a role.
func (r Role) Name() string {
	switch r {
	case Applicant:
		return "办事群众/企业"
	case Clerk:
		return "综合窗口人员"
	case Reviewer:
		return "审查人员"
	case Approver:
		return "审批（决定）人员"
	case Supervisor:
		return "电子监察/管理人员"
	case CatalogAdmin:
		return "事项管理员（审改办）"
	case HotlineAgent:
		return "12345 热线坐席"
	case Agency:
		return "中介机构"
	case Admin:
		return "系统管理员"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// User kinds.
const (
	KindStaff      = "staff"
	KindPerson     = "person"     // 自然人
	KindEnterprise = "enterprise" // 法人
)

// Principal is the authenticated caller of a request or command.
type Principal struct {
	UserID      int64
	Login       string
	Name        string
	Kind        string
	Roles       []Role
	RegionCode  string // scope: the region the user works in ("" for applicants)
	OrgID       int64  // scope: the organization (0 if none)
	HallID      int64  // scope: the hall (0 if none)
	ElderlyMode bool
	IDNumber    string // citizen ID or USCC of an applicant
	Phone       string
}

// Has reports whether p holds role r.
func (p *Principal) Has(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// HasAny reports whether p holds one of roles.
func (p *Principal) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// InRegion reports whether a record of region code lies in p's scope. Staff
// of a city see their counties; an admin with no region sees everything.
func (p *Principal) InRegion(code string) bool {
	if p == nil {
		return false
	}
	if p.RegionCode == "" {
		return p.Has(Admin)
	}
	return ids.InRegion(code, p.RegionCode)
}

// Actor is p as recorded in the audit trail, under its most relevant role.
func (p *Principal) Actor(role Role) audit.Actor {
	if p == nil {
		return audit.System
	}
	return audit.Actor{ID: p.UserID, Role: string(role)}
}

// PrimaryRole is the first role p holds, in the order of Roles.
func (p *Principal) PrimaryRole() Role {
	for _, r := range Roles {
		if p.Has(r) {
			return r
		}
	}
	return ""
}

var (
	ErrUnauthenticated = errs.E(errs.Unauthenticated, "unauthenticated", "请先登录")
	ErrForbidden       = errs.E(errs.Forbidden, "forbidden", "您没有执行该操作的权限")
	ErrOutOfScope      = errs.E(errs.Forbidden, "out_of_scope", "该记录不在您的管辖范围内")
)

// Require fails unless p is authenticated and holds one of roles (any role
// when none are given).
func Require(p *Principal, roles ...Role) error {
	if p == nil {
		return ErrUnauthenticated
	}
	if len(roles) == 0 || p.HasAny(roles...) {
		return nil
	}
	return ErrForbidden
}

// RequireRegion fails unless p holds one of roles and code is in its scope.
func RequireRegion(p *Principal, code string, roles ...Role) error {
	if err := Require(p, roles...); err != nil {
		return err
	}
	if !p.InRegion(code) {
		return ErrOutOfScope
	}
	return nil
}
