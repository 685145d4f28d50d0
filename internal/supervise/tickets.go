package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/notify"

	"banhao.dev/banhao/internal/platform/audit"
)

// FindingFilter selects findings.
type FindingFilter struct {
	Region string `json:"region"`
	Status string `json:"status"` // "" all
	Kind   string `json:"kind"`
	OrgID  int64  `json:"org_id"`
	Limit  int    `json:"limit"`
}

const findingCols = `id, kind, case_no, region_code, org_id, user_id, detail, status, reason, deadline, handled_by, handled_at,
	created_at, updated_at`

func scanFinding(sc interface{ Scan(...any) error }) (Finding, error) {
	var f Finding
	var detail string
	var handled sql.NullTime
	if err := sc.Scan(&f.ID, &f.Kind, &f.CaseNo, &f.RegionCode, &f.OrgID, &f.UserID, &detail, &f.Status, &f.Reason, &f.Deadline,
		&f.HandledBy, &handled, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return f, err
	}
	if err := json.Unmarshal([]byte(detail), &f.Detail); err != nil {
		return f, fmt.Errorf("finding %d: decode detail: %w", f.ID, err)
	}
	f.HandledAt, f.CreatedAt, f.UpdatedAt = tp(handled), f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	f.KindLabel, f.StatusLabel = KindLabel(f.Kind), StatusLabel(f.Status)
	return f, nil
}

// Findings lists the findings in p's region, newest first.
func (s *Service) Findings(ctx context.Context, p *auth.Principal, f FindingFilter) ([]Finding, error) {
	region, err := scope(p, f.Region)
	if err != nil {
		return nil, err
	}
	// An unknown status or kind would list nothing, as if all were worked.
	if f.Status != "" && !contains([]string{FindingOpen, FindingConfirmed, FindingDismissed, FindingRectification}, f.Status) {
		return nil, ErrFindingFilter.OnField("status")
	}
	if f.Kind != "" && !contains([]string{KindRefusalNoReasons, KindDenialNoReasons, KindSecondCorrection, KindOffSystem, KindLateDecision, KindFeeNotListed}, f.Kind) {
		return nil, ErrFindingFilter.OnField("kind")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+findingCols+` FROM supervise_findings
		WHERE region_code LIKE $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR kind = $3) AND ($4 = 0 OR org_id = $4)
		ORDER BY created_at DESC, id DESC LIMIT $5`, ids.RegionPrefix(region)+"%", f.Status, f.Kind, f.OrgID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		fd, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("list findings: %w", err)
		}
		out = append(out, fd)
	}
	return out, rows.Err()
}

