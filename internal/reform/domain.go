// Package reform keeps the reform tasks (督办任务) of the reform plans: each
// task has a lead unit (牵头单位), responsible units (责任单位) and a deadline
// (完成时限, e.g. "2018年6月底前实现3550目标"). Units report progress; a
// supervisor marks a task done with evidence; lights show which tasks are
// close to or past their deadline. At the start of each month the
// reminders job sends every unit a 温馨提示函 listing its tasks due that
// month, and the monthly report counts what was done on time.
//
// Authorization is decided here: supervisors of the region create, edit and
// complete tasks and read the report; the staff of a task's units see the
// task and report progress on it.
package reform

import (
	"time"

	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/errs"
)

// Status is the state of a task. Overdue is never stored: it is a task that
// is not done after its deadline day.
type Status string

const (
	NotStarted Status = "not_started"
	InProgress Status = "in_progress"
	Done       Status = "done"
	Overdue    Status = "overdue"
)

// Statuses lists the statuses in display order.
var Statuses = []Status{NotStarted, InProgress, Overdue, Done}

// Name is the Chinese name of s.
func (s Status) Name() string {
	switch s {
	case NotStarted:
		return "未开始"
	case InProgress:
		return "推进中"
	case Done:
		return "已完成"
	case Overdue:
		return "已逾期"
	}
	return string(s)
}

// Light is the supervision light of an open task.
type Light string

const (
	Green   Light = "green"
	Yellow  Light = "yellow"
	Red     Light = "red"
	NoLight Light = ""
)

// Name is the Chinese name of l.
func (l Light) Name() string {
	switch l {
	case Green:
		return "绿灯"
	case Yellow:
		return "黄灯"
	case Red:
		return "红灯"
	}
	return "—"
}

// Unit is an organization charged with a task.
type Unit struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Task is a reform task as read, with its lights computed for today.
type Task struct {
	ID          int64          `json:"id"`
	RegionCode  string         `json:"region_code"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	SourceDoc   string         `json:"source_doc"`
	Lead        Unit           `json:"lead_unit"`
	Units       []Unit         `json:"responsible_units"`
	StartDate   calendar.Date  `json:"start_date"`
	Deadline    calendar.Date  `json:"deadline"`
	Status      Status         `json:"status"`
	Percent     int            `json:"percent"`
	CompletedOn *calendar.Date `json:"completed_on,omitempty"`
	Evidence    string         `json:"evidence,omitempty"`
	Light       Light          `json:"light"`
	DaysLeft    int            `json:"working_days_left"` // working days from today through the deadline day
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Progress    []Progress     `json:"progress,omitempty"`

	stored Status // status column: not_started, in_progress or done
}

// Involves reports whether org is the lead or a responsible unit of t.
func (t Task) Involves(org int64) bool {
	if org == 0 {
		return false
	}
	if t.Lead.ID == org {
		return true
	}
	for _, u := range t.Units {
		if u.ID == org {
			return true
		}
	}
	return false
}

// AllUnits is the lead unit followed by the responsible units.
func (t Task) AllUnits() []Unit { return append([]Unit{t.Lead}, t.Units...) }

// OnTime reports whether a done task was completed by its deadline.
func (t Task) OnTime() bool {
	return t.CompletedOn != nil && !t.CompletedOn.After(t.Deadline)
}

// Attachment is a file attached to a progress report (a blob in the store).
type Attachment struct {
	Name string `json:"name"`
	Hash string `json:"hash"`
}

// Progress is one progress report by a unit.
type Progress struct {
	ID           int64         `json:"id"`
	TaskID       int64         `json:"task_id"`
	Unit         Unit          `json:"unit"`
	ReporterID   int64         `json:"reporter_id"`
	ReporterName string        `json:"reporter_name"`
	Date         calendar.Date `json:"date"`
	Percent      int           `json:"percent"`
	Text         string        `json:"text"`
	Attachments  []Attachment  `json:"attachments"`
	CreatedAt    time.Time     `json:"created_at"`
}

// TaskInput creates or replaces a task's editable fields. Dates are
// strings so a malformed date is a field error with a Chinese message.
type TaskInput struct {
	Title       string  `json:"title"`
	Description string  `json:"description"`
	SourceDoc   string  `json:"source_doc"`
	LeadOrgID   int64   `json:"lead_org_id"`
	UnitIDs     []int64 `json:"responsible_org_ids"`
	StartDate   string  `json:"start_date"` // optional; default: the day of creation
	Deadline    string  `json:"deadline"`
}

// ProgressInput is a progress report.
type ProgressInput struct {
	Text        string       `json:"text"`
	Percent     *int         `json:"percent"`
	Attachments []Attachment `json:"attachments"`
}

// CompleteInput marks a task done.
type CompleteInput struct {
	Evidence    string `json:"evidence"`
	CompletedOn string `json:"completed_on"` // optional; default today
}

// Filter selects tasks for the list.
type Filter struct {
	Status Status // "" for all
	OrgID  int64  // lead or responsible unit; 0 for all
	Month  string // deadline month YYYY-MM; "" for all
}

// Errors with stable codes.
var (
	ErrNotFound    = errs.E(errs.NotFound, "reform_task_not_found", "督办任务不存在")
	ErrNotUnit     = errs.E(errs.Forbidden, "reform_not_unit", "只有该任务的牵头单位或责任单位工作人员才能报送进展")
	ErrDone        = errs.E(errs.Conflict, "reform_task_done", "该任务已办结，不能再修改或报送进展")
	ErrLetterGone  = errs.E(errs.NotFound, "reform_letter_not_found", "提示函不存在")
	ErrMonthFormat = errs.Field("month", "month_invalid", "月份格式不正确，应为YYYY-MM，如2026-03")
)
