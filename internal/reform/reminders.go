package reform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/notify"
)

// LetterTitle is the title of the monthly reminder letter, as the 利津县
// plan names it ("每月初……下发《关于推进“放管服”改革一次办好温馨提示函》").
const LetterTitle = "关于推进“放管服”改革一次办好的温馨提示函"

// LetterItem is one task listed in a letter (a snapshot at sending time).
type LetterItem struct {
	TaskID   int64         `json:"task_id"`
	Title    string        `json:"title"`
	Deadline calendar.Date `json:"deadline"`
	Lead     string        `json:"lead_unit"`
	IsLead   bool          `json:"is_lead"` // the addressee leads the task
	Percent  int           `json:"percent"`
}

// Letter is a 温馨提示函 to one unit.
type Letter struct {
	ID         int64         `json:"id"`
	RegionCode string        `json:"region_code"`
	Month      string        `json:"month"`
	Unit       Unit          `json:"unit"`   // 主送
	Sender     string        `json:"sender"` // 落款
	DocNo      string        `json:"doc_no"`
	Title      string        `json:"title"`
	IssuedOn   calendar.Date `json:"issued_on"`
	Items      []LetterItem  `json:"items"`
	CreatedAt  time.Time     `json:"created_at"`
}

// letterKey groups the reminders of one run: one letter per unit and region.
type letterKey struct {
	region string
	org    int64
}

