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
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/notify"
)

// Rectification statuses.
const (
	RectOpen       = "open"        // waiting for the callback (回访核实)
	RectCalledBack = "called_back" // verified; choose fix, deadline or explain
	RectRectifying = "rectifying"  // rectifying by a deadline
	RectFixed      = "fixed"       // fixed (立行立改 or by the deadline)
	RectExplained  = "explained"   // explained (解释说明): the complaint has no basis
	RectReported   = "reported"    // result reported to the rater
	RectClosed     = "closed"
)

// RectStatusLabel is the Chinese name of a rectification status.
func RectStatusLabel(s string) string {
	return map[string]string{RectOpen: "待回访核实", RectCalledBack: "已回访核实", RectRectifying: "限期整改中", RectFixed: "已整改",
		RectExplained: "已解释说明", RectReported: "已反馈评价人", RectClosed: "已办结"}[s]
}

// Rectification is the 差评整改 of one bad rating.
type Rectification struct {
	ID             int64      `json:"id"`
	RatingID       int64      `json:"rating_id"`
	OrgID          int64      `json:"org_id"`
	RegionCode     string     `json:"region_code"`
	Status         string     `json:"status"`
	StatusLabel    string     `json:"status_label"`
	CallbackDue    time.Time  `json:"callback_due"`
	CallbackAt     *time.Time `json:"callback_at,omitempty"`
	CallbackBy     int64      `json:"callback_by,omitempty"`
	CallbackNote   string     `json:"callback_note,omitempty"`
	CallbackRecord string     `json:"callback_record,omitempty"`
	CallbackLate   bool       `json:"callback_late"`
	Verified       bool       `json:"verified"`
	Outcome        string     `json:"outcome,omitempty"`
	OutcomeNote    string     `json:"outcome_note,omitempty"`
	RectifyDue     *time.Time `json:"rectify_due,omitempty"`
	DoneAt         *time.Time `json:"done_at,omitempty"`
	ReportedAt     *time.Time `json:"reported_at,omitempty"`
	ReportNote     string     `json:"report_note,omitempty"`
	RaterLevel     int        `json:"rater_level,omitempty"`
	RaterComment   string     `json:"rater_comment,omitempty"`
	RatedAt        *time.Time `json:"rated_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`

	Rating *Rating `json:"rating,omitempty"`
}

func (x *Rectification) stream() string { return "rectification/" + itoa(x.ID) }

// Rectification errors.
var (
	ErrRectNotFound = errs.E(errs.NotFound, "rectification_not_found", "整改记录不存在")
	ErrNoCallback   = errs.E(errs.Conflict, "rectification_callback_missing", "未记录回访核实，不能办结整改")
	ErrRectState    = errs.E(errs.Conflict, "rectification_state", "整改当前状态不能执行该操作")
	ErrNote         = errs.E(errs.Invalid, "note_required", "请填写说明（不超过 1000 字）")
	ErrRectDue      = errs.E(errs.Invalid, "rectify_due_invalid", "整改期限须为今天之后的日期（YYYY-MM-DD）")
	ErrNotYourRect  = errs.E(errs.Forbidden, "not_responsible_department", "该整改不属于您所在的部门")
	ErrNotReported  = errs.E(errs.Conflict, "rectification_not_reported", "整改结果尚未反馈评价人，不能办结")
)

const rectCols = `id, rating_id, org_id, region_code, status, callback_due, callback_at, callback_by, callback_note, callback_record, verified,
	outcome, outcome_note, rectify_due, done_at, reported_at, report_note, rater_level, rater_comment, rated_at, closed_at, created_at, updated_at`

func scanRect(row interface{ Scan(...any) error }) (*Rectification, error) {
	var x Rectification
	var by, lvl sql.NullInt64
	err := row.Scan(&x.ID, &x.RatingID, &x.OrgID, &x.RegionCode, &x.Status, &x.CallbackDue, &x.CallbackAt, &by, &x.CallbackNote, &x.CallbackRecord,
		&x.Verified, &x.Outcome, &x.OutcomeNote, &x.RectifyDue, &x.DoneAt, &x.ReportedAt, &x.ReportNote, &lvl, &x.RaterComment, &x.RatedAt,
		&x.ClosedAt, &x.CreatedAt, &x.UpdatedAt)
	if err != nil {
		return nil, err
	}
	x.CallbackBy, x.RaterLevel = by.Int64, int(lvl.Int64)
	x.StatusLabel = RectStatusLabel(x.Status)
	x.CallbackLate = x.CallbackAt != nil && x.CallbackAt.After(x.CallbackDue)
	return &x, nil
}

