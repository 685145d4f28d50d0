package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// StaffMember is a staff user assigned to a window. Its audit events go to
// the window's stream.
type StaffMember struct {
	WindowID int64  `json:"window_id"`
	UserID   int64  `json:"user_id"`
	Login    string `json:"login"`
	Name     string `json:"name"`
	OrgID    int64  `json:"org_id,omitempty"`
}

// ListStaff lists the staff of a window to staff whose scope holds its hall.
func (s *Service) ListStaff(ctx context.Context, p *auth.Principal, windowID int64) ([]StaffMember, error) {
	if err := auth.Require(p, auth.StaffRoles...); err != nil {
		return nil, err
	}
	w, err := getWindow(ctx, s.db.R, windowID)
	if err != nil {
		return nil, err
	}
	h, err := getHall(ctx, s.db.R, w.HallID)
	if err != nil {
		return nil, err
	}
	if !p.InRegion(h.RegionCode) {
		return nil, auth.ErrOutOfScope
	}
	return queryStaff(ctx, s.db.R, windowID, 0)
}

func queryStaff(ctx context.Context, q db.Q, windowID, userID int64) ([]StaffMember, error) {
	query := `SELECT ws.window_id, u.id, u.login, u.name, COALESCE(u.org_id, 0) FROM window_staff ws JOIN users u ON u.id = ws.user_id WHERE ws.window_id = $1`
	args := []any{windowID}
	if userID != 0 {
		query += ` AND ws.user_id = $2`
		args = append(args, userID)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY u.name, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list window staff: %w", err)
	}
	defer rows.Close()
	out := []StaffMember{}
	for rows.Next() {
		var m StaffMember
		if err := rows.Scan(&m.WindowID, &m.UserID, &m.Login, &m.Name, &m.OrgID); err != nil {
			return nil, fmt.Errorf("list window staff: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// staffUser checks that userID is an enabled staff account that may work in hall h.
func staffUser(ctx context.Context, q db.Q, userID int64, h Hall) (StaffMember, error) {
	if userID == 0 {
		return StaffMember{}, errs.Field("user_id", "user_required", "请选择工作人员")
	}
	var m StaffMember
	var kind, region string
	var disabled bool
	err := q.QueryRowContext(ctx, `SELECT id, login, name, COALESCE(org_id, 0), kind, disabled, COALESCE(region_code, '') FROM users WHERE id = $1`, userID).
		Scan(&m.UserID, &m.Login, &m.Name, &m.OrgID, &kind, &disabled, &region)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return StaffMember{}, errs.Field("user_id", "user_not_found", fmt.Sprintf("用户 %d 不存在", userID))
	case err != nil:
		return StaffMember{}, err
	case kind != auth.KindStaff:
		return StaffMember{}, errs.Field("user_id", "not_staff", fmt.Sprintf("「%s」不是工作人员账号，不能安排到窗口", m.Name))
	case disabled:
		return StaffMember{}, errs.Field("user_id", "user_disabled", fmt.Sprintf("「%s」的账号已停用", m.Name))
	case region != "" && !related(region, h.RegionCode):
		return StaffMember{}, errs.Field("user_id", "user_out_of_region", fmt.Sprintf("「%s」（%s）不属于%s所在的行政区域", m.Name, region, h.Name))
	}
	return m, nil
}

// AssignStaff puts a staff user at a window. Assigning someone already
// there changes nothing and is not an error, so seeds can be rerun.
func (s *Service) AssignStaff(ctx context.Context, p *auth.Principal, windowID, userID int64) (StaffMember, error) {
	if err := auth.Require(p, staffManagers...); err != nil {
		return StaffMember{}, err
	}
	var m StaffMember
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := getWindow(ctx, tx, windowID); err != nil {
			return err // the window is in the path: 404, not a field error
		}
		w, h, err := windowForWrite(ctx, tx, p, windowID)
		if err != nil {
			return err
		}
		if m, err = staffUser(ctx, tx, userID, h); err != nil {
			return err
		}
		m.WindowID = w.ID
		res, err := tx.ExecContext(ctx, `INSERT INTO window_staff (window_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, w.ID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, staffManagers...), fmt.Sprintf("window/%d", w.ID), "window.staff.assign", change{After: m})
		return err
	})
	if err != nil {
		return StaffMember{}, fmt.Errorf("assign user %d to window %d: %w", userID, windowID, err)
	}
	return m, nil
}

// UnassignStaff removes a staff user from a window.
func (s *Service) UnassignStaff(ctx context.Context, p *auth.Principal, windowID, userID int64) error {
	if err := auth.Require(p, staffManagers...); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := getWindow(ctx, tx, windowID); err != nil {
			return err
		}
		if _, _, err := windowForWrite(ctx, tx, p, windowID); err != nil {
			return err
		}
		ms, err := queryStaff(ctx, tx, windowID, userID)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return ErrStaffNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM window_staff WHERE window_id = $1 AND user_id = $2`, windowID, userID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, s.clk.Now(), actor(p, staffManagers...), fmt.Sprintf("window/%d", windowID), "window.staff.unassign", change{Before: ms[0]})
		return err
	})
	if err != nil {
		return fmt.Errorf("unassign user %d from window %d: %w", userID, windowID, err)
	}
	return nil
}
