package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// User is an account: staff or applicant.
type User struct {
	ID          int64     `json:"id"`
	Login       string    `json:"login"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Phone       string    `json:"phone,omitempty"`
	Email       string    `json:"email,omitempty"`
	IDNumber    string    `json:"id_number,omitempty"`
	LegalRep    string    `json:"legal_rep,omitempty"`
	Contact     string    `json:"contact,omitempty"`
	OrgID       int64     `json:"org_id,omitempty"`
	RegionCode  string    `json:"region_code,omitempty"`
	HallID      int64     `json:"hall_id,omitempty"`
	Roles       []Role    `json:"roles"`
	ElderlyMode bool      `json:"elderly_mode"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

// Principal returns the user as a request principal.
func (u User) Principal() *Principal {
	return &Principal{UserID: u.ID, Login: u.Login, Name: u.Name, Kind: u.Kind, Roles: u.Roles,
		RegionCode: u.RegionCode, OrgID: u.OrgID, HallID: u.HallID, ElderlyMode: u.ElderlyMode,
		IDNumber: u.IDNumber, Phone: u.Phone}
}

// Service manages users, sessions, throttling and API tokens.
type Service struct {
	d    *db.DB
	clk  clock.Clock // business time (audit)
	wall clock.Clock // sessions and throttling use real time even in demo mode
	hash HashParams
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// Throttle limits failed logins within ThrottleWindow.
	MaxFailuresPerLogin, MaxFailuresPerIP int
	ThrottleWindow                        time.Duration

	tokens *tokenCache
}

// NewService returns an auth service. wall may be nil for clock.Wall.
func NewService(d *db.DB, clk clock.Clock, hash HashParams) *Service {
	return &Service{d: d, clk: clk, wall: clock.Wall{}, hash: hash, SessionTTL: 12 * time.Hour,
		MaxFailuresPerLogin: 5, MaxFailuresPerIP: 30, ThrottleWindow: 15 * time.Minute, tokens: newTokenCache()}
}

// SetWallClock replaces the clock for sessions and throttling (tests).
func (s *Service) SetWallClock(c clock.Clock) { s.wall = c }

// NewUser is the input of CreateUser and Register.
type NewUser struct {
	Login      string `json:"login"`
	Name       string `json:"name"`
	Password   string `json:"password"`
	Kind       string `json:"kind"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	IDNumber   string `json:"id_number"`
	LegalRep   string `json:"legal_rep"`
	Contact    string `json:"contact"`
	OrgID      int64  `json:"org_id"`
	RegionCode string `json:"region_code"`
	HallID     int64  `json:"hall_id"`
	Roles      []Role `json:"roles"`
}

var (
	loginRe = regexp.MustCompile(`^[A-Za-z0-9_.\-@]{3,40}$`)
	phoneRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

func (s *Service) validate(u *NewUser, now time.Time) error {
	var fe errs.Fields
	u.Login = strings.TrimSpace(u.Login)
	u.Name = strings.TrimSpace(u.Name)
	u.Phone = strings.TrimSpace(u.Phone)
	if !loginRe.MatchString(u.Login) {
		fe.Add("login", "账号应为 3–40 位字母、数字或 _ . - @")
	}
	if n := utf8.RuneCountInString(u.Name); n < 2 || n > 60 {
		fe.Add("name", "请填写 2–60 个字的姓名或名称")
	}
	if err := CheckPasswordPolicy(u.Password); err != nil {
		fe.Add("password", err.Error())
	}
	if u.Phone != "" && !phoneRe.MatchString(u.Phone) {
		fe.Add("phone", "手机号码应为 11 位，以 1 开头")
	}
	if u.Email != "" && (!emailRe.MatchString(u.Email) || len(u.Email) > 100) {
		fe.Add("email", "电子邮箱格式不正确（不超过 100 个字符）")
	}
	if utf8.RuneCountInString(u.LegalRep) > 60 {
		fe.Add("legal_rep", "法定代表人姓名不能超过 60 个字")
	}
	if utf8.RuneCountInString(u.Contact) > 100 {
		fe.Add("contact", "联系人信息不能超过 100 个字")
	}
	switch u.Kind {
	case KindPerson:
		u.IDNumber = ids.NormalizeCitizenID(u.IDNumber)
		if err := ids.ValidateCitizenID(u.IDNumber, now); err != nil {
			fe.Add("id_number", err.(*errs.Error).Message)
		}
		if u.Phone == "" {
			fe.Add("phone", "请填写手机号码")
		}
		u.Roles = []Role{Applicant}
	case KindEnterprise:
		u.IDNumber = ids.NormalizeUSCC(u.IDNumber)
		if err := ids.ValidateUSCC(u.IDNumber); err != nil {
			fe.Add("id_number", err.(*errs.Error).Message)
		}
		if utf8.RuneCountInString(strings.TrimSpace(u.LegalRep)) < 2 {
			fe.Add("legal_rep", "请填写法定代表人姓名")
		}
		if u.Phone == "" {
			fe.Add("phone", "请填写联系电话（手机号码）")
		}
		u.Roles = []Role{Applicant}
	case KindStaff:
		u.IDNumber = ""
		if len(u.Roles) == 0 {
			fe.Add("roles", "请至少选择一个角色")
		}
		for _, r := range u.Roles {
			if !slices.Contains(StaffRoles, r) {
				fe.Addf("roles", "未知或不适用于工作人员的角色：%s", r)
			}
		}
		if u.RegionCode != "" {
			if _, err := ids.RegionCodeLevel(u.RegionCode); err != nil {
				fe.Add("region_code", err.(*errs.Error).Message)
			}
		}
	default:
		fe.Add("kind", "账号类型应为 staff（工作人员）、person（自然人）或 enterprise（法人）")
	}
	return fe.Err()
}

// CheckPasswordPolicy requires 8–72 characters with letters and digits.
func CheckPasswordPolicy(pw string) error {
	if n := utf8.RuneCountInString(pw); n < 8 || n > 72 {
		return errors.New("密码应为 8–72 位")
	}
	if !strings.ContainsAny(pw, "0123456789") || strings.IndexFunc(pw, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}) < 0 {
		return errors.New("密码须同时包含字母和数字")
	}
	return nil
}

// CreateUser creates a staff or applicant account. Only an admin may create
// staff, and only inside its region scope. p may be SystemPrincipal (CLI).
func (s *Service) CreateUser(ctx context.Context, p *Principal, u NewUser) (User, error) {
	if err := Require(p, Admin); err != nil {
		return User{}, err
	}
	if u.Kind == "" {
		u.Kind = KindStaff
	}
	now := s.clk.Now()
	if err := s.validate(&u, now); err != nil {
		return User{}, err
	}
	if err := s.checkRefs(ctx, u.OrgID, u.HallID, u.RegionCode); err != nil {
		return User{}, err
	}
	if u.Kind == KindStaff && u.RegionCode == "" && p.RegionCode != "" {
		u.RegionCode = p.RegionCode
	}
	if u.RegionCode != "" && !p.InRegion(u.RegionCode) {
		return User{}, ErrOutOfScope
	}
	return s.insert(ctx, p.Actor(Admin), u, now)
}

// Register creates an applicant account (natural or legal person) from the
// public registration form.
func (s *Service) Register(ctx context.Context, u NewUser) (User, error) {
	if u.Kind != KindPerson && u.Kind != KindEnterprise {
		return User{}, errs.Field("kind", "kind", "请选择自然人或法人注册")
	}
	now := s.clk.Now()
	u.Login = ids.NormalizeCitizenID(u.IDNumber)
	if u.Kind == KindEnterprise {
		u.Login = ids.NormalizeUSCC(u.IDNumber)
	}
	if err := s.validate(&u, now); err != nil {
		var fe *errs.Error
		if errors.As(err, &fe) {
			// The login is derived from the ID number; report it there only.
			out := fe.Fields[:0:0]
			for _, f := range fe.Fields {
				if f.Field != "login" {
					out = append(out, f)
				}
			}
			if len(out) > 0 {
				return User{}, errs.Fields(out).Err()
			}
			return User{}, errs.Field("id_number", "id_number", "请填写证件号码")
		}
		return User{}, err
	}
	return s.insert(ctx, audit.Actor{Role: string(Applicant)}, u, now)
}

func (s *Service) insert(ctx context.Context, actor audit.Actor, u NewUser, now time.Time) (User, error) {
	hash, err := HashPassword(u.Password, s.hash)
	if err != nil {
		return User{}, err
	}
	var id int64
	err = s.d.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (login, name, kind, password_hash, phone, email, id_number, legal_rep, contact, org_id, region_code, hall_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
			u.Login, u.Name, u.Kind, hash, u.Phone, u.Email, nullStr(u.IDNumber), u.LegalRep, u.Contact,
			nullID(u.OrgID), nullStr(u.RegionCode), nullID(u.HallID), now).Scan(&id)
		if err != nil {
			if db.IsDuplicate(s.d.Translate(err)) {
				if u.Kind == KindStaff {
					return errs.E(errs.Conflict, "login_taken", "该账号已存在").OnField("login")
				}
				return errs.E(errs.Conflict, "login_taken", "该证件号码已注册，请直接登录").OnField("id_number")
			}
			if errors.Is(s.d.Translate(err), db.ErrReference) {
				return errs.E(errs.Invalid, "reference", "所属单位、区划或大厅不存在")
			}
			return err
		}
		if err := setRoles(ctx, tx, id, u.Roles); err != nil {
			return err
		}
		if actor.ID == 0 && actor.Role == string(Applicant) {
			actor.ID = id
		}
		_, err = audit.Append(ctx, tx, now, actor, fmt.Sprintf("user/%d", id), "create",
			map[string]any{"after": map[string]any{"login": u.Login, "kind": u.Kind, "roles": u.Roles, "org_id": u.OrgID, "region_code": u.RegionCode}})
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("create user (kind %s): %w", u.Kind, err) // no login: it may be a citizen ID
	}
	return s.UserByID(ctx, id)
}

// checkRefs names each scope field that refers to no record, so the form
// and the API can point at it (the foreign key alone cannot say which).
func (s *Service) checkRefs(ctx context.Context, orgID, hallID int64, region string) error {
	var fe errs.Fields
	for _, c := range []struct {
		field, query, msg string
		set               bool
		arg               any
	}{
		{"org_id", `SELECT EXISTS (SELECT 1 FROM orgs WHERE id = $1)`, fmt.Sprintf("单位编号 %d 不存在", orgID), orgID != 0, orgID},
		{"hall_id", `SELECT EXISTS (SELECT 1 FROM halls WHERE id = $1)`, fmt.Sprintf("大厅编号 %d 不存在", hallID), hallID != 0, hallID},
		{"region_code", `SELECT EXISTS (SELECT 1 FROM regions WHERE code = $1)`, "行政区划代码 " + region + " 不存在", region != "", region},
	} {
		if !c.set || fe.Has(c.field) {
			continue
		}
		var ok bool
		if err := s.d.R.QueryRowContext(ctx, c.query, c.arg).Scan(&ok); err != nil {
			return fmt.Errorf("check %s: %w", c.field, err)
		}
		if !ok {
			fe.Add(c.field, c.msg)
		}
	}
	return fe.Err()
}

func setRoles(ctx context.Context, tx *sql.Tx, id int64, roles []Role) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, id); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, id, string(r)); err != nil {
			return err
		}
	}
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const userCols = `id, login, name, kind, password_hash, phone, email, COALESCE(id_number, ''), legal_rep, contact,
	COALESCE(org_id, 0), COALESCE(region_code, ''), COALESCE(hall_id, 0), elderly_mode, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, string, error) {
	var u User
	var hash string
	err := row.Scan(&u.ID, &u.Login, &u.Name, &u.Kind, &hash, &u.Phone, &u.Email, &u.IDNumber, &u.LegalRep, &u.Contact,
		&u.OrgID, &u.RegionCode, &u.HallID, &u.ElderlyMode, &u.Disabled, &u.CreatedAt)
	return u, hash, err
}

// ErrUserNotFound is returned for an unknown user.
var ErrUserNotFound = errs.E(errs.NotFound, "user_not_found", "用户不存在")

func (s *Service) loadRoles(ctx context.Context, q db.Q, u *User) error {
	rows, err := q.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role`, u.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	u.Roles = nil
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return err
		}
		u.Roles = append(u.Roles, Role(r))
	}
	slices.SortFunc(u.Roles, func(a, b Role) int { return slices.Index(Roles, a) - slices.Index(Roles, b) })
	return rows.Err()
}

// UserByID loads a user with roles.
// ViewUser returns user id for an administrator whose region covers the
// user's (applicants have no region and are visible to every admin). It is
// the one check behind the user page and GET /api/v1/users/{id}.
func (s *Service) ViewUser(ctx context.Context, p *Principal, id int64) (User, error) {
	if err := Require(p, Admin); err != nil {
		return User{}, err
	}
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	if u.RegionCode != "" && !p.InRegion(u.RegionCode) {
		return User{}, ErrOutOfScope
	}
	return u, nil
}

func (s *Service) UserByID(ctx context.Context, id int64) (User, error) {
	u, _, err := scanUser(s.d.R.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, s.loadRoles(ctx, s.d.R, &u)
}

// UserByLogin loads a user with roles.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	u, _, err := s.userByLogin(ctx, login)
	return u, err
}

func (s *Service) userByLogin(ctx context.Context, login string) (User, string, error) {
	u, hash, err := scanUser(s.d.R.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE login = $1`, strings.TrimSpace(login)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", ErrUserNotFound
	}
	if err != nil {
		return User{}, "", fmt.Errorf("load user by login: %w", err)
	}
	return u, hash, s.loadRoles(ctx, s.d.R, &u)
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Kind  string
	Role  Role
	OrgID int64
	Query string
	Limit int
}

