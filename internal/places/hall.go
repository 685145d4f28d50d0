package places

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Hall is a physical service hall: a county or city government service
// center (政务服务中心), a township service center (便民服务中心) or a village
// service station (便民服务站) — the halls of lower regions.
type Hall struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	Address    string    `json:"address"`
	Hours      string    `json:"hours"`
	Phone      string    `json:"phone"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

const hallCols = `id, name, region_code, address, hours, phone, created_at, updated_at`

func scanHall(row interface{ Scan(...any) error }) (Hall, error) {
	var h Hall
	err := row.Scan(&h.ID, &h.Name, &h.RegionCode, &h.Address, &h.Hours, &h.Phone, &h.CreatedAt, &h.UpdatedAt)
	return h, err
}

func getHall(ctx context.Context, q db.Q, id int64) (Hall, error) {
	h, err := scanHall(q.QueryRowContext(ctx, `SELECT `+hallCols+` FROM halls WHERE id = $1`, id))
	if err != nil {
		return Hall{}, fmt.Errorf("hall %d: %w", id, notFound(err, ErrHallNotFound))
	}
	return h, nil
}

func (h Hall) normalize() Hall {
	h.Name = strings.TrimSpace(h.Name)
	h.RegionCode = strings.TrimSpace(h.RegionCode)
	h.Address = strings.TrimSpace(h.Address)
	h.Hours = strings.TrimSpace(h.Hours)
	h.Phone = strings.TrimSpace(h.Phone)
	return h
}

func validateHall(ctx context.Context, q db.Q, h Hall) error {
	var fe errs.Fields
	switch {
	case h.Name == "":
		fe.Add("name", "请填写大厅名称")
	case tooLong(h.Name, 100):
		fe.Add("name", "大厅名称不能超过 100 个字")
	}
	if err := checkRegionRef(ctx, q, "region_code", h.RegionCode, &fe); err != nil {
		return err
	}
	if tooLong(h.Address, 200) {
		fe.Add("address", "地址不能超过 200 个字")
	}
	if tooLong(h.Hours, 200) {
		fe.Add("hours", "办公时间不能超过 200 个字")
	}
	if !validPhone(h.Phone) {
		fe.Add("phone", "咨询电话只能包含数字、“-”和空格，最长 30 位")
	}
	return fe.Err()
}

// HallFilter narrows a hall list.
type HallFilter struct {
	Region string // halls inside this region
}

// ListHalls lists halls; anyone may read them.
func (s *Service) ListHalls(ctx context.Context, p *auth.Principal, f HallFilter) ([]Hall, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+hallCols+` FROM halls WHERE region_code LIKE $1 ORDER BY region_code, id`, within(f.Region))
	if err != nil {
		return nil, fmt.Errorf("list halls: %w", err)
	}
	defer rows.Close()
	out := []Hall{}
	for rows.Next() {
		h, err := scanHall(rows)
		if err != nil {
			return nil, fmt.Errorf("list halls: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Hall returns one hall; anyone may read it.
func (s *Service) Hall(ctx context.Context, p *auth.Principal, id int64) (Hall, error) {
	return getHall(ctx, s.db.R, id)
}

// CreateHall adds a hall.
func (s *Service) CreateHall(ctx context.Context, p *auth.Principal, h Hall) (Hall, error) {
	if err := auth.Require(p, hallManagers...); err != nil {
		return Hall{}, err
	}
	h = h.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := validateHall(ctx, tx, h); err != nil {
			return err
		}
		if !p.InRegion(h.RegionCode) {
			return auth.ErrOutOfScope
		}
		var err error
		h, err = insertHall(ctx, tx, s.clk.Now(), actor(p, hallManagers...), h)
		return err
	})
	if err != nil {
		return Hall{}, fmt.Errorf("create hall %q: %w", h.Name, err)
	}
	return h, nil
}

func insertHall(ctx context.Context, q db.Q, at time.Time, who audit.Actor, h Hall) (Hall, error) {
	h.CreatedAt, h.UpdatedAt = at, at
	err := q.QueryRowContext(ctx, `INSERT INTO halls (name, region_code, address, hours, phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, h.Name, h.RegionCode, h.Address, h.Hours, h.Phone, at).Scan(&h.ID)
	if err != nil {
		return Hall{}, err
	}
	_, err = audit.Append(ctx, q, at, who, fmt.Sprintf("hall/%d", h.ID), "hall.create", change{After: h})
	return h, err
}

// UpdateHall changes a hall; both its old and new region must be in scope.
func (s *Service) UpdateHall(ctx context.Context, p *auth.Principal, h Hall) (Hall, error) {
	if err := auth.Require(p, hallManagers...); err != nil {
		return Hall{}, err
	}
	h = h.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getHall(ctx, tx, h.ID)
		if err != nil {
			return err
		}
		if !p.InRegion(before.RegionCode) {
			return auth.ErrOutOfScope
		}
		if err := validateHall(ctx, tx, h); err != nil {
			return err
		}
		if !p.InRegion(h.RegionCode) {
			return auth.ErrOutOfScope
		}
		now := s.clk.Now()
		h.CreatedAt, h.UpdatedAt = before.CreatedAt, now
		if _, err := tx.ExecContext(ctx, `UPDATE halls SET name = $1, region_code = $2, address = $3, hours = $4, phone = $5, updated_at = $6 WHERE id = $7`,
			h.Name, h.RegionCode, h.Address, h.Hours, h.Phone, now, h.ID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, actor(p, hallManagers...), fmt.Sprintf("hall/%d", h.ID), "hall.update", change{Before: before, After: h})
		return err
	})
	if err != nil {
		return Hall{}, fmt.Errorf("update hall %d: %w", h.ID, err)
	}
	return h, nil
}

// DeleteHall removes a hall with no service areas, windows or staff.
func (s *Service) DeleteHall(ctx context.Context, p *auth.Principal, id int64) error {
	if err := auth.Require(p, hallManagers...); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getHall(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.InRegion(before.RegionCode) {
			return auth.ErrOutOfScope
		}
		for _, c := range []struct{ sql, what string }{
			{`SELECT COUNT(*) FROM windows WHERE hall_id = $1`, "窗口"},
			{`SELECT COUNT(*) FROM service_areas WHERE hall_id = $1`, "服务区"},
			{`SELECT COUNT(*) FROM users WHERE hall_id = $1`, "用户"},
		} {
			var n int
			if err := tx.QueryRowContext(ctx, c.sql, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrInUse.Withf("「%s」还有 %d 个%s", before.Name, n, c.what)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM halls WHERE id = $1`, id); err != nil {
			return inUse(s.db.Translate(err))
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, hallManagers...), fmt.Sprintf("hall/%d", id), "hall.delete", change{Before: before})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete hall %d: %w", id, err)
	}
	return nil
}
