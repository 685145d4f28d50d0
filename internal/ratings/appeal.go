package ratings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// Appeal statuses.
const (
	AppealPending  = "pending"
	AppealUpheld   = "upheld"   // the rating is excluded from statistics, kept in the record
	AppealRejected = "rejected" // the rating stands
)

// AppealStatusLabel is the Chinese name of an appeal status.
func AppealStatusLabel(s string) string {
	return map[string]string{AppealPending: "待审核", AppealUpheld: "申诉成立", AppealRejected: "申诉不成立"}[s]
}

// Appeal is a department's 申诉 against a rating it believes malicious or
// mistaken.
type Appeal struct {
	ID           int64      `json:"id"`
	RatingID     int64      `json:"rating_id"`
	OrgID        int64      `json:"org_id"`
	RegionCode   string     `json:"region_code"`
	Reasons      string     `json:"reasons"`
	FiledBy      int64      `json:"filed_by"`
	FiledAt      time.Time  `json:"filed_at"`
	Status       string     `json:"status"`
	StatusLabel  string     `json:"status_label"`
	DecidedBy    int64      `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DecisionNote string     `json:"decision_note,omitempty"`

	Rating *Rating `json:"rating,omitempty"`
}

// Appeal errors.
var (
	ErrAppealReasons  = errs.E(errs.Invalid, "appeal_reasons_required", "申诉须写明理由（不超过 2000 字）")
	ErrAppealPending  = errs.E(errs.Conflict, "appeal_pending", "该评价已有待审核的申诉")
	ErrAppealDone     = errs.E(errs.Conflict, "appeal_decided", "该申诉已审核")
	ErrAppealNotFound = errs.E(errs.NotFound, "appeal_not_found", "申诉不存在")
	ErrAppealExcluded = errs.E(errs.Conflict, "rating_already_excluded", "该评价已因申诉成立不计入统计")
	ErrDecisionNote   = errs.E(errs.Invalid, "decision_note_required", "请写明审核意见")
)

const appealCols = `id, rating_id, org_id, region_code, reasons, filed_by, filed_at, status, decided_by, decided_at, decision_note`

func scanAppeal(row interface{ Scan(...any) error }) (*Appeal, error) {
	var a Appeal
	var by sql.NullInt64
	if err := row.Scan(&a.ID, &a.RatingID, &a.OrgID, &a.RegionCode, &a.Reasons, &a.FiledBy, &a.FiledAt, &a.Status, &by, &a.DecidedAt, &a.DecisionNote); err != nil {
		return nil, err
	}
	a.DecidedBy, a.StatusLabel = by.Int64, AppealStatusLabel(a.Status)
	return &a, nil
}

// AppealRequest is POST /api/v1/ratings/{id}/appeal.
type AppealRequest struct {
	Reasons string `json:"reasons"`
}

// FileAppeal lets the rating's department appeal it, with reasons.
func (s *Service) FileAppeal(ctx context.Context, p *auth.Principal, ratingID int64, req AppealRequest) (*Appeal, error) {
	if err := auth.Require(p, auth.Clerk, auth.Reviewer, auth.Approver); err != nil {
		return nil, err
	}
	reasons := strings.TrimSpace(req.Reasons)
	if reasons == "" || utf8.RuneCountInString(reasons) > 2000 {
		return nil, ErrAppealReasons.OnField("reasons")
	}
	now := s.now()
	var out *Appeal
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := getRating(ctx, tx, ratingID, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if !p.InRegion(r.RegionCode) {
			return auth.ErrOutOfScope
		}
		if p.OrgID != r.OrgID {
			return ErrNotYourRect
		}
		if r.Excluded {
			return ErrAppealExcluded
		}
		a := &Appeal{RatingID: r.ID, OrgID: r.OrgID, RegionCode: r.RegionCode, Reasons: reasons, FiledBy: p.UserID, FiledAt: now, Status: AppealPending}
		err = tx.QueryRowContext(ctx, `INSERT INTO rating_appeals (rating_id, org_id, region_code, reasons, filed_by, filed_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, a.RatingID, a.OrgID, a.RegionCode, a.Reasons, a.FiledBy, a.FiledAt, a.Status).Scan(&a.ID)
		if err != nil {
			if errors.Is(s.db.Translate(err), db.ErrDuplicate) {
				return ErrAppealPending
			}
			return fmt.Errorf("insert appeal: %w", err)
		}
		a.StatusLabel = AppealStatusLabel(a.Status)
		if _, err := audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), r.stream(), "appeal", map[string]any{"appeal_id": a.ID, "reasons": reasons}); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("appeal rating %d: %w", ratingID, err)
	}
	return out, nil
}