// ListUsers lists users in p's scope (admin only). Applicants have no region
// and are listed for admins of every scope.
func (s *Service) ListUsers(ctx context.Context, p *Principal, f UserFilter) ([]User, error) {
	if err := Require(p, Admin); err != nil {
		return nil, err
	}
	where := []string{"1=1"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if p.RegionCode != "" {
		where = append(where, "(region_code IS NULL OR region_code LIKE "+arg(ids.RegionPrefix(p.RegionCode)+"%")+")")
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(f.Kind))
	}
	if f.OrgID != 0 {
		where = append(where, "org_id = "+arg(f.OrgID))
	}
	if f.Role != "" {
		where = append(where, "id IN (SELECT user_id FROM user_roles WHERE role = "+arg(string(f.Role))+")")
	}
	if f.Query != "" {
		a := arg("%" + f.Query + "%")
		where = append(where, "(login LIKE "+a+" OR name LIKE "+a+")")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.d.R.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE `+strings.Join(where, " AND ")+` ORDER BY kind DESC, id LIMIT `+arg(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.loadRoles(ctx, s.d.R, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UserUpdate is the editable part of a staff account.
type UserUpdate struct {
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	OrgID      int64  `json:"org_id"`
	RegionCode string `json:"region_code"`
	HallID     int64  `json:"hall_id"`
	Roles      []Role `json:"roles"`
	Disabled   bool   `json:"disabled"`
	Password   string `json:"password,omitempty"` // optional reset
}

// UpdateUser edits a staff account (admin, in scope), audited.
func (s *Service) UpdateUser(ctx context.Context, p *Principal, id int64, up UserUpdate) (User, error) {
	if err := Require(p, Admin); err != nil {
		return User{}, err
	}
	before, err := s.UserByID(ctx, id)
	if err != nil {
		return User{}, err
	}
	if before.Kind != KindStaff {
		// Applicants manage their own profile; an admin may only disable or
		// re-enable an applicant account (e.g. after misuse), audited.
		return s.setApplicantDisabled(ctx, p, before, up.Disabled)
	}
	if before.RegionCode != "" && !p.InRegion(before.RegionCode) {
		return User{}, ErrOutOfScope
	}
	if err := s.checkRefs(ctx, up.OrgID, up.HallID, strings.TrimSpace(up.RegionCode)); err != nil {
		return User{}, err
	}
	if up.RegionCode != "" && !p.InRegion(up.RegionCode) {
		return User{}, ErrOutOfScope
	}
	nu := NewUser{Login: before.Login, Name: up.Name, Password: up.Password, Kind: KindStaff, Phone: up.Phone, Email: up.Email,
		RegionCode: up.RegionCode, OrgID: up.OrgID, HallID: up.HallID, Roles: up.Roles}
	if up.Password == "" {
		nu.Password = "unchanged1" // policy check skipped: no reset requested
	}
	now := s.clk.Now()
	if err := s.validate(&nu, now); err != nil {
		return User{}, err
	}
	if id == p.UserID && (!slices.Contains(up.Roles, Admin) || up.Disabled) {
		return User{}, errs.E(errs.Conflict, "self_lockout", "不能取消自己的管理员角色或停用自己的账号")
	}
	err = s.d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, phone = $2, email = $3, org_id = $4, region_code = $5, hall_id = $6, disabled = $7, updated_at = $8 WHERE id = $9`,
			nu.Name, nu.Phone, nu.Email, nullID(nu.OrgID), nullStr(nu.RegionCode), nullID(nu.HallID), up.Disabled, now, id); err != nil {
			if errors.Is(s.d.Translate(err), db.ErrReference) {
				return errs.E(errs.Invalid, "reference", "所属单位、区划或大厅不存在")
			}
			return err
		}
		if up.Password != "" {
			hash, err := HashPassword(up.Password, s.hash)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		if up.Disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
		}
		if err := setRoles(ctx, tx, id, nu.Roles); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, now, p.Actor(Admin), fmt.Sprintf("user/%d", id), "update", map[string]any{
			"before":         map[string]any{"name": before.Name, "roles": before.Roles, "org_id": before.OrgID, "region_code": before.RegionCode, "disabled": before.Disabled},
			"after":          map[string]any{"name": nu.Name, "roles": nu.Roles, "org_id": nu.OrgID, "region_code": nu.RegionCode, "disabled": up.Disabled},
			"password_reset": up.Password != ""})
		return err
	})
	s.tokens.reset()
	if err != nil {
		return User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return s.UserByID(ctx, id)
}

