package places

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// AuthorizationFilter narrows an authorization list.
type AuthorizationFilter struct {
	Region         string // of the window's hall; defaults to the reader's scope
	HallID         int64
	WindowID       int64
	OrgID          int64
	ValidOn        string // YYYY-MM-DD: only those valid and unrevoked that day
	IncludeRevoked bool
}

// ListAuthorizations lists authorizations of windows in p's scope; staff only.
func (s *Service) ListAuthorizations(ctx context.Context, p *auth.Principal, f AuthorizationFilter) ([]Authorization, error) {
	scope, err := readScope(p, f.Region)
	if err != nil {
		return nil, err
	}
	where, args := []string{"h.region_code LIKE $1"}, []any{within(scope)}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.HallID != 0 {
		add("w.hall_id = $%d", f.HallID)
	}
	if f.WindowID != 0 {
		add("a.window_id = $%d", f.WindowID)
	}
	if f.OrgID != 0 {
		add("a.org_id = $%d", f.OrgID)
	}
	if f.ValidOn != "" {
		if !validDay(f.ValidOn) {
			return nil, errs.Field("valid_on", "day_format", "日期格式应为 YYYY-MM-DD")
		}
		add("a.valid_from <= $%d", f.ValidOn)
		add("a.valid_to >= $%d", f.ValidOn)
	}
	if !f.IncludeRevoked || f.ValidOn != "" {
		where = append(where, "a.revoked_at IS NULL")
	}
	return queryAuthorizations(ctx, s.db.R, `SELECT `+authCols+` FROM window_authorizations a
		JOIN windows w ON w.id = a.window_id JOIN halls h ON h.id = w.hall_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY w.hall_id, w.number, a.id`, args...)
}

// Authorization returns one authorization to staff whose scope holds the
// window's hall or the signing organization.
func (s *Service) Authorization(ctx context.Context, p *auth.Principal, id int64) (Authorization, error) {
	if err := auth.Require(p, auth.StaffRoles...); err != nil {
		return Authorization{}, err
	}
	a, err := getAuthorization(ctx, s.db.R, id)
	if err != nil {
		return Authorization{}, err
	}
	var hallRegion, orgRegion string
	err = s.db.R.QueryRowContext(ctx, `SELECT h.region_code, o.region_code FROM windows w JOIN halls h ON h.id = w.hall_id, orgs o
		WHERE w.id = $1 AND o.id = $2`, a.WindowID, a.OrgID).Scan(&hallRegion, &orgRegion)
	if err != nil {
		return Authorization{}, fmt.Errorf("authorization %d scope: %w", id, err)
	}
	if !p.InRegion(hallRegion) && !p.InRegion(orgRegion) {
		return Authorization{}, auth.ErrOutOfScope
	}
	return a, nil
}

// AuthorizationsFor lists the authorizations of a window valid on day that
// cover the item by its code or its domain, best first: those naming the
// item before those naming its domain, deciding before accepting only, then
// the most recently started.
func (s *Service) AuthorizationsFor(ctx context.Context, windowID int64, itemCode, domain, day string) ([]Authorization, error) {
	if !validDay(day) {
		return nil, errs.Field("day", "day_format", "日期格式应为 YYYY-MM-DD")
	}
	if itemCode == "" && domain == "" {
		return nil, errs.Field("item_code", "item_required", "请指定事项编码或办理领域")
	}
	as, err := queryAuthorizations(ctx, s.db.R, `SELECT `+authCols+` FROM window_authorizations a
		WHERE a.window_id = $1 AND a.revoked_at IS NULL AND a.valid_from <= $2 AND a.valid_to >= $2
		AND EXISTS (SELECT 1 FROM window_authorization_scopes c WHERE c.authorization_id = a.id
			AND (c.kind = 'item' AND c.value = $3 OR c.kind = 'domain' AND c.value = $4))`,
		windowID, day, itemCode, domain)
	if err != nil {
		return nil, fmt.Errorf("authorizations for window %d item %s: %w", windowID, itemCode, err)
	}
	slices.SortFunc(as, func(x, y Authorization) int {
		return cmp.Or(
			-cmp.Compare(b2i(slices.Contains(x.Items, itemCode)), b2i(slices.Contains(y.Items, itemCode))),
			-cmp.Compare(b2i(x.CanDecide), b2i(y.CanDecide)),
			-cmp.Compare(x.ValidFrom, y.ValidFrom),
			-cmp.Compare(x.ID, y.ID))
	})
	return as, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AuthorizationFor returns the valid, unrevoked authorization of the window
// covering the item (by code, or by its domain) on day, or ErrNoAuthorization.
// A clerk may accept only what it covers, and decide on the spot only when
// CanDecide is set (spec 30, "Authorization").
func (s *Service) AuthorizationFor(ctx context.Context, windowID int64, itemCode, domain, day string) (Authorization, error) {
	as, err := s.AuthorizationsFor(ctx, windowID, itemCode, domain, day)
	if err != nil {
		return Authorization{}, err
	}
	if len(as) == 0 {
		return Authorization{}, ErrNoAuthorization.Withf("窗口 %d，事项 %s（%s），%s", windowID, itemCode, domain, day)
	}
	return as[0], nil
}

// CreateAuthorization records a new window authorization.
func (s *Service) CreateAuthorization(ctx context.Context, p *auth.Principal, a Authorization) (Authorization, error) {
	if err := auth.Require(p, windowManagers...); err != nil {
		return Authorization{}, err
	}
	a = a.normalize()
	a.ID, a.RevokedAt, a.RevokedBy, a.RevokeReason = 0, nil, 0, ""
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		w, h, err := windowForWrite(ctx, tx, p, a.WindowID)
		if err != nil {
			return err
		}
		if err := validateAuthorization(ctx, tx, h, a); err != nil {
			return err
		}
		if !w.Active {
			return errs.Field("window_id", "window_inactive", fmt.Sprintf("%s 号窗口已停用，不能新增授权", w.Number))
		}
		if err := checkOverlap(ctx, tx, a); err != nil {
			return err
		}
		a, err = insertAuthorization(ctx, tx, s.clk.Now(), actor(p, windowManagers...), a)
		return err
	})
	if err != nil {
		return Authorization{}, fmt.Errorf("create authorization %q: %w", a.DocNo, err)
	}
	return a, nil
}

