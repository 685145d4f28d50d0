package reform

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Service keeps reform tasks.
type Service struct {
	db  *db.DB
	clk clock.Clock
	cal Calendar
}

// NewService builds a Service.
func NewService(d *db.DB, clk clock.Clock, cal Calendar) *Service {
	return &Service{db: d, clk: clk, cal: cal}
}

func (s *Service) now() time.Time { return clock.Norm(s.clk.Now()) }

// Stream is the audit stream of task id.
func Stream(id int64) string { return "reform/" + strconv.FormatInt(id, 10) }

// IsSupervisor reports whether p keeps the tasks of region.
func IsSupervisor(p *auth.Principal, region string) bool {
	return p.Has(auth.Supervisor) && p.InRegion(region)
}

// canView: the region's supervisors and the staff of the task's units.
func canView(p *auth.Principal, t *Task) bool {
	return IsSupervisor(p, t.RegionCode) || p != nil && p.Kind == auth.KindStaff && t.Involves(p.OrgID)
}

// CanReport reports whether p may report progress on t: staff of its units.
func CanReport(p *auth.Principal, t *Task) bool {
	return p != nil && p.Kind == auth.KindStaff && t.Involves(p.OrgID)
}

func requireSupervisor(p *auth.Principal) error {
	if err := auth.Require(p, auth.Supervisor); err != nil {
		return err
	}
	if p.RegionCode == "" {
		return auth.ErrOutOfScope
	}
	return nil
}

// Orgs lists the organizations p may charge with tasks (its region's).
func (s *Service) Orgs(ctx context.Context, p *auth.Principal) ([]Unit, error) {
	if err := auth.Require(p, auth.StaffRoles...); err != nil {
		return nil, err
	}
	units, regions, err := orgNames(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	var out []Unit
	for id, u := range units {
		if p.RegionCode == "" || ids.InRegion(regions[id], p.RegionCode) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b Unit) int { return int(a.ID - b.ID) })
	return out, nil
}

func (s *Service) lookup(ctx context.Context, q db.Q) (func(int64) (string, bool), error) {
	units, _, err := orgNames(ctx, q)
	if err != nil {
		return nil, err
	}
	return func(id int64) (string, bool) { u, ok := units[id]; return u.Name, ok }, nil
}

// Create adds a task in p's region (supervisors only).
func (s *Service) Create(ctx context.Context, p *auth.Principal, in TaskInput) (Task, error) {
	if err := requireSupervisor(p); err != nil {
		return Task{}, err
	}
	now := s.now()
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		names, err := s.lookup(ctx, tx)
		if err != nil {
			return err
		}
		c, err := validateTask(in, calendar.DateOf(now), names)
		if err != nil {
			return err
		}
		if id, err = insertTask(ctx, tx, p.RegionCode, c, p.UserID, now); err != nil {
			return s.db.Translate(err)
		}
		t, err := getTask(ctx, tx, id, "")
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(auth.Supervisor), Stream(id), "create", map[string]any{"after": t})
		return err
	})
	if err != nil {
		return Task{}, fmt.Errorf("create reform task: %w", err)
	}
	return s.Get(ctx, p, id)
}

// Update replaces a task's editable fields (supervisors of its region).
func (s *Service) Update(ctx context.Context, p *auth.Principal, id int64, in TaskInput, reason string) (Task, error) {
	if err := requireSupervisor(p); err != nil {
		return Task{}, err
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getTask(ctx, tx, id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if !IsSupervisor(p, before.RegionCode) {
			return auth.ErrOutOfScope
		}
		if before.stored == Done {
			return ErrDone
		}
		names, err := s.lookup(ctx, tx)
		if err != nil {
			return err
		}
		if in.StartDate == "" {
			in.StartDate = before.StartDate.String()
		}
		c, err := validateTask(in, before.StartDate, names)
		if err != nil {
			return err
		}
		if err := updateTask(ctx, tx, id, c, now); err != nil {
			return s.db.Translate(err)
		}
		after, err := getTask(ctx, tx, id, "")
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(auth.Supervisor), Stream(id), "update",
			map[string]any{"before": before, "after": after, "reason": reason})
		return err
	})
	if err != nil {
		return Task{}, fmt.Errorf("update reform task %d: %w", id, err)
	}
	return s.Get(ctx, p, id)
}

// Get returns a task with its progress reports, if p may see it.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (Task, error) {
	if err := auth.Require(p); err != nil {
		return Task{}, err
	}
	t, err := getTask(ctx, s.db.R, id, "")
	if err != nil {
		return Task{}, err
	}
	if !canView(p, &t) {
		return Task{}, auth.ErrForbidden
	}
	if t.Progress, err = listProgress(ctx, s.db.R, id); err != nil {
		return Task{}, err
	}
	if err := decorate(ctx, s.cal, &t, calendar.DateOf(s.now())); err != nil {
		return Task{}, err
	}
	return t, nil
}