// SendReminders sends, for the month of now, a letter to each unit listing
// its open tasks due that month that it has not been reminded of yet, and
// notifies the unit's supervisors and approvers. Running it again in the
// same month sends nothing more (reform_reminders is keyed by task, month
// and unit); a task added later in the month gets its own letter on the
// next run. It returns the number of letters sent.
func (s *Service) SendReminders(ctx context.Context, now time.Time) (int, error) {
	today := calendar.DateOf(now)
	month := MonthOf(today)
	ts, err := listTasks(ctx, s.db.R, Filter{Month: month})
	if err != nil {
		return 0, err
	}
	groups := map[letterKey][]LetterItem{}
	var keys []letterKey
	for _, t := range ts {
		if t.stored == Done {
			continue
		}
		for _, u := range t.AllUnits() {
			k := letterKey{t.RegionCode, u.ID}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], LetterItem{TaskID: t.ID, Title: t.Title, Deadline: t.Deadline, Lead: t.Lead.Name,
				IsLead: u.ID == t.Lead.ID, Percent: t.Percent})
		}
	}
	sent := 0
	for _, k := range keys {
		ok, err := s.sendLetter(ctx, k, month, today, groups[k], now)
		if err != nil {
			return sent, fmt.Errorf("reform reminders %s: %w", month, err)
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// sendLetter writes one unit's letter, its reminder rows, the audit events
// and the notifications in one transaction; it sends nothing when every
// item was already reminded.
func (s *Service) sendLetter(ctx context.Context, k letterKey, month string, today calendar.Date, items []LetterItem, now time.Time) (bool, error) {
	sent := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var todo []LetterItem
		for _, it := range items {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM reform_reminders WHERE task_id = $1 AND month = $2 AND org_id = $3`, it.TaskID, month, k.org).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				todo = append(todo, it)
			} else if err != nil {
				return fmt.Errorf("check reminder: %w", err)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		l, err := s.insertLetter(ctx, tx, k, month, today, todo, now)
		if err != nil {
			return err
		}
		for _, it := range todo {
			if _, err := tx.ExecContext(ctx, `INSERT INTO reform_reminders (task_id, month, org_id, letter_id) VALUES ($1, $2, $3, $4)`,
				it.TaskID, month, k.org, l.ID); err != nil {
				return s.db.Translate(err)
			}
			if _, err := audit.Append(ctx, tx, now, audit.System, Stream(it.TaskID), "remind",
				map[string]any{"after": map[string]any{"letter_id": l.ID, "doc_no": l.DocNo, "unit": l.Unit.Name, "month": month}}); err != nil {
				return err
			}
		}
		sent = true
		return notifyUnit(ctx, tx, l, now)
	})
	return sent, err
}

func (s *Service) insertLetter(ctx context.Context, tx *sql.Tx, k letterKey, month string, today calendar.Date, items []LetterItem, now time.Time) (Letter, error) {
	l := Letter{RegionCode: k.region, Month: month, Title: LetterTitle, IssuedOn: today, Items: items, CreatedAt: now}
	var regionName string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = $1`, k.region).Scan(&regionName); err != nil {
		return Letter{}, fmt.Errorf("letter sender region %s: %w", k.region, err)
	}
	l.Sender = regionName + "人民政府办公室"
	l.Unit.ID = k.org
	if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, k.org).Scan(&l.Unit.Name); err != nil {
		return Letter{}, fmt.Errorf("letter addressee %d: %w", k.org, err)
	}
	// Letters are numbered per region and year: 示范县政办提示〔2026〕3号.
	var n int
	year := today.String()[:4]
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reform_letters WHERE region_code = $1 AND issued_on >= $2 AND issued_on <= $3`,
		k.region, year+"-01-01", year+"-12-31").Scan(&n); err != nil {
		return Letter{}, fmt.Errorf("count letters: %w", err)
	}
	l.DocNo = fmt.Sprintf("%s政办提示〔%s〕%d号", regionName, year, n+1)
	raw, err := json.Marshal(items)
	if err != nil {
		return Letter{}, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO reform_letters (region_code, month, org_id, org_name, sender, doc_no, issued_on, items, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		l.RegionCode, month, l.Unit.ID, l.Unit.Name, l.Sender, l.DocNo, today.String(), string(raw), now).Scan(&l.ID)
	if err != nil {
		return Letter{}, fmt.Errorf("insert letter: %w", err)
	}
	return l, nil
}

// notifyUnit tells the unit's supervisors and approvers about the letter.
func notifyUnit(ctx context.Context, q db.Q, l Letter, now time.Time) error {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.org_id = $1 AND NOT u.disabled AND r.role IN ('supervisor', 'approver') ORDER BY u.id`, l.Unit.ID)
	if err != nil {
		return fmt.Errorf("unit staff: %w", err)
	}
	var users []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		users = append(users, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	body := fmt.Sprintf("%s（%s）：贵单位有 %d 项改革任务本月到期，请按时间节点完成。", l.Title, l.DocNo, len(l.Items))
	for _, u := range users {
		if err := notify.Send(ctx, q, now, notify.Notice{UserID: u, Title: "督办任务温馨提示函", Body: body,
			Link: "/reform/letters/" + itoa(l.ID)}); err != nil {
			return err
		}
	}
	return nil
}

const letterCols = `id, region_code, month, org_id, org_name, sender, doc_no, issued_on, items, created_at`

func scanLetter(row interface{ Scan(...any) error }) (Letter, error) {
	var l Letter
	var issued, items string
	if err := row.Scan(&l.ID, &l.RegionCode, &l.Month, &l.Unit.ID, &l.Unit.Name, &l.Sender, &l.DocNo, &issued, &items, &l.CreatedAt); err != nil {
		return Letter{}, err
	}
	var err error
	if l.IssuedOn, err = calendar.ParseDate(issued); err != nil {
		return Letter{}, fmt.Errorf("letter %d issued_on: %w", l.ID, err)
	}
	if err := json.Unmarshal([]byte(items), &l.Items); err != nil {
		return Letter{}, fmt.Errorf("letter %d items: %w", l.ID, err)
	}
	l.Title = LetterTitle
	l.CreatedAt = l.CreatedAt.UTC()
	return l, nil
}

func canSeeLetter(p *auth.Principal, l *Letter) bool {
	return IsSupervisor(p, l.RegionCode) || p != nil && p.Kind == auth.KindStaff && p.OrgID != 0 && p.OrgID == l.Unit.ID
}

// Letter returns letter id if p is a supervisor of its region or staff of
// the addressed unit.
func (s *Service) Letter(ctx context.Context, p *auth.Principal, id int64) (Letter, error) {
	if err := auth.Require(p); err != nil {
		return Letter{}, err
	}
	l, err := scanLetter(s.db.R.QueryRowContext(ctx, `SELECT `+letterCols+` FROM reform_letters WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Letter{}, ErrLetterGone
	}
	if err != nil {
		return Letter{}, fmt.Errorf("get letter %d: %w", id, err)
	}
	if !canSeeLetter(p, &l) {
		return Letter{}, auth.ErrForbidden
	}
	return l, nil
}

// Letters lists the letters of month ("" for all) that p may see.
func (s *Service) Letters(ctx context.Context, p *auth.Principal, month string) ([]Letter, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	if p.Kind != auth.KindStaff {
		return nil, auth.ErrForbidden
	}
	q, args := `SELECT `+letterCols+` FROM reform_letters`, []any{}
	if month != "" {
		if _, err := ParseMonth(month); err != nil {
			return nil, err
		}
		q, args = q+` WHERE month = $1`, append(args, month)
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list letters: %w", err)
	}
	defer rows.Close()
	var out []Letter
	for rows.Next() {
		l, err := scanLetter(rows)
		if err != nil {
			return nil, fmt.Errorf("list letters: %w", err)
		}
		if canSeeLetter(p, &l) {
			out = append(out, l)
		}
	}
	return out, rows.Err()
}
