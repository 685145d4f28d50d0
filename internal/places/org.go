package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Org is an organization (部门/单位): a department, a vertically managed
// agency, a public institution, a utility, a bank or an intermediary.
type Org struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	ShortName  string    `json:"short_name"`
	USCC       string    `json:"uscc"`
	RegionCode string    `json:"region_code"`
	Kind       OrgKind   `json:"kind"`
	Phone      string    `json:"phone"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Label is the short name, or the name when there is none.
func (o Org) Label() string {
	if o.ShortName != "" {
		return o.ShortName
	}
	return o.Name
}

const orgCols = `id, name, short_name, uscc, region_code, kind, phone, created_at, updated_at`

func scanOrg(row interface{ Scan(...any) error }) (Org, error) {
	var o Org
	err := row.Scan(&o.ID, &o.Name, &o.ShortName, &o.USCC, &o.RegionCode, &o.Kind, &o.Phone, &o.CreatedAt, &o.UpdatedAt)
	return o, err
}

func getOrg(ctx context.Context, q db.Q, id int64) (Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = $1`, id))
	if err != nil {
		return Org{}, fmt.Errorf("org %d: %w", id, notFound(err, ErrOrgNotFound))
	}
	return o, nil
}

func queryOrgs(ctx context.Context, q db.Q, where string, args ...any) ([]Org, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE `+where+` ORDER BY region_code, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list orgs: %w", err)
	}
	defer rows.Close()
	out := []Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("list orgs: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (o Org) normalize() Org {
	o.Name = strings.TrimSpace(o.Name)
	o.ShortName = strings.TrimSpace(o.ShortName)
	o.USCC = ids.NormalizeUSCC(o.USCC)
	o.RegionCode = strings.TrimSpace(o.RegionCode)
	o.Kind = OrgKind(strings.TrimSpace(string(o.Kind)))
	o.Phone = strings.TrimSpace(o.Phone)
	return o
}