func getRect(ctx context.Context, q db.Q, where string, arg any, lock string) (*Rectification, error) {
	x, err := scanRect(q.QueryRowContext(ctx, `SELECT `+rectCols+` FROM rectifications WHERE `+where+` = $1`+lock, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrRectNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("rectification: %w", err)
	}
	return x, nil
}

// openRectification opens the 差评整改 of bad rating r for its department,
// with the callback deadline of the region's rules.
func (s *Service) openRectification(ctx context.Context, tx *sql.Tx, r *Rating, now time.Time) (*Rectification, error) {
	rules, err := rulesFor(ctx, tx, r.RegionCode)
	if err != nil {
		return nil, err
	}
	due, err := s.cal.WorkingDeadline(ctx, now, rules.CallbackDays)
	if err != nil {
		return nil, fmt.Errorf("callback deadline: %w", err)
	}
	x := &Rectification{RatingID: r.ID, OrgID: r.OrgID, RegionCode: r.RegionCode, Status: RectOpen, CallbackDue: due.UTC(), CreatedAt: now, UpdatedAt: now}
	err = tx.QueryRowContext(ctx, `INSERT INTO rectifications (rating_id, org_id, region_code, status, callback_due, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, x.RatingID, x.OrgID, x.RegionCode, x.Status, x.CallbackDue, now).Scan(&x.ID)
	if err != nil {
		return nil, fmt.Errorf("open rectification: %w", err)
	}
	x.StatusLabel = RectStatusLabel(x.Status)
	if _, err := audit.Append(ctx, tx, now, audit.System, x.stream(), "open", map[string]any{"after": x}); err != nil {
		return nil, err
	}
	if err := routeTo(ctx, tx, now, x.OrgID, x.RegionCode, notify.Notice{Title: "差评待回访核实：" + r.ItemName,
		Body: fmt.Sprintf("办件 %s 收到差评（%s），请于 %s 前回访核实并整改。", r.CaseNo, LevelLabel(r.Level),
			x.CallbackDue.In(clock.Shanghai).Add(-time.Minute).Format("2006-01-02")),
		Link: fmt.Sprintf("/rectifications/%d", x.ID)}); err != nil {
		return nil, err
	}
	return x, push(ctx, tx, now, "rectification", pushRectification(x))
}

// canWorkRect fails unless p works in the rectification's department (any
// back-office role) or supervises its region.
func canWorkRect(p *auth.Principal, x *Rectification) (auth.Role, error) {
	if err := auth.Require(p, auth.Clerk, auth.Reviewer, auth.Approver, auth.Supervisor); err != nil {
		return "", err
	}
	if !p.InRegion(x.RegionCode) {
		return "", auth.ErrOutOfScope
	}
	if p.OrgID == x.OrgID && x.OrgID != 0 {
		for _, r := range []auth.Role{auth.Approver, auth.Reviewer, auth.Clerk, auth.Supervisor} {
			if p.Has(r) {
				return r, nil
			}
		}
	}
	if p.Has(auth.Supervisor) {
		return auth.Supervisor, nil
	}
	return "", ErrNotYourRect
}

// RectAction is the body of a rectification action.
type RectAction struct {
	Note     string `json:"note"`
	Record   string `json:"record,omitempty"`   // callback: call recording number
	Verified bool   `json:"verified,omitempty"` // callback: the complaint was confirmed
	Due      string `json:"due,omitempty"`      // set-deadline: YYYY-MM-DD; "": the region's default
}

// Rectification actions.
const (
	ActCallback    = "callback"
	ActFix         = "fix"
	ActSetDeadline = "set-deadline"
	ActExplain     = "explain"
	ActReport      = "report"
	ActClose       = "close"
)

// Act runs a rectification action (callback, fix, set-deadline, explain,
// report, close) for the department.
func (s *Service) Act(ctx context.Context, p *auth.Principal, id int64, action string, req RectAction) (*Rectification, error) {
	req.Note = strings.TrimSpace(req.Note)
	if req.Note == "" || utf8.RuneCountInString(req.Note) > 1000 {
		return nil, ErrNote.OnField("note")
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		x, err := getRect(ctx, tx, "id", id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		role, err := canWorkRect(p, x)
		if err != nil {
			return err
		}
		before := x.Status
		r, err := getRating(ctx, tx, x.RatingID, "")
		if err != nil {
			return err
		}
		if err := s.applyRect(ctx, tx, x, r, action, req, now, p.UserID); err != nil {
			return err
		}
		x.UpdatedAt = now
		if err := updateRect(ctx, tx, x); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, tx, now, p.Actor(role), x.stream(), action, map[string]any{"before": before, "after": x.Status, "note": req.Note,
			"record": req.Record, "due": req.Due}); err != nil {
			return err
		}
		return push(ctx, tx, now, "rectification", pushRectification(x))
	})
	if err != nil {
		return nil, fmt.Errorf("rectification %d %s: %w", id, action, err)
	}
	return s.Rectification(ctx, p, id)
}

func (s *Service) applyRect(ctx context.Context, tx *sql.Tx, x *Rectification, r *Rating, action string, req RectAction, now time.Time, by int64) error {
	state := func(ok ...string) error {
		for _, st := range ok {
			if x.Status == st {
				return nil
			}
		}
		return ErrRectState.Withf("整改当前状态为“%s”，不能执行该操作", RectStatusLabel(x.Status))
	}
	switch action {
	case ActCallback:
		if err := state(RectOpen); err != nil {
			return err
		}
		x.Status, x.CallbackAt, x.CallbackNote, x.CallbackRecord, x.Verified = RectCalledBack, &now, req.Note, strings.TrimSpace(req.Record), req.Verified
		x.CallbackBy = by
	case ActFix:
		if x.CallbackAt == nil {
			return ErrNoCallback
		}
		if err := state(RectCalledBack, RectRectifying); err != nil {
			return err
		}
		if x.Status == RectCalledBack {
			x.Outcome = "fix"
		}
		x.Status, x.DoneAt, x.OutcomeNote = RectFixed, &now, req.Note
	case ActSetDeadline:
		if x.CallbackAt == nil {
			return ErrNoCallback
		}
		if err := state(RectCalledBack); err != nil {
			return err
		}
		due, err := s.rectifyDue(ctx, tx, x, req.Due, now)
		if err != nil {
			return err
		}
		x.Status, x.Outcome, x.OutcomeNote, x.RectifyDue = RectRectifying, "rectify", req.Note, &due
	case ActExplain:
		if x.CallbackAt == nil {
			return ErrNoCallback
		}
		if err := state(RectCalledBack); err != nil {
			return err
		}
		x.Status, x.Outcome, x.OutcomeNote, x.DoneAt = RectExplained, "explain", req.Note, &now
	case ActReport:
		if err := state(RectFixed, RectExplained); err != nil {
			return err
		}
		x.Status, x.ReportedAt, x.ReportNote = RectReported, &now, req.Note
		return s.tellRater(ctx, tx, x, r, now)
	case ActClose:
		if x.CallbackAt == nil {
			return ErrNoCallback
		}
		if x.ReportedAt == nil {
			return ErrNotReported
		}
		if err := state(RectReported); err != nil {
			return err
		}
		x.Status, x.ClosedAt = RectClosed, &now
	default:
		return errs.E(errs.NotFound, "unknown_action", "未知的整改操作")
	}
	return nil
}

// rectifyDue is the given date's end, or the region's default (15 working
// days unless configured) from now.
func (s *Service) rectifyDue(ctx context.Context, tx *sql.Tx, x *Rectification, due string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(due) == "" {
		rules, err := rulesFor(ctx, tx, x.RegionCode)
		if err != nil {
			return time.Time{}, err
		}
		return s.cal.WorkingDeadline(ctx, now, rules.RectifyDays)
	}
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(due), clock.Shanghai)
	if err != nil || !d.After(now) {
		return time.Time{}, ErrRectDue.OnField("due")
	}
	return d.AddDate(0, 0, 1).UTC(), nil // the end of the day
}

// tellRater reports the result to the rater, who may then rate it.
func (s *Service) tellRater(ctx context.Context, tx *sql.Tx, x *Rectification, r *Rating, now time.Time) error {
	if r.RaterID == 0 && r.RaterPhone == "" {
		return nil
	}
	n := notify.Notice{UserID: r.RaterID, Link: "/my/ratings", SMS: r.RaterPhone != "", Phone: r.RaterPhone,
		Title: "【办好】您的评价已处理",
		Body:  fmt.Sprintf("您对办件 %s 的评价已处理：%s。您可以在“我的评价”中查看整改结果，并对整改情况作出评价。", r.CaseNo, x.ReportNote)}
	return notify.Send(ctx, tx, now, n)
}

func updateRect(ctx context.Context, tx *sql.Tx, x *Rectification) error {
	_, err := tx.ExecContext(ctx, `UPDATE rectifications SET status = $1, callback_at = $2, callback_by = $3, callback_note = $4, callback_record = $5,
			verified = $6, outcome = $7, outcome_note = $8, rectify_due = $9, done_at = $10, reported_at = $11, report_note = $12,
			rater_level = $13, rater_comment = $14, rated_at = $15, closed_at = $16, updated_at = $17 WHERE id = $18`,
		x.Status, timeOrNil(x.CallbackAt), nullID(x.CallbackBy), x.CallbackNote, x.CallbackRecord, x.Verified, x.Outcome, x.OutcomeNote,
		timeOrNil(x.RectifyDue), timeOrNil(x.DoneAt), timeOrNil(x.ReportedAt), x.ReportNote, nullID(int64(x.RaterLevel)), x.RaterComment,
		timeOrNil(x.RatedAt), timeOrNil(x.ClosedAt), x.UpdatedAt, x.ID)
	if err != nil {
		return fmt.Errorf("update rectification %d: %w", x.ID, err)
	}
	return nil
}

// RateRectification lets the rater rate how the bad rating was handled,
// once, after the result was reported.
func (s *Service) RateRectification(ctx context.Context, p *auth.Principal, id int64, level int, comment string) (*Rectification, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	if level < MinLevel || level > MaxLevel {
		return nil, ErrLevel.OnField("level")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 500 {
		return nil, ErrComment.OnField("comment")
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		x, err := getRect(ctx, tx, "id", id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		r, err := getRating(ctx, tx, x.RatingID, "")
		if err != nil {
			return err
		}
		if r.RaterID == 0 || r.RaterID != p.UserID || isStaffOnly(p) {
			return ErrNotRater
		}
		if x.ReportedAt == nil {
			return ErrRectState.Withf("整改结果尚未反馈，暂不能评价")
		}
		if x.RatedAt != nil {
			return ErrAlreadyRated
		}
		x.RaterLevel, x.RaterComment, x.RatedAt, x.UpdatedAt = level, comment, &now, now
		if err := updateRect(ctx, tx, x); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, tx, now, p.Actor(auth.Applicant), x.stream(), "rate", map[string]any{"level": level, "comment": comment}); err != nil {
			return err
		}
		return push(ctx, tx, now, "rectification", pushRectification(x))
	})
	if err != nil {
		return nil, fmt.Errorf("rate rectification %d: %w", id, err)
	}
	return s.Rectification(ctx, p, id)
}

// Rectification returns one rectification with its rating, to the
// department, a supervisor, or the rater.
func (s *Service) Rectification(ctx context.Context, p *auth.Principal, id int64) (*Rectification, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	x, err := getRect(ctx, s.db.R, "id", id, "")
	if err != nil {
		return nil, err
	}
	if x.Rating, err = getRating(ctx, s.db.R, x.RatingID, ""); err != nil {
		return nil, err
	}
	if x.Rating.RaterID != 0 && x.Rating.RaterID == p.UserID {
		return x, nil
	}
	if _, err := canWorkRect(p, x); err != nil {
		return nil, err
	}
	return x, nil
}

// RectFilter selects rectifications for the workbench.
type RectFilter struct {
	Status string `json:"status,omitempty"`
	OrgID  int64  `json:"org_id,omitempty"`
}

// Rectifications lists the rectifications of the caller's department (a
// supervisor: of the region), with their ratings, oldest callback due first.
func (s *Service) Rectifications(ctx context.Context, p *auth.Principal, f RectFilter) ([]*Rectification, error) {
	if err := auth.Require(p, auth.Clerk, auth.Reviewer, auth.Approver, auth.Supervisor); err != nil {
		return nil, err
	}
	if err := checkStatus(f.Status, RectOpen, RectCalledBack, RectRectifying, RectFixed, RectExplained, RectReported, RectClosed); err != nil {
		return nil, err
	}
	w := &where{}
	if p.RegionCode != "" {
		w.add("x.region_code LIKE ?", p.RegionCode+"%")
	}
	switch {
	case !p.Has(auth.Supervisor):
		w.add("x.org_id = ?", p.OrgID)
	case f.OrgID != 0:
		w.add("x.org_id = ?", f.OrgID)
	}
	if f.Status != "" {
		w.add("x.status = ?", f.Status)
	}
	q := `SELECT ` + prefixCols(rectCols, "x.") + ` FROM rectifications x` + w.sql() + ` ORDER BY x.closed_at IS NOT NULL, x.callback_due, x.id LIMIT 500`
	rows, err := s.db.R.QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list rectifications: %w", err)
	}
	var out []*Rectification
	for rows.Next() {
		x, err := scanRect(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list rectifications: %w", err)
		}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range out {
		if x.Rating, err = getRating(ctx, s.db.R, x.RatingID, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func prefixCols(cols, prefix string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
