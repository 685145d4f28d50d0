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

// Region is an administrative division (行政区划) with a GB/T 2260 code:
// six digits down to county, nine for a township, twelve for a village.
type Region struct {
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Level      ids.RegionLevel `json:"level"`
	ParentCode string          `json:"parent_code,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
}

// LevelName is the Chinese name of the region's level.
func (r Region) LevelName() string { return r.Level.Name() }

// RegionFilter narrows a region list.
type RegionFilter struct {
	Within string          // codes inside this region (itself included)
	Parent string          // direct children of this region
	Level  ids.RegionLevel // one level only
}

const regionCols = `code, name, level, COALESCE(parent_code, ''), created_at`

func scanRegion(row interface{ Scan(...any) error }) (Region, error) {
	var r Region
	err := row.Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode, &r.CreatedAt)
	return r, err
}

func getRegion(ctx context.Context, q db.Q, code string) (Region, error) {
	r, err := scanRegion(q.QueryRowContext(ctx, `SELECT `+regionCols+` FROM regions WHERE code = $1`, code))
	if err != nil {
		return Region{}, fmt.Errorf("region %s: %w", code, notFound(err, ErrRegionNotFound))
	}
	return r, nil
}

func queryRegions(ctx context.Context, q db.Q, where string, args ...any) ([]Region, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+regionCols+` FROM regions WHERE `+where+` ORDER BY code`, args...)
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	defer rows.Close()
	out := []Region{}
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, fmt.Errorf("list regions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// parentLevel is the level a region of level l hangs under. A county may
// also hang directly under a province (省直辖县级行政区).
func parentLevels(l ids.RegionLevel) []ids.RegionLevel {
	switch l {
	case ids.City:
		return []ids.RegionLevel{ids.Province}
	case ids.County:
		return []ids.RegionLevel{ids.City, ids.Province}
	case ids.Township:
		return []ids.RegionLevel{ids.County}
	case ids.Village:
		return []ids.RegionLevel{ids.Township}
	}
	return nil
}

// normalize trims the input and fills the level and parent implied by the
// code when they were left empty.
func (r Region) normalize() Region {
	r.Code = strings.TrimSpace(r.Code)
	r.Name = strings.TrimSpace(r.Name)
	r.ParentCode = strings.TrimSpace(r.ParentCode)
	r.Level = ids.RegionLevel(strings.TrimSpace(string(r.Level)))
	return r
}

// validateRegion checks a new region whole: code format, level consistent
// with the code, and a parent that exists one level up and contains the code.
func validateRegion(ctx context.Context, q db.Q, r *Region) error {
	var fe errs.Fields
	if r.Name == "" {
		fe.Add("name", "请填写行政区划名称")
	} else if tooLong(r.Name, 50) {
		fe.Add("name", "行政区划名称不能超过 50 个字")
	}
	if r.Code == "" {
		fe.Add("code", "请填写行政区划代码")
		return fe.Err()
	}
	lvl, err := ids.RegionCodeLevel(r.Code)
	if err != nil {
		fe.Add("code", ids.ErrRegionCode.Message)
		return fe.Err()
	}
	switch {
	case r.Level == "":
		r.Level = lvl
	case !validLevel(r.Level):
		fe.Add("level", "级别应为省级、市级、县级、乡镇（街道）或村（社区）")
	case r.Level != lvl:
		fe.Addf("level", "级别与代码不符：代码 %s 是%s行政区划代码，不是%s", r.Code, lvl.Name(), r.Level.Name())
	}
	if existing, err := getRegion(ctx, q, r.Code); err == nil {
		fe.Addf("code", "行政区划代码 %s 已存在（%s）", r.Code, existing.Name)
	} else if !errors.Is(err, ErrRegionNotFound) {
		return err
	}
	if err := checkParent(ctx, q, r, lvl, &fe); err != nil {
		return err
	}
	return fe.Err()
}

func validLevel(l ids.RegionLevel) bool {
	for _, v := range ids.Levels {
		if v == l {
			return true
		}
	}
	return false
}

func checkParent(ctx context.Context, q db.Q, r *Region, lvl ids.RegionLevel, fe *errs.Fields) error {
	if lvl == ids.Province {
		if r.ParentCode != "" {
			fe.Add("parent_code", "省级行政区划没有上级，请留空")
		}
		return nil
	}
	if r.ParentCode == "" {
		r.ParentCode = ids.RegionParentCode(r.Code)
		// A county with no city above it hangs under its province.
		if lvl == ids.County {
			if _, err := getRegion(ctx, q, r.ParentCode); errors.Is(err, ErrRegionNotFound) {
				if _, err := getRegion(ctx, q, r.Code[:2]+"0000"); err == nil {
					r.ParentCode = r.Code[:2] + "0000"
				}
			}
		}
	}
	parent, err := getRegion(ctx, q, r.ParentCode)
	if errors.Is(err, ErrRegionNotFound) {
		fe.Addf("parent_code", "上级行政区划 %s 不存在，请先添加上级", r.ParentCode)
		return nil
	}
	if err != nil {
		return err
	}
	ok := false
	for _, l := range parentLevels(lvl) {
		ok = ok || parent.Level == l
	}
	if !ok {
		fe.Addf("parent_code", "%s（%s）是%s，不能作为%s行政区划的上级", parent.Name, parent.Code, parent.Level.Name(), lvl.Name())
		return nil
	}
	if !ids.InRegion(r.Code, parent.Code) {
		fe.Addf("code", "代码 %s 不在上级行政区划 %s（%s）的代码范围内", r.Code, parent.Name, parent.Code)
	}
	return nil
}

// ListRegions lists regions; anyone may read them.
func (s *Service) ListRegions(ctx context.Context, p *auth.Principal, f RegionFilter) ([]Region, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Within != "" {
		args = append(args, within(f.Within))
		where = append(where, fmt.Sprintf("code LIKE $%d", len(args)))
	}
	if f.Parent != "" {
		args = append(args, f.Parent)
		where = append(where, fmt.Sprintf("parent_code = $%d", len(args)))
	}
	if f.Level != "" {
		args = append(args, string(f.Level))
		where = append(where, fmt.Sprintf("level = $%d", len(args)))
	}
	return queryRegions(ctx, s.db.R, strings.Join(where, " AND "), args...)
}

// Region returns one region; anyone may read it.
func (s *Service) Region(ctx context.Context, p *auth.Principal, code string) (Region, error) {
	return getRegion(ctx, s.db.R, code)
}

// Descendants lists every region inside code, code itself excluded, in code order.
func (s *Service) Descendants(ctx context.Context, code string) ([]Region, error) {
	return queryRegions(ctx, s.db.R, `code LIKE $1 AND code <> $2`, within(code), code)
}

// Ancestors lists the regions above code, from the top down.
func (s *Service) Ancestors(ctx context.Context, code string) ([]Region, error) {
	var out []Region
	r, err := getRegion(ctx, s.db.R, code)
	for err == nil && r.ParentCode != "" && len(out) < len(ids.Levels) {
		r, err = getRegion(ctx, s.db.R, r.ParentCode)
		out = append([]Region{r}, out...)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScopeRegions lists the regions p may manage or read as staff: its own
// region and everything inside it, or every region for a global admin.
func (s *Service) ScopeRegions(ctx context.Context, p *auth.Principal) ([]Region, error) {
	scope, err := readScope(p, "")
	if err != nil {
		return nil, err
	}
	if scope == "" {
		return queryRegions(ctx, s.db.R, `1 = 1`)
	}
	return queryRegions(ctx, s.db.R, `code LIKE $1`, within(scope))
}

// CreateRegion adds a region. Level and parent default to what the code implies.
func (s *Service) CreateRegion(ctx context.Context, p *auth.Principal, r Region) (Region, error) {
	if err := auth.Require(p, regionManagers...); err != nil {
		return Region{}, err
	}
	r = r.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := validateRegion(ctx, tx, &r); err != nil {
			return err
		}
		if !p.InRegion(r.Code) {
			return auth.ErrOutOfScope
		}
		var err error
		r, err = insertRegion(ctx, tx, s.clk.Now(), actor(p, regionManagers...), r)
		return err
	})
	if err != nil {
		return Region{}, fmt.Errorf("create region %s: %w", r.Code, err)
	}
	return r, nil
}

func insertRegion(ctx context.Context, q db.Q, at time.Time, who audit.Actor, r Region) (Region, error) {
	r.CreatedAt = at
	if _, err := q.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`,
		r.Code, r.Name, string(r.Level), nullString(r.ParentCode), at); err != nil {
		return Region{}, err
	}
	_, err := audit.Append(ctx, q, at, who, "region/"+r.Code, "region.create", change{After: r})
	return r, err
}