func getFinding(ctx context.Context, q db.Q, id int64, lock string) (Finding, error) {
	f, err := scanFinding(q.QueryRowContext(ctx, `SELECT `+findingCols+` FROM supervise_findings WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrFindingNotFound
	}
	if err != nil {
		return f, fmt.Errorf("read finding %d: %w", id, err)
	}
	return f, nil
}

// Finding returns one finding in p's region.
func (s *Service) Finding(ctx context.Context, p *auth.Principal, id int64) (Finding, error) {
	if _, err := scope(p, ""); err != nil {
		return Finding{}, err
	}
	f, err := getFinding(ctx, s.db.R, id, "")
	if err != nil {
		return f, err
	}
	if !p.InRegion(f.RegionCode) {
		return Finding{}, ErrFindingNotFound
	}
	return f, nil
}

// Work actions on a finding.
const (
	ActConfirm = "confirm"
	ActDismiss = "dismiss"
	ActRectify = "rectify"
)

// WorkRequest is one action on a finding.
type WorkRequest struct {
	Reason   string `json:"reason,omitempty"`
	Deadline string `json:"deadline,omitempty"` // YYYY-MM-DD, for rectify
}

// allowedFrom: an open finding may be confirmed, dismissed or sent for
// rectification; a confirmed one may still be sent for rectification.
var allowedFrom = map[string][]string{
	ActConfirm: {FindingOpen},
	ActDismiss: {FindingOpen, FindingConfirmed},
	ActRectify: {FindingOpen, FindingConfirmed},
}

// Work confirms, dismisses (with a reason) or sends a finding for
// rectification (with a deadline); only a supervisor of the finding's region.
func (s *Service) Work(ctx context.Context, p *auth.Principal, id int64, action string, req WorkRequest) (Finding, error) {
	if err := auth.Require(p, auth.Supervisor); err != nil {
		return Finding{}, err
	}
	req.Reason, req.Deadline = strings.TrimSpace(req.Reason), strings.TrimSpace(req.Deadline)
	now := s.now()
	next := map[string]string{ActConfirm: FindingConfirmed, ActDismiss: FindingDismissed, ActRectify: FindingRectification}[action]
	switch action {
	case ActConfirm:
	case ActDismiss:
		if req.Reason == "" {
			return Finding{}, ErrDismissReason.OnField("reason")
		}
	case ActRectify:
		d, err := calendar.ParseDate(req.Deadline)
		if err != nil || !d.After(calendar.DateOf(now)) {
			return Finding{}, ErrRectifyDeadline.OnField("deadline")
		}
	default:
		return Finding{}, ErrFindingAction.OnField("action")
	}
	var out Finding
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		f, err := getFinding(ctx, tx, id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if !p.InRegion(f.RegionCode) {
			return ErrFindingNotFound
		}
		ok := false
		for _, st := range allowedFrom[action] {
			ok = ok || st == f.Status
		}
		if !ok {
			return ErrFindingState.With("status", f.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE supervise_findings SET status = $2, reason = $3, deadline = $4, handled_by = $5,
			handled_at = $6, updated_at = $6 WHERE id = $1`, id, next, req.Reason, req.Deadline, p.UserID, now); err != nil {
			return fmt.Errorf("update finding: %w", err)
		}
		if _, err := audit.Append(ctx, tx, now, p.Actor(auth.Supervisor), fmt.Sprintf("finding/%d", id), action, map[string]any{
			"before": f.Status, "after": next, "reason": req.Reason, "deadline": req.Deadline}); err != nil {
			return err
		}
		if action == ActRectify {
			if err := s.orderRectification(ctx, tx, f, req, now); err != nil {
				return err
			}
		}
		out, err = getFinding(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return Finding{}, fmt.Errorf("%s finding %d: %w", action, id, err)
	}
	return out, nil
}

// orderRectification tells the person and the department head.
func (s *Service) orderRectification(ctx context.Context, tx *sql.Tx, f Finding, req WorkRequest, now time.Time) error {
	to, err := usersWithRole(ctx, tx, "approver", f.OrgID)
	if err != nil {
		return err
	}
	if f.UserID != 0 {
		to = append(to, f.UserID)
	}
	n := notify.Notice{Title: "电子监察责令整改：" + KindLabel(f.Kind), Link: "/cases/" + f.CaseNo,
		Body: fmt.Sprintf("办件 %s 存在“%s”问题，请于 %s 前完成整改并报告。%s", f.CaseNo, KindLabel(f.Kind), req.Deadline, req.Reason)}
	seen := map[int64]bool{}
	for _, u := range to {
		if seen[u] {
			continue
		}
		seen[u] = true
		n.UserID = u
		if err := notify.Send(ctx, tx, now, n); err != nil {
			return err
		}
	}
	return nil
}

// FeeCharge is a fee the cashier system reports as charged on a case.
type FeeCharge struct {
	CaseNo string  `json:"case_no"`
	Name   string  `json:"name"`
	Amount float64 `json:"amount"` // yuan
}

// RecordFee records a charged fee and, when it is not in the item's fee
// list (name and, where the list states one, amount), a finding. Clerks of
// the region and admins (the cashier interface's token) may report fees.
func (s *Service) RecordFee(ctx context.Context, p *auth.Principal, fc FeeCharge) (listed bool, err error) {
	if err := auth.Require(p, auth.Clerk, auth.Admin); err != nil {
		return false, err
	}
	fc.Name = strings.TrimSpace(fc.Name)
	if fc.Name == "" || fc.Amount < 0 {
		return false, ErrFeeCharge.OnField("name")
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := loadCase(ctx, tx, fc.CaseNo)
		if err != nil {
			return err
		}
		if !p.InRegion(c.Region) {
			return auth.ErrOutOfScope
		}
		var list []Fee
		if s.fees != nil {
			// An item no longer in the catalog lists no fee: every charge is unlisted.
			if list, err = s.fees.Fees(ctx, c.Item, c.Version); err != nil && !isNotFound(err) {
				return err
			}
		}
		listed = feeListed(list, fc)
		cents := int64(fc.Amount*100 + 0.5)
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO supervise_fee_charges (case_no, name, amount_cents, listed, charged_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.No, fc.Name, cents, listed, p.UserID, now).Scan(&id); err != nil {
			return fmt.Errorf("record fee: %w", err)
		}
		if _, err := audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), "supervise/case/"+c.No, "fee-charged", map[string]any{
			"name": fc.Name, "amount": fc.Amount, "listed": listed}); err != nil {
			return err
		}
		if listed {
			return nil
		}
		return insertFinding(ctx, tx, newFinding{Kind: KindFeeNotListed, Key: fmt.Sprintf("%s/%s/%d", KindFeeNotListed, c.No, id),
			CaseNo: c.No, Region: c.Region, OrgID: c.OrgID, UserID: p.UserID, CreatedAt: now,
			Detail: map[string]any{"fee": fc.Name, "amount": fc.Amount, "listed_fees": feeNames(list)}})
	})
	if err != nil {
		return false, fmt.Errorf("record fee on %s: %w", fc.CaseNo, err)
	}
	return listed, nil
}

// feeListed: the name must be in the list; a listed fixed amount must not
// be exceeded (a fee may be reduced or waived, never raised).
func feeListed(list []Fee, fc FeeCharge) bool {
	for _, f := range list {
		if f.Name == fc.Name && (f.Amount == 0 || fc.Amount <= f.Amount+0.005) {
			return true
		}
	}
	return false
}

func feeNames(list []Fee) []string {
	out := []string{}
	for _, f := range list {
		out = append(out, f.Name)
	}
	return out
}

// Cards lists the cards of p's region since from, newest first.
func (s *Service) Cards(ctx context.Context, p *auth.Principal, region string, from time.Time, limit int) ([]Card, error) {
	region, err := scope(p, region)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, color, level, scope, org_id, user_id, case_no, region_code, step_name, created_at
		FROM supervise_cards WHERE region_code LIKE $1 AND created_at >= $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		ids.RegionPrefix(region)+"%", clock.Norm(from), limit)
	if err != nil {
		return nil, fmt.Errorf("list cards: %w", err)
	}
	defer rows.Close()
	out := []Card{}
	for rows.Next() {
		var c Card
		if err := rows.Scan(&c.ID, &c.Color, &c.Level, &c.Scope, &c.OrgID, &c.UserID, &c.CaseNo, &c.RegionCode, &c.StepName, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("list cards: %w", err)
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func isNotFound(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Kind == errs.NotFound
}
