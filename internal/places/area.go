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
)

// ServiceArea is a zone of a hall serving one domain (e.g. 商事登记区).
// Its audit events go to the hall's stream.
type ServiceArea struct {
	ID     int64  `json:"id"`
	HallID int64  `json:"hall_id"`
	Name   string `json:"name"`
	Domain string `json:"domain"`
	Floor  string `json:"floor"`
}

const areaCols = `id, hall_id, name, domain, floor`

func scanArea(row interface{ Scan(...any) error }) (ServiceArea, error) {
	var a ServiceArea
	err := row.Scan(&a.ID, &a.HallID, &a.Name, &a.Domain, &a.Floor)
	return a, err
}

func getArea(ctx context.Context, q db.Q, id int64) (ServiceArea, error) {
	a, err := scanArea(q.QueryRowContext(ctx, `SELECT `+areaCols+` FROM service_areas WHERE id = $1`, id))
	if err != nil {
		return ServiceArea{}, fmt.Errorf("service area %d: %w", id, notFound(err, ErrAreaNotFound))
	}
	return a, nil
}

func (a ServiceArea) normalize() ServiceArea {
	a.Name = strings.TrimSpace(a.Name)
	a.Domain = strings.TrimSpace(a.Domain)
	a.Floor = strings.TrimSpace(a.Floor)
	return a
}

// validateArea checks a; the hall was loaded by the caller.
func validateArea(ctx context.Context, q db.Q, a ServiceArea) error {
	var fe errs.Fields
	switch {
	case a.Name == "":
		fe.Add("name", "请填写服务区名称")
	case tooLong(a.Name, 50):
		fe.Add("name", "服务区名称不能超过 50 个字")
	default:
		var id int64
		err := q.QueryRowContext(ctx, `SELECT id FROM service_areas WHERE hall_id = $1 AND name = $2`, a.HallID, a.Name).Scan(&id)
		if err == nil && id != a.ID {
			fe.Addf("name", "该大厅已有名为「%s」的服务区", a.Name)
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if a.Domain != "" && !ValidDomain(a.Domain) {
		fe.Addf("domain", "未知的办理领域「%s」，应为：%s", a.Domain, strings.Join(Domains, "、"))
	}
	if tooLong(a.Floor, 50) {
		fe.Add("floor", "位置不能超过 50 个字")
	}
	return fe.Err()
}

// hallInScope loads a hall for a write by p, reporting an unknown hall as a
// field error so a form can show it.
func hallInScope(ctx context.Context, q db.Q, p *auth.Principal, id int64) (Hall, error) {
	if id == 0 {
		return Hall{}, errs.Field("hall_id", "hall_required", "请选择大厅")
	}
	h, err := getHall(ctx, q, id)
	if errors.Is(err, ErrHallNotFound) {
		return Hall{}, errs.Field("hall_id", "hall_not_found", fmt.Sprintf("大厅 %d 不存在", id))
	}
	if err != nil {
		return Hall{}, err
	}
	if !p.InRegion(h.RegionCode) {
		return Hall{}, auth.ErrOutOfScope
	}
	return h, nil
}

// ListAreas lists the service areas of a hall; anyone may read them.
func (s *Service) ListAreas(ctx context.Context, p *auth.Principal, hallID int64) ([]ServiceArea, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+areaCols+` FROM service_areas WHERE hall_id = $1 ORDER BY id`, hallID)
	if err != nil {
		return nil, fmt.Errorf("list service areas: %w", err)
	}
	defer rows.Close()
	out := []ServiceArea{}
	for rows.Next() {
		a, err := scanArea(rows)
		if err != nil {
			return nil, fmt.Errorf("list service areas: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Area returns one service area; anyone may read it.
func (s *Service) Area(ctx context.Context, p *auth.Principal, id int64) (ServiceArea, error) {
	return getArea(ctx, s.db.R, id)
}

// CreateArea adds a service area to a hall.
func (s *Service) CreateArea(ctx context.Context, p *auth.Principal, a ServiceArea) (ServiceArea, error) {
	if err := auth.Require(p, hallManagers...); err != nil {
		return ServiceArea{}, err
	}
	a = a.normalize()
	a.ID = 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := hallInScope(ctx, tx, p, a.HallID); err != nil {
			return err
		}
		if err := validateArea(ctx, tx, a); err != nil {
			return err
		}
		var err error
		a, err = insertArea(ctx, tx, s.clk.Now(), actor(p, hallManagers...), a)
		return err
	})
	if err != nil {
		return ServiceArea{}, fmt.Errorf("create service area %q: %w", a.Name, err)
	}
	return a, nil
}

func insertArea(ctx context.Context, q db.Q, at time.Time, who audit.Actor, a ServiceArea) (ServiceArea, error) {
	err := q.QueryRowContext(ctx, `INSERT INTO service_areas (hall_id, name, domain, floor) VALUES ($1, $2, $3, $4) RETURNING id`,
		a.HallID, a.Name, a.Domain, a.Floor).Scan(&a.ID)
	if err != nil {
		return ServiceArea{}, err
	}
	_, err = audit.Append(ctx, q, at, who, fmt.Sprintf("hall/%d", a.HallID), "area.create", change{After: a})
	return a, err
}

// UpdateArea changes a service area's name, domain and floor; it stays in its hall.
func (s *Service) UpdateArea(ctx context.Context, p *auth.Principal, a ServiceArea) (ServiceArea, error) {
	if err := auth.Require(p, hallManagers...); err != nil {
		return ServiceArea{}, err
	}
	a = a.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getArea(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if _, err := hallInScope(ctx, tx, p, before.HallID); err != nil {
			return err
		}
		a.HallID = before.HallID
		if err := validateArea(ctx, tx, a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_areas SET name = $1, domain = $2, floor = $3 WHERE id = $4`, a.Name, a.Domain, a.Floor, a.ID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, hallManagers...), fmt.Sprintf("hall/%d", a.HallID), "area.update", change{Before: before, After: a})
		return err
	})
	if err != nil {
		return ServiceArea{}, fmt.Errorf("update service area %d: %w", a.ID, err)
	}
	return a, nil
}

// DeleteArea removes a service area no window is in.
func (s *Service) DeleteArea(ctx context.Context, p *auth.Principal, id int64) error {
	if err := auth.Require(p, hallManagers...); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getArea(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := hallInScope(ctx, tx, p, before.HallID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM windows WHERE area_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrInUse.Withf("「%s」还有 %d 个窗口", before.Name, n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM service_areas WHERE id = $1`, id); err != nil {
			return inUse(s.db.Translate(err))
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, hallManagers...), fmt.Sprintf("hall/%d", before.HallID), "area.delete", change{Before: before})
		return err
	})
	if err != nil {
		return fmt.Errorf("delete service area %d: %w", id, err)
	}
	return nil
}