// UpdateRegion renames a region. Its code, level and parent are fixed once
// created: cases, items and statistics are keyed by the code.
func (s *Service) UpdateRegion(ctx context.Context, p *auth.Principal, r Region) (Region, error) {
	if err := auth.Require(p, regionManagers...); err != nil {
		return Region{}, err
	}
	r = r.normalize()
	var out Region
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getRegion(ctx, tx, r.Code)
		if err != nil {
			return err
		}
		if !p.InRegion(before.Code) {
			return auth.ErrOutOfScope
		}
		var fe errs.Fields
		if r.Name == "" {
			fe.Add("name", "请填写行政区划名称")
		} else if tooLong(r.Name, 50) {
			fe.Add("name", "行政区划名称不能超过 50 个字")
		}
		if r.Level != "" && r.Level != before.Level {
			fe.Add("level", "行政区划的级别创建后不能修改")
		}
		if r.ParentCode != "" && r.ParentCode != before.ParentCode {
			fe.Add("parent_code", "行政区划的上级创建后不能修改")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		out = before
		out.Name = r.Name
		if _, err := tx.ExecContext(ctx, `UPDATE regions SET name = $1 WHERE code = $2`, out.Name, out.Code); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, regionManagers...), "region/"+out.Code, "region.update", change{Before: before, After: out})
		return err
	})
	if err != nil {
		return Region{}, fmt.Errorf("update region %s: %w", r.Code, err)
	}
	return out, nil
}

// DeleteRegion removes a region nothing refers to.
func (s *Service) DeleteRegion(ctx context.Context, p *auth.Principal, code string) error {
	if err := auth.Require(p, regionManagers...); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getRegion(ctx, tx, code)
		if err != nil {
			return err
		}
		if !p.InRegion(before.Code) {
			return auth.ErrOutOfScope
		}
		for _, c := range []struct{ sql, what string }{
			{`SELECT COUNT(*) FROM regions WHERE parent_code = $1`, "下级行政区划"},
			{`SELECT COUNT(*) FROM orgs WHERE region_code = $1`, "单位"},
			{`SELECT COUNT(*) FROM halls WHERE region_code = $1`, "大厅"},
			{`SELECT COUNT(*) FROM users WHERE region_code = $1`, "用户"},
		} {
			var n int
			if err := tx.QueryRowContext(ctx, c.sql, code).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrInUse.Withf("%s（%s）下还有 %d 个%s", before.Name, before.Code, n, c.what)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM regions WHERE code = $1`, code); err != nil {
			return inUse(s.db.Translate(err))
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, regionManagers...), "region/"+code, "region.delete", change{Before: before})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete region %s: %w", code, err)
	}
	return nil
}
