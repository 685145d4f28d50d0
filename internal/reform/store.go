package reform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/db"
)

const taskCols = `t.id, t.region_code, t.title, t.description, t.source_doc, t.lead_org_id, o.name, t.start_date, t.deadline,
	t.status, t.percent, COALESCE(t.completed_on, ''), t.evidence, t.created_at, t.updated_at`

const taskFrom = ` FROM reform_tasks t JOIN orgs o ON o.id = t.lead_org_id`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var start, deadline, done, status string
	err := row.Scan(&t.ID, &t.RegionCode, &t.Title, &t.Description, &t.SourceDoc, &t.Lead.ID, &t.Lead.Name, &start, &deadline,
		&status, &t.Percent, &done, &t.Evidence, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return Task{}, err
	}
	t.stored = Status(status)
	if t.StartDate, err = calendar.ParseDate(start); err != nil {
		return Task{}, fmt.Errorf("task %d start date: %w", t.ID, err)
	}
	if t.Deadline, err = calendar.ParseDate(deadline); err != nil {
		return Task{}, fmt.Errorf("task %d deadline: %w", t.ID, err)
	}
	if done != "" {
		d, err := calendar.ParseDate(done)
		if err != nil {
			return Task{}, fmt.Errorf("task %d completed_on: %w", t.ID, err)
		}
		t.CompletedOn = &d
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// getTask loads one task with its units; lock is d.ForUpdate() or "".
func getTask(ctx context.Context, q db.Q, id int64, lock string) (Task, error) {
	lockSQL := ""
	if lock != "" {
		lockSQL = lock + " OF t"
	}
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskCols+taskFrom+` WHERE t.id = $1`+lockSQL, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, ErrNotFound
	}
	if err != nil {
		return Task{}, fmt.Errorf("get reform task %d: %w", id, err)
	}
	ts := []Task{t}
	if err := loadUnits(ctx, q, ts); err != nil {
		return Task{}, err
	}
	return ts[0], nil
}

// listTasks loads tasks matching the SQL-side part of f (unit and month).
func listTasks(ctx context.Context, q db.Q, f Filter) ([]Task, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.OrgID != 0 {
		args = append(args, f.OrgID)
		where += fmt.Sprintf(` AND (t.lead_org_id = $%d OR EXISTS (SELECT 1 FROM reform_task_units u WHERE u.task_id = t.id AND u.org_id = $%d))`, len(args), len(args))
	}
	if f.Month != "" {
		args = append(args, f.Month+"-01", f.Month+"-31")
		where += fmt.Sprintf(` AND t.deadline >= $%d AND t.deadline <= $%d`, len(args)-1, len(args))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+taskCols+taskFrom+where+` ORDER BY t.deadline, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list reform tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("list reform tasks: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reform tasks: %w", err)
	}
	return out, loadUnits(ctx, q, out)
}

// loadUnits fills the responsible units of ts in one query.
func loadUnits(ctx context.Context, q db.Q, ts []Task) error {
	if len(ts) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, len(ts))
	for i, t := range ts {
		idx[t.ID] = i
		args[i] = t.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT u.task_id, o.id, o.name FROM reform_task_units u JOIN orgs o ON o.id = u.org_id
		WHERE u.task_id IN (`+db.Placeholders(1, len(ts))+`) ORDER BY u.task_id, o.id`, args...)
	if err != nil {
		return fmt.Errorf("load task units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u Unit
		if err := rows.Scan(&id, &u.ID, &u.Name); err != nil {
			return fmt.Errorf("load task units: %w", err)
		}
		ts[idx[id]].Units = append(ts[idx[id]].Units, u)
	}
	return rows.Err()
}

func insertTask(ctx context.Context, q db.Q, region string, c checked, by int64, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO reform_tasks (region_code, title, description, source_doc, lead_org_id, start_date, deadline,
		status, percent, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'not_started', 0, $8, $9, $9) RETURNING id`,
		region, c.in.Title, c.in.Description, c.in.SourceDoc, c.in.LeadOrgID, c.start.String(), c.deadline.String(), nullID(by), at).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert reform task: %w", err)
	}
	return id, setUnits(ctx, q, id, c.in.UnitIDs)
}

func updateTask(ctx context.Context, q db.Q, id int64, c checked, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE reform_tasks SET title = $1, description = $2, source_doc = $3, lead_org_id = $4, start_date = $5,
		deadline = $6, updated_at = $7 WHERE id = $8`,
		c.in.Title, c.in.Description, c.in.SourceDoc, c.in.LeadOrgID, c.start.String(), c.deadline.String(), at, id)
	if err != nil {
		return fmt.Errorf("update reform task %d: %w", id, err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM reform_task_units WHERE task_id = $1`, id); err != nil {
		return fmt.Errorf("update reform task %d units: %w", id, err)
	}
	return setUnits(ctx, q, id, c.in.UnitIDs)
}

func setUnits(ctx context.Context, q db.Q, id int64, orgs []int64) error {
	for _, o := range orgs {
		if _, err := q.ExecContext(ctx, `INSERT INTO reform_task_units (task_id, org_id) VALUES ($1, $2)`, id, o); err != nil {
			return fmt.Errorf("insert task unit: %w", err)
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertProgress(ctx context.Context, q db.Q, p Progress) (int64, error) {
	att, err := json.Marshal(p.Attachments)
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO reform_progress (task_id, org_id, reporter_id, reporter_name, report_date, percent, body, attachments, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		p.TaskID, p.Unit.ID, nullID(p.ReporterID), p.ReporterName, p.Date.String(), p.Percent, p.Text, string(att), p.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert progress: %w", err)
	}
	return id, nil
}

func listProgress(ctx context.Context, q db.Q, taskID int64) ([]Progress, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.task_id, p.org_id, o.name, COALESCE(p.reporter_id, 0), p.reporter_name, p.report_date,
		p.percent, p.body, p.attachments, p.created_at FROM reform_progress p JOIN orgs o ON o.id = p.org_id WHERE p.task_id = $1 ORDER BY p.id DESC`, taskID)
	if err != nil {
		return nil, fmt.Errorf("list progress: %w", err)
	}
	defer rows.Close()
	var out []Progress
	for rows.Next() {
		var p Progress
		var date, att string
		if err := rows.Scan(&p.ID, &p.TaskID, &p.Unit.ID, &p.Unit.Name, &p.ReporterID, &p.ReporterName, &date, &p.Percent, &p.Text, &att, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("list progress: %w", err)
		}
		if p.Date, err = calendar.ParseDate(date); err != nil {
			return nil, fmt.Errorf("progress %d date: %w", p.ID, err)
		}
		if err := json.Unmarshal([]byte(att), &p.Attachments); err != nil {
			return nil, fmt.Errorf("progress %d attachments: %w", p.ID, err)
		}
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// orgNames returns id → name of every organization.
func orgNames(ctx context.Context, q db.Q) (map[int64]Unit, map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, region_code FROM orgs ORDER BY id`)
	if err != nil {
		return nil, nil, fmt.Errorf("list orgs: %w", err)
	}
	defer rows.Close()
	units, regions := map[int64]Unit{}, map[int64]string{}
	for rows.Next() {
		var u Unit
		var region string
		if err := rows.Scan(&u.ID, &u.Name, &region); err != nil {
			return nil, nil, fmt.Errorf("list orgs: %w", err)
		}
		units[u.ID], regions[u.ID] = u, region
	}
	return units, regions, rows.Err()
}
