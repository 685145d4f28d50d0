package ratings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/notify"
)

// Complaint kinds and statuses.
const (
	KindComplaint = "complaint" // 投诉
	KindCannotDo  = "cannot_do" // 办不成事反映

	ComplaintOpen       = "open"
	ComplaintAnswered   = "answered"
	ComplaintCalledBack = "called_back"
	ComplaintClosed     = "closed"
)

// ComplaintStatusLabel is the Chinese name of a complaint status.
func ComplaintStatusLabel(s string) string {
	return map[string]string{ComplaintOpen: "待办理", ComplaintAnswered: "已答复", ComplaintCalledBack: "已回访", ComplaintClosed: "已办结"}[s]
}

// KindLabel is the Chinese name of a complaint kind.
func KindLabel(k string) string {
	if k == KindCannotDo {
		return "办不成事反映"
	}
	return "投诉"
}

// SubjectLabel is the Chinese name of what a complaint is about.
func SubjectLabel(s string) string {
	return map[string]string{"case": "办件", "item": "事项", "window": "窗口", "staff": "工作人员"}[s]
}

// Complaint is a complaint or a 办不成事 report.
type Complaint struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind"`
	Subject       string     `json:"subject"`
	CaseNo        string     `json:"case_no,omitempty"`
	ItemCode      string     `json:"item_code,omitempty"`
	WindowID      int64      `json:"window_id,omitempty"`
	StaffID       int64      `json:"staff_id,omitempty"`
	SubjectName   string     `json:"subject_name"`
	OrgID         int64      `json:"org_id"`
	RegionCode    string     `json:"region_code"`
	ComplainantID int64      `json:"complainant_id,omitempty"`
	Name          string     `json:"name"`
	Phone         string     `json:"phone"`
	Content       string     `json:"content"`
	Channel       string     `json:"channel"`
	RecordedBy    int64      `json:"recorded_by,omitempty"`
	Status        string     `json:"status"`
	StatusLabel   string     `json:"status_label"`
	DueAt         time.Time  `json:"due_at"`
	Answer        string     `json:"answer,omitempty"`
	AnsweredBy    int64      `json:"answered_by,omitempty"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
	CallbackNote  string     `json:"callback_note,omitempty"`
	CallbackBy    int64      `json:"callback_by,omitempty"`
	CallbackAt    *time.Time `json:"callback_at,omitempty"`
	Rating        int        `json:"rating,omitempty"`
	RatingComment string     `json:"rating_comment,omitempty"`
	RatedAt       *time.Time `json:"rated_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func (c *Complaint) stream() string { return "complaint/" + itoa(c.ID) }

// Complaint errors.
var (
	ErrComplaintNotFound = errs.E(errs.NotFound, "complaint_not_found", "投诉记录不存在")
	ErrComplaintState    = errs.E(errs.Conflict, "complaint_state", "投诉当前状态不能执行该操作")
	ErrComplaintCallback = errs.E(errs.Conflict, "complaint_callback_missing", "未记录回访，不能办结")
	ErrSubjectUnknown    = errs.E(errs.Invalid, "complaint_subject_unknown", "找不到所反映的办件、事项、窗口或工作人员")
)

var mobileRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// ComplaintRequest is POST /api/v1/complaints.
type ComplaintRequest struct {
	Kind     string `json:"kind"`    // complaint | cannot_do
	Subject  string `json:"subject"` // case | item | window | staff
	CaseNo   string `json:"case_no,omitempty"`
	ItemCode string `json:"item_code,omitempty"`
	WindowID int64  `json:"window_id,omitempty"`
	StaffID  int64  `json:"staff_id,omitempty"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Content  string `json:"content"`
	Channel  string `json:"channel,omitempty"` // online (default) | window (recorded by staff at the dedicated window)
}

func (r *ComplaintRequest) validate(p *auth.Principal) error {
	var fe errs.Fields
	if r.Kind == "" {
		r.Kind = KindComplaint
	}
	if r.Kind != KindComplaint && r.Kind != KindCannotDo {
		fe.Add("kind", "类型须为投诉或办不成事反映")
	}
	r.Name, r.Phone, r.Content = strings.TrimSpace(r.Name), strings.TrimSpace(r.Phone), strings.TrimSpace(r.Content)
	if r.Name == "" && p != nil && !isStaffOnly(p) {
		r.Name = p.Name
	}
	if r.Phone == "" && p != nil && !isStaffOnly(p) {
		r.Phone = p.Phone
	}
	if r.Name == "" || utf8.RuneCountInString(r.Name) > 50 {
		fe.Add("name", "请填写姓名")
	}
	if !mobileRe.MatchString(r.Phone) {
		fe.Add("phone", "请填写正确的手机号码，以便答复和回访")
	}
	if n := utf8.RuneCountInString(r.Content); n < 5 || n > 2000 {
		fe.Add("content", "请写明反映的问题（5–2000 字）")
	}
	switch r.Subject {
	case "case":
		if strings.TrimSpace(r.CaseNo) == "" {
			fe.Add("case_no", "请填写办件编号")
		}
	case "item":
		if strings.TrimSpace(r.ItemCode) == "" {
			fe.Add("item_code", "请填写事项编码")
		}
	case "window":
		if r.WindowID <= 0 {
			fe.Add("window_id", "请选择窗口")
		}
	case "staff":
		if r.StaffID <= 0 {
			fe.Add("staff_id", "请填写工作人员编号")
		}
	default:
		fe.Add("subject", "请选择反映对象：办件、事项、窗口或工作人员")
	}
	if r.Channel == "" {
		r.Channel = "online"
	}
	if r.Channel != "online" && r.Channel != "window" {
		fe.Add("channel", "受理渠道须为网上或专窗")
	}
	return fe.Err()
}

// route finds the responsible department and region of the complaint.
func (s *Service) route(ctx context.Context, r ComplaintRequest) (Place, error) {
	var pl Place
	var err error
	switch r.Subject {
	case "case":
		var c CaseFacts
		if c, err = s.dir.Case(ctx, strings.TrimSpace(r.CaseNo)); err == nil {
			pl = Place{OrgID: c.OrgID, RegionCode: c.RegionCode, Name: c.ItemName + "（" + c.No + "）"}
		}
	case "item":
		pl, err = s.dir.Item(ctx, strings.TrimSpace(r.ItemCode))
	case "window":
		pl, err = s.dir.Window(ctx, r.WindowID)
	case "staff":
		pl, err = s.dir.Staff(ctx, r.StaffID)
	}
	if err != nil || pl.RegionCode == "" {
		return Place{}, ErrSubjectUnknown.OnField(subjectField(r.Subject))
	}
	return pl, nil
}

func subjectField(s string) string {
	return map[string]string{"case": "case_no", "item": "item_code", "window": "window_id", "staff": "staff_id"}[s]
}

// FileComplaint files a complaint or 办不成事 report: by anyone online
// (logged in or not; a phone number is required for the answer and the
// callback), or recorded by staff at the dedicated window. It is routed to
// the responsible department and the region's supervisors with a deadline.
func (s *Service) FileComplaint(ctx context.Context, p *auth.Principal, req ComplaintRequest) (*Complaint, error) {
	if err := req.validate(p); err != nil {
		return nil, err
	}
	if req.Channel == "window" {
		if err := auth.Require(p, auth.Clerk, auth.Supervisor, auth.HotlineAgent); err != nil {
			return nil, err
		}
	}
	pl, err := s.route(ctx, req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &Complaint{Kind: req.Kind, Subject: req.Subject, CaseNo: strings.TrimSpace(req.CaseNo), ItemCode: strings.TrimSpace(req.ItemCode),
		WindowID: req.WindowID, StaffID: req.StaffID, SubjectName: pl.Name, OrgID: pl.OrgID, RegionCode: pl.RegionCode, Name: req.Name,
		Phone: req.Phone, Content: req.Content, Channel: req.Channel, Status: ComplaintOpen, CreatedAt: now, UpdatedAt: now}
	actor := audit.Actor{Role: "public"}
	if p != nil {
		actor = p.Actor(p.PrimaryRole())
		if req.Channel == "window" {
			c.RecordedBy = p.UserID
		} else if !isStaffOnly(p) {
			c.ComplainantID = p.UserID
		}
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		rules, err := rulesFor(ctx, tx, c.RegionCode)
		if err != nil {
			return err
		}
		if c.DueAt, err = s.cal.WorkingDeadline(ctx, now, rules.ComplaintDays); err != nil {
			return fmt.Errorf("complaint deadline: %w", err)
		}
		c.DueAt = c.DueAt.UTC()
		err = tx.QueryRowContext(ctx, `INSERT INTO complaints (kind, subject, case_no, item_code, window_id, staff_id, subject_name, org_id, region_code,
				complainant_id, complainant_name, phone, content, channel, recorded_by, status, due_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id`,
			c.Kind, c.Subject, c.CaseNo, c.ItemCode, c.WindowID, c.StaffID, c.SubjectName, c.OrgID, c.RegionCode, nullID(c.ComplainantID), c.Name,
			c.Phone, c.Content, c.Channel, nullID(c.RecordedBy), c.Status, c.DueAt, now).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("insert complaint: %w", err)
		}
		_, err = audit.Append(ctx, tx, now, actor, c.stream(), "file", map[string]any{"after": c.Status, "kind": c.Kind, "subject": c.Subject,
			"org_id": c.OrgID, "due_at": c.DueAt})
		if err != nil {
			return err
		}
		what := map[string]string{KindCannotDo: "办不成事反映"}[c.Kind]
		if what == "" {
			what = "投诉"
		}
		return routeTo(ctx, tx, now, c.OrgID, c.RegionCode, notify.Notice{Title: "新的" + what + "待处理",
			Body: fmt.Sprintf("收到一件%s，请于 %s 前答复并回访。", what, c.DueAt.In(clock.Shanghai).Add(-time.Minute).Format("2006-01-02")),
			Link: fmt.Sprintf("/complaints/%d", c.ID)})
	})
	if err != nil {
		return nil, fmt.Errorf("file complaint: %w", err)
	}
	c.StatusLabel = ComplaintStatusLabel(c.Status)
	return c, nil
}

const complaintCols = `id, kind, subject, case_no, item_code, window_id, staff_id, subject_name, org_id, region_code, complainant_id, complainant_name,
	phone, content, channel, recorded_by, status, due_at, answer, answered_by, answered_at, callback_note, callback_by, callback_at, rating,
	rating_comment, rated_at, closed_at, created_at, updated_at`

func scanComplaint(row interface{ Scan(...any) error }) (*Complaint, error) {
	var c Complaint
	var who, rec, ans, cb, rating sql.NullInt64
	err := row.Scan(&c.ID, &c.Kind, &c.Subject, &c.CaseNo, &c.ItemCode, &c.WindowID, &c.StaffID, &c.SubjectName, &c.OrgID, &c.RegionCode, &who, &c.Name,
		&c.Phone, &c.Content, &c.Channel, &rec, &c.Status, &c.DueAt, &c.Answer, &ans, &c.AnsweredAt, &c.CallbackNote, &cb, &c.CallbackAt, &rating,
		&c.RatingComment, &c.RatedAt, &c.ClosedAt, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	c.ComplainantID, c.RecordedBy, c.AnsweredBy, c.CallbackBy, c.Rating = who.Int64, rec.Int64, ans.Int64, cb.Int64, int(rating.Int64)
	c.StatusLabel = ComplaintStatusLabel(c.Status)
	return &c, nil
}

// canHandle fails unless p works in the complaint's department or
// supervises its region.
func canHandle(p *auth.Principal, c *Complaint) (auth.Role, error) {
	if err := auth.Require(p, auth.Clerk, auth.Reviewer, auth.Approver, auth.Supervisor); err != nil {
		return "", err
	}
	if !p.InRegion(c.RegionCode) {
		return "", auth.ErrOutOfScope
	}
	if p.Has(auth.Supervisor) {
		return auth.Supervisor, nil
	}
	if c.OrgID != 0 && p.OrgID == c.OrgID {
		return p.PrimaryRole(), nil
	}
	return "", ErrNotYourRect
}

// Complaint returns one complaint to its complainant, its department or a
// supervisor.
func (s *Service) Complaint(ctx context.Context, p *auth.Principal, id int64) (*Complaint, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	c, err := getComplaint(ctx, s.db.R, id, "")
	if err != nil {
		return nil, err
	}
	if c.ComplainantID != 0 && c.ComplainantID == p.UserID {
		return c, nil
	}
	// An admin reads every complaint it lists (Complaints), without working it.
	if p.Has(auth.Admin) && p.InRegion(c.RegionCode) {
		return c, nil
	}
	if _, err := canHandle(p, c); err != nil {
		return nil, ErrComplaintNotFound
	}
	return c, nil
}

func getComplaint(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64, lock string) (*Complaint, error) {
	c, err := scanComplaint(q.QueryRowContext(ctx, `SELECT `+complaintCols+` FROM complaints WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrComplaintNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("complaint %d: %w", id, err)
	}
	return c, nil
}