// DecideRequest is POST /api/v1/appeals/{id}/decide.
type DecideRequest struct {
	Uphold bool   `json:"uphold"`
	Note   string `json:"note"`
}

// DecideAppeal is the supervisor's decision. An upheld appeal excludes the
// rating from statistics (Aggregate) but keeps it, and its history, in the
// record (国办发〔2019〕51号: 申诉核实后不计入评价结果).
func (s *Service) DecideAppeal(ctx context.Context, p *auth.Principal, id int64, req DecideRequest) (*Appeal, error) {
	if err := auth.Require(p, auth.Supervisor); err != nil {
		return nil, err
	}
	note := strings.TrimSpace(req.Note)
	if note == "" || utf8.RuneCountInString(note) > 2000 {
		return nil, ErrDecisionNote.OnField("note")
	}
	now := s.now()
	var out *Appeal
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := scanAppeal(tx.QueryRowContext(ctx, `SELECT `+appealCols+` FROM rating_appeals WHERE id = $1`+s.db.ForUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrAppealNotFound
		}
		if err != nil {
			return fmt.Errorf("appeal %d: %w", id, err)
		}
		if !p.InRegion(a.RegionCode) {
			return auth.ErrOutOfScope
		}
		if a.Status != AppealPending {
			return ErrAppealDone
		}
		a.Status, a.DecidedBy, a.DecidedAt, a.DecisionNote = AppealRejected, p.UserID, &now, note
		if req.Uphold {
			a.Status = AppealUpheld
		}
		a.StatusLabel = AppealStatusLabel(a.Status)
		if _, err := tx.ExecContext(ctx, `UPDATE rating_appeals SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5`,
			a.Status, a.DecidedBy, now, note, a.ID); err != nil {
			return fmt.Errorf("decide appeal: %w", err)
		}
		r, err := getRating(ctx, tx, a.RatingID, "")
		if err != nil {
			return err
		}
		if req.Uphold {
			if _, err := tx.ExecContext(ctx, `UPDATE ratings SET excluded = true WHERE id = $1`, a.RatingID); err != nil {
				return fmt.Errorf("exclude rating: %w", err)
			}
			r.Excluded = true
		}
		if _, err := audit.Append(ctx, tx, now, p.Actor(auth.Supervisor), r.stream(), "appeal-decided",
			map[string]any{"appeal_id": a.ID, "before": AppealPending, "after": a.Status, "reason": note}); err != nil {
			return err
		}
		out = a
		return push(ctx, tx, now, "rating", pushRating(r))
	})
	if err != nil {
		return nil, fmt.Errorf("decide appeal %d: %w", id, err)
	}
	return out, nil
}

// Appeals lists appeals in the supervisor's region (department staff: their
// department's), pending first.
func (s *Service) Appeals(ctx context.Context, p *auth.Principal, status string) ([]*Appeal, error) {
	if err := auth.Require(p, auth.Supervisor, auth.Clerk, auth.Reviewer, auth.Approver); err != nil {
		return nil, err
	}
	if err := checkStatus(status, AppealPending, AppealUpheld, AppealRejected); err != nil {
		return nil, err
	}
	w := &where{}
	if p.RegionCode != "" {
		w.add("region_code LIKE ?", p.RegionCode+"%")
	}
	if !p.Has(auth.Supervisor) {
		w.add("org_id = ?", p.OrgID)
	}
	if status != "" {
		w.add("status = ?", status)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+appealCols+` FROM rating_appeals`+w.sql()+` ORDER BY status <> 'pending', filed_at DESC, id DESC LIMIT 500`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list appeals: %w", err)
	}
	var out []*Appeal
	for rows.Next() {
		a, err := scanAppeal(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list appeals: %w", err)
		}
		out = append(out, a)
	}
	rows.Close()
	for _, a := range out {
		if a.Rating, err = getRating(ctx, s.db.R, a.RatingID, ""); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

func appealsOf(ctx context.Context, q db.Q, ratingID int64) ([]Appeal, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+appealCols+` FROM rating_appeals WHERE rating_id = $1 ORDER BY id`, ratingID)
	if err != nil {
		return nil, fmt.Errorf("appeals of rating %d: %w", ratingID, err)
	}
	defer rows.Close()
	var out []Appeal
	for rows.Next() {
		a, err := scanAppeal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}