func insertAuthorization(ctx context.Context, q db.Q, at time.Time, who audit.Actor, a Authorization) (Authorization, error) {
	a.CreatedAt, a.UpdatedAt = at, at
	err := q.QueryRowContext(ctx, `INSERT INTO window_authorizations (window_id, org_id, doc_no, can_accept, can_decide, valid_from, valid_to, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		a.WindowID, a.OrgID, a.DocNo, a.CanAccept, a.CanDecide, a.ValidFrom, a.ValidTo, at).Scan(&a.ID)
	if err != nil {
		return Authorization{}, err
	}
	if err := writeScopes(ctx, q, "window_authorization_scopes", "authorization_id", a.ID, itemScope{Items: a.Items, Domains: a.Domains}); err != nil {
		return Authorization{}, err
	}
	_, err = audit.Append(ctx, q, at, who, fmt.Sprintf("authorization/%d", a.ID), "authorization.create", change{After: a})
	return a, err
}

// UpdateAuthorization corrects an unrevoked authorization; it stays on its window.
func (s *Service) UpdateAuthorization(ctx context.Context, p *auth.Principal, a Authorization) (Authorization, error) {
	if err := auth.Require(p, windowManagers...); err != nil {
		return Authorization{}, err
	}
	a = a.normalize()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getAuthorization(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		_, h, err := windowForWrite(ctx, tx, p, before.WindowID)
		if err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return ErrAuthorizationRevoked
		}
		a.WindowID, a.RevokedAt, a.RevokedBy, a.RevokeReason = before.WindowID, nil, 0, ""
		if err := validateAuthorization(ctx, tx, h, a); err != nil {
			return err
		}
		if err := checkOverlap(ctx, tx, a); err != nil {
			return err
		}
		now := s.clk.Now()
		a.CreatedAt, a.UpdatedAt = before.CreatedAt, now
		if _, err := tx.ExecContext(ctx, `UPDATE window_authorizations SET org_id = $1, doc_no = $2, can_accept = $3, can_decide = $4,
			valid_from = $5, valid_to = $6, updated_at = $7 WHERE id = $8`,
			a.OrgID, a.DocNo, a.CanAccept, a.CanDecide, a.ValidFrom, a.ValidTo, now, a.ID); err != nil {
			return err
		}
		if err := writeScopes(ctx, tx, "window_authorization_scopes", "authorization_id", a.ID, itemScope{Items: a.Items, Domains: a.Domains}); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, actor(p, windowManagers...), fmt.Sprintf("authorization/%d", a.ID), "authorization.update", change{Before: before, After: a})
		return err
	})
	if err != nil {
		return Authorization{}, fmt.Errorf("update authorization %d: %w", a.ID, err)
	}
	return a, nil
}

// RevokeAuthorization ends an authorization now, with a reason.
func (s *Service) RevokeAuthorization(ctx context.Context, p *auth.Principal, id int64, reason string) (Authorization, error) {
	if err := auth.Require(p, windowManagers...); err != nil {
		return Authorization{}, err
	}
	reason = strings.TrimSpace(reason)
	var out Authorization
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getAuthorization(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, _, err := windowForWrite(ctx, tx, p, before.WindowID); err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return ErrAuthorizationRevoked
		}
		switch {
		case reason == "":
			return errs.Field("reason", "reason_required", "请填写撤销原因")
		case tooLong(reason, 200):
			return errs.Field("reason", "reason_too_long", "撤销原因不能超过 200 个字")
		}
		now := s.clk.Now()
		out = before
		out.RevokedAt, out.RevokedBy, out.RevokeReason, out.UpdatedAt = &now, p.UserID, reason, now
		if _, err := tx.ExecContext(ctx, `UPDATE window_authorizations SET revoked_at = $1, revoked_by = $2, revoke_reason = $3, updated_at = $1 WHERE id = $4`,
			now, nullInt(p.UserID), reason, id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, actor(p, windowManagers...), fmt.Sprintf("authorization/%d", id), "authorization.revoke", change{Before: before, After: out, Reason: reason})
		return err
	})
	if err != nil {
		return Authorization{}, fmt.Errorf("revoke authorization %d: %w", id, err)
	}
	return out, nil
}