// SetElderlyMode stores the 适老化 preference of a user.
func (s *Service) SetElderlyMode(ctx context.Context, userID int64, on bool) error {
	_, err := s.d.W.ExecContext(ctx, `UPDATE users SET elderly_mode = $1 WHERE id = $2`, on, userID)
	s.tokens.reset()
	if err != nil {
		return fmt.Errorf("set elderly mode: %w", err)
	}
	return nil
}

// SystemPrincipal is the all-powerful caller used by CLI commands run by the
// operator on the server itself.
func SystemPrincipal() *Principal {
	return &Principal{Login: "system", Name: "系统", Kind: KindStaff, Roles: []Role{Admin}}
}

func (s *Service) setApplicantDisabled(ctx context.Context, p *Principal, before User, disabled bool) (User, error) {
	now := s.clk.Now()
	err := s.d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3`, disabled, now, before.ID); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, before.ID); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, now, p.Actor(Admin), fmt.Sprintf("user/%d", before.ID), "update", map[string]any{
			"before": map[string]any{"disabled": before.Disabled}, "after": map[string]any{"disabled": disabled}})
		return err
	})
	s.tokens.reset()
	if err != nil {
		return User{}, fmt.Errorf("update applicant %d: %w", before.ID, err)
	}
	return s.UserByID(ctx, before.ID)
}