// List returns the tasks p may see that match f: a supervisor's region, or
// the tasks of a staff member's own unit.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Task, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	if p.Kind != auth.KindStaff {
		return nil, auth.ErrForbidden
	}
	if f.Month != "" {
		if _, err := ParseMonth(f.Month); err != nil {
			return nil, err
		}
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, errs.Field("status", "status_invalid", "任务状态不正确")
	}
	ts, err := listTasks(ctx, s.db.R, Filter{OrgID: f.OrgID, Month: f.Month})
	if err != nil {
		return nil, err
	}
	today := calendar.DateOf(s.now())
	out := ts[:0]
	for _, t := range ts {
		if !canView(p, &t) {
			continue
		}
		if err := decorate(ctx, s.cal, &t, today); err != nil {
			return nil, err
		}
		if f.Status == "" || t.Status == f.Status {
			out = append(out, t)
		}
	}
	return out, nil
}

// AddProgress records a progress report by p's unit on task id.
func (s *Service) AddProgress(ctx context.Context, p *auth.Principal, id int64, in ProgressInput) (Progress, error) {
	if err := auth.Require(p); err != nil {
		return Progress{}, err
	}
	now := s.now()
	var out Progress
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := getTask(ctx, tx, id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if !CanReport(p, &t) {
			return ErrNotUnit
		}
		if t.stored == Done {
			return ErrDone
		}
		if err := validateProgress(&in); err != nil {
			return err
		}
		if in.Attachments == nil {
			in.Attachments = []Attachment{}
		}
		out = Progress{TaskID: id, Unit: unitOf(&t, p.OrgID), ReporterID: p.UserID, ReporterName: p.Name,
			Date: calendar.DateOf(now), Percent: *in.Percent, Text: in.Text, Attachments: in.Attachments, CreatedAt: now}
		if out.ID, err = insertProgress(ctx, tx, out); err != nil {
			return s.db.Translate(err)
		}
		// The task shows the latest reported percentage; reporting starts it.
		if _, err := tx.ExecContext(ctx, `UPDATE reform_tasks SET status = 'in_progress', percent = $1, updated_at = $2 WHERE id = $3`,
			out.Percent, now, id); err != nil {
			return fmt.Errorf("update task progress: %w", err)
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(p.PrimaryRole()), Stream(id), "progress",
			map[string]any{"before": map[string]any{"status": t.stored, "percent": t.Percent}, "after": out})
		return err
	})
	if err != nil {
		return Progress{}, fmt.Errorf("report progress on task %d: %w", id, err)
	}
	return out, nil
}

func unitOf(t *Task, org int64) Unit {
	for _, u := range t.AllUnits() {
		if u.ID == org {
			return u
		}
	}
	return Unit{ID: org}
}

// Complete marks task id done with evidence (supervisors of its region).
func (s *Service) Complete(ctx context.Context, p *auth.Principal, id int64, in CompleteInput) (Task, error) {
	if err := requireSupervisor(p); err != nil {
		return Task{}, err
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := getTask(ctx, tx, id, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if !IsSupervisor(p, t.RegionCode) {
			return auth.ErrOutOfScope
		}
		if t.stored == Done {
			return ErrDone
		}
		on, err := validateComplete(&in, &t, calendar.DateOf(now))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reform_tasks SET status = 'done', percent = 100, completed_on = $1, evidence = $2, updated_at = $3
			WHERE id = $4`, on.String(), in.Evidence, now, id); err != nil {
			return fmt.Errorf("complete task: %w", err)
		}
		_, err = audit.Append(ctx, tx, now, p.Actor(auth.Supervisor), Stream(id), "complete", map[string]any{
			"before": map[string]any{"status": t.stored, "percent": t.Percent},
			"after":  map[string]any{"status": Done, "completed_on": on, "evidence": in.Evidence, "on_time": !on.After(t.Deadline)}})
		return err
	})
	if err != nil {
		return Task{}, fmt.Errorf("complete reform task %d: %w", id, err)
	}
	return s.Get(ctx, p, id)
}

// ParseMonth parses "YYYY-MM" into the first day of the month.
func ParseMonth(s string) (calendar.Date, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return calendar.Date{}, ErrMonthFormat
	}
	return calendar.D(t.Year(), t.Month(), 1), nil
}

// MonthOf is the "YYYY-MM" of d.
func MonthOf(d calendar.Date) string { return d.String()[:7] }