// validateOrg checks o whole; self is o's id on update (0 on create).
func validateOrg(ctx context.Context, q db.Q, o Org, self int64) error {
	var fe errs.Fields
	switch {
	case o.Name == "":
		fe.Add("name", "请填写单位名称")
	case tooLong(o.Name, 100):
		fe.Add("name", "单位名称不能超过 100 个字")
	}
	if tooLong(o.ShortName, 30) {
		fe.Add("short_name", "简称不能超过 30 个字")
	}
	if o.USCC == "" {
		fe.Add("uscc", "请填写统一社会信用代码")
	} else if err := ids.ValidateUSCC(o.USCC); err != nil {
		e, _ := errs.As(err)
		fe.Add("uscc", e.Message)
	} else {
		var id int64
		var name string
		err := q.QueryRowContext(ctx, `SELECT id, name FROM orgs WHERE uscc = $1`, o.USCC).Scan(&id, &name)
		if err == nil && id != self {
			fe.Addf("uscc", "统一社会信用代码 %s 已被「%s」使用", o.USCC, name)
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if err := checkRegionRef(ctx, q, "region_code", o.RegionCode, &fe); err != nil {
		return err
	}
	if o.Kind == "" {
		fe.Add("kind", "请选择单位类型")
	} else if !o.Kind.Valid() {
		fe.Addf("kind", "单位类型应为：%s", names(OrgKinds))
	}
	if !validPhone(o.Phone) {
		fe.Add("phone", "联系电话只能包含数字、“-”和空格，最长 30 位")
	}
	return fe.Err()
}

// checkRegionRef records a field error unless code names an existing region.
func checkRegionRef(ctx context.Context, q db.Q, field, code string, fe *errs.Fields) error {
	if code == "" {
		fe.Add(field, "请选择所在行政区划")
		return nil
	}
	if _, err := ids.RegionCodeLevel(code); err != nil {
		fe.Add(field, ids.ErrRegionCode.Message)
		return nil
	}
	_, err := getRegion(ctx, q, code)
	if errors.Is(err, ErrRegionNotFound) {
		fe.Addf(field, "行政区划代码 %s 不存在", code)
		return nil
	}
	return err
}

// OrgFilter narrows an organization list.
type OrgFilter struct {
	Region string  // organizations inside this region
	Kind   OrgKind // one kind only
}

// ListOrgs lists organizations; anyone may read them.
func (s *Service) ListOrgs(ctx context.Context, p *auth.Principal, f OrgFilter) ([]Org, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Region != "" {
		args = append(args, within(f.Region))
		where = append(where, fmt.Sprintf("region_code LIKE $%d", len(args)))
	}
	if f.Kind != "" {
		args = append(args, string(f.Kind))
		where = append(where, fmt.Sprintf("kind = $%d", len(args)))
	}
	return queryOrgs(ctx, s.db.R, strings.Join(where, " AND "), args...)
}

// Org returns one organization; anyone may read it.
func (s *Service) Org(ctx context.Context, p *auth.Principal, id int64) (Org, error) {
	return getOrg(ctx, s.db.R, id)
}

// OrgByName finds the organization of region called name exactly.
func (s *Service) OrgByName(ctx context.Context, regionCode, name string) (Org, error) {
	o, err := scanOrg(s.db.R.QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE region_code = $1 AND name = $2 ORDER BY id LIMIT 1`, regionCode, name))
	if err != nil {
		return Org{}, fmt.Errorf("org %s in %s: %w", name, regionCode, notFound(err, ErrOrgNotFound.Withf("%s 没有名为「%s」的单位", regionCode, name)))
	}
	return o, nil
}

// CreateOrg adds an organization.
func (s *Service) CreateOrg(ctx context.Context, p *auth.Principal, o Org) (Org, error) {
	if err := auth.Require(p, orgManagers...); err != nil {
		return Org{}, err
	}
	o = o.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := validateOrg(ctx, tx, o, 0); err != nil {
			return err
		}
		if !p.InRegion(o.RegionCode) {
			return auth.ErrOutOfScope
		}
		var err error
		o, err = insertOrg(ctx, tx, s.clk.Now(), actor(p, orgManagers...), o)
		return err
	})
	if err != nil {
		return Org{}, fmt.Errorf("create org %q: %w", o.Name, err)
	}
	return o, nil
}

func insertOrg(ctx context.Context, q db.Q, at time.Time, who audit.Actor, o Org) (Org, error) {
	o.CreatedAt, o.UpdatedAt = at, at
	err := q.QueryRowContext(ctx, `INSERT INTO orgs (name, short_name, uscc, region_code, kind, phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		o.Name, o.ShortName, o.USCC, o.RegionCode, string(o.Kind), o.Phone, at).Scan(&o.ID)
	if err != nil {
		return Org{}, err
	}
	_, err = audit.Append(ctx, q, at, who, fmt.Sprintf("org/%d", o.ID), "org.create", change{After: o})
	return o, err
}

// UpdateOrg changes an organization; both its old and new region must be in scope.
func (s *Service) UpdateOrg(ctx context.Context, p *auth.Principal, o Org) (Org, error) {
	if err := auth.Require(p, orgManagers...); err != nil {
		return Org{}, err
	}
	o = o.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getOrg(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if !p.InRegion(before.RegionCode) {
			return auth.ErrOutOfScope
		}
		if err := validateOrg(ctx, tx, o, o.ID); err != nil {
			return err
		}
		if !p.InRegion(o.RegionCode) {
			return auth.ErrOutOfScope
		}
		now := s.clk.Now()
		o.CreatedAt, o.UpdatedAt = before.CreatedAt, now
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET name = $1, short_name = $2, uscc = $3, region_code = $4, kind = $5, phone = $6, updated_at = $7 WHERE id = $8`,
			o.Name, o.ShortName, o.USCC, o.RegionCode, string(o.Kind), o.Phone, now, o.ID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, actor(p, orgManagers...), fmt.Sprintf("org/%d", o.ID), "org.update", change{Before: before, After: o})
		return err
	})
	if err != nil {
		return Org{}, fmt.Errorf("update org %d: %w", o.ID, err)
	}
	return o, nil
}

// DeleteOrg removes an organization nothing refers to.
func (s *Service) DeleteOrg(ctx context.Context, p *auth.Principal, id int64) error {
	if err := auth.Require(p, orgManagers...); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.InRegion(before.RegionCode) {
			return auth.ErrOutOfScope
		}
		for _, c := range []struct{ sql, what string }{
			{`SELECT COUNT(*) FROM window_authorizations WHERE org_id = $1`, "窗口授权书"},
			{`SELECT COUNT(*) FROM windows WHERE org_id = $1`, "窗口"},
			{`SELECT COUNT(*) FROM users WHERE org_id = $1`, "用户"},
		} {
			var n int
			if err := tx.QueryRowContext(ctx, c.sql, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrInUse.Withf("「%s」还有 %d 个%s", before.Name, n, c.what)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM orgs WHERE id = $1`, id); err != nil {
			return inUse(s.db.Translate(err))
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, orgManagers...), fmt.Sprintf("org/%d", id), "org.delete", change{Before: before})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete org %d: %w", id, err)
	}
	return nil
}