// Complaints lists complaints: staff see their department's (supervisors
// their region's), applicants their own.
func (s *Service) Complaints(ctx context.Context, p *auth.Principal, status string) ([]*Complaint, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	if err := checkStatus(status, ComplaintOpen, ComplaintAnswered, ComplaintCalledBack, ComplaintClosed); err != nil {
		return nil, err
	}
	w := &where{}
	switch {
	case p.HasAny(auth.Supervisor, auth.Admin):
		if p.RegionCode != "" {
			w.add("region_code LIKE ?", p.RegionCode+"%")
		}
	case p.HasAny(auth.Clerk, auth.Reviewer, auth.Approver):
		w.add("region_code LIKE ?", p.RegionCode+"%")
		w.add("org_id = ?", p.OrgID)
	case p.Has(auth.Applicant):
		w.add("complainant_id = ?", p.UserID)
	default:
		return nil, auth.ErrForbidden
	}
	if status != "" {
		w.add("status = ?", status)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+complaintCols+` FROM complaints`+w.sql()+` ORDER BY status = 'closed', due_at, id LIMIT 500`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list complaints: %w", err)
	}
	defer rows.Close()
	out := []*Complaint{}
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, fmt.Errorf("list complaints: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ComplaintAction is the body of a complaint action.
type ComplaintAction struct {
	Note    string `json:"note,omitempty"`
	Level   int    `json:"level,omitempty"`   // rate, or the satisfaction asked at the callback
	Comment string `json:"comment,omitempty"` // rate
}

// Complaint actions.
const (
	CActAnswer   = "answer"
	CActCallback = "callback"
	CActRate     = "rate"
	CActClose    = "close"
)

// ActOnComplaint runs answer, callback and close (department or supervisor)
// and rate (the complainant, or the satisfaction asked at the callback).
func (s *Service) ActOnComplaint(ctx context.Context, p *auth.Principal, id int64, action string, req ComplaintAction) (*Complaint, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	req.Note = strings.TrimSpace(req.Note)
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := getComplaint(ctx, tx, id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		before := c.Status
		role, err := s.applyComplaint(c, p, action, req, now)
		if err != nil {
			return err
		}
		c.UpdatedAt = now
		_, err = tx.ExecContext(ctx, `UPDATE complaints SET status = $1, answer = $2, answered_by = $3, answered_at = $4, callback_note = $5,
				callback_by = $6, callback_at = $7, rating = $8, rating_comment = $9, rated_at = $10, closed_at = $11, updated_at = $12 WHERE id = $13`,
			c.Status, c.Answer, nullID(c.AnsweredBy), timeOrNil(c.AnsweredAt), c.CallbackNote, nullID(c.CallbackBy), timeOrNil(c.CallbackAt),
			nullID(int64(c.Rating)), c.RatingComment, timeOrNil(c.RatedAt), timeOrNil(c.ClosedAt), now, c.ID)
		if err != nil {
			return fmt.Errorf("update complaint: %w", err)
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(role), c.stream(), action, map[string]any{"before": before, "after": c.Status, "note": req.Note,
			"level": req.Level})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("complaint %d %s: %w", id, action, err)
	}
	return s.Complaint(ctx, p, id)
}

func (s *Service) applyComplaint(c *Complaint, p *auth.Principal, action string, req ComplaintAction, now time.Time) (auth.Role, error) {
	if action == CActRate {
		if c.ComplainantID == 0 || c.ComplainantID != p.UserID {
			return "", ErrNotRater
		}
		if c.AnsweredAt == nil {
			return "", ErrComplaintState.Withf("尚未答复，暂不能评价")
		}
		if c.RatedAt != nil {
			return "", ErrAlreadyRated
		}
		if req.Level < MinLevel || req.Level > MaxLevel {
			return "", ErrLevel.OnField("level")
		}
		c.Rating, c.RatingComment, c.RatedAt = req.Level, strings.TrimSpace(req.Comment), &now
		return auth.Applicant, nil
	}
	role, err := canHandle(p, c)
	if err != nil {
		return "", err
	}
	if req.Note == "" || utf8.RuneCountInString(req.Note) > 2000 {
		return "", ErrNote.OnField("note")
	}
	bad := func() error {
		return ErrComplaintState.Withf("投诉当前状态为“%s”，不能执行该操作", ComplaintStatusLabel(c.Status))
	}
	switch action {
	case CActAnswer:
		if c.Status != ComplaintOpen {
			return "", bad()
		}
		c.Status, c.Answer, c.AnsweredBy, c.AnsweredAt = ComplaintAnswered, req.Note, p.UserID, &now
	case CActCallback:
		if c.Status != ComplaintAnswered {
			return "", bad()
		}
		c.Status, c.CallbackNote, c.CallbackBy, c.CallbackAt = ComplaintCalledBack, req.Note, p.UserID, &now
		if req.Level != 0 {
			if req.Level < MinLevel || req.Level > MaxLevel {
				return "", ErrLevel.OnField("level")
			}
			if c.RatedAt == nil {
				c.Rating, c.RatingComment, c.RatedAt = req.Level, "回访时由投诉人口头评价", &now
			}
		}
	case CActClose:
		if c.CallbackAt == nil {
			return "", ErrComplaintCallback
		}
		if c.Status != ComplaintCalledBack {
			return "", bad()
		}
		c.Status, c.ClosedAt = ComplaintClosed, &now
	default:
		return "", errs.E(errs.NotFound, "unknown_action", "未知的操作："+strconv.Quote(action))
	}
	return role, nil
}

// KindLabel is the Chinese name of c's kind (for pages).
func (c *Complaint) KindLabel() string { return KindLabel(c.Kind) }

// SubjectLabel is the Chinese name of what c is about (for pages).
func (c *Complaint) SubjectLabel() string { return SubjectLabel(c.Subject) }
