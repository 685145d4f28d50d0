package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

// lightMsg is the payload of a "case.light" message (cases.refreshOne).
type lightMsg struct {
	No         string      `json:"no"`
	Light      cases.Light `json:"light"`
	Before     cases.Light `json:"before"`
	StepLight  cases.Light `json:"step_light"`
	StepBefore cases.Light `json:"step_before"`
	OrgID      int64       `json:"org_id"`
	StepOrgID  int64       `json:"step_org_id"`
	StepRole   string      `json:"step_role"`
	At         time.Time   `json:"at"`
}

// Card is a yellow or red card (黄牌/红牌) of a department or a person.
type Card struct {
	ID         int64     `json:"id"`
	Color      string    `json:"color"` // yellow | red
	Level      string    `json:"level"` // case | step
	Scope      string    `json:"scope"` // org | person
	OrgID      int64     `json:"org_id"`
	UserID     int64     `json:"user_id,omitempty"`
	CaseNo     string    `json:"case_no"`
	RegionCode string    `json:"region_code"`
	StepName   string    `json:"step_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// caseRow is what supervision reads of a case.
type caseRow struct {
	ID         int64
	No         string
	Region     string
	OrgID      int64
	WindowID   int64
	ItemName   string
	Item       string // code and version of the item version applied for
	Version    int
	Status     cases.Status
	Decision   string
	LegalDue   *time.Time
	AcceptedAt *time.Time
	DecidedAt  *time.Time
	CreatedAt  time.Time
	Body       cases.Body // decoded by decode(): many events need only the columns

	raw         string // the body as stored
	corrections int    // correction notices issued (round of the last one)

	light, stepLight, stepRole string // as the row stands now
	stepOrg                    int64
}

func loadCase(ctx context.Context, q db.Q, no string) (*caseRow, error) {
	var c caseRow
	var legal, acc, dec sql.NullTime
	var body string
	err := q.QueryRowContext(ctx, `SELECT id, no, region_code, org_id, COALESCE(window_id, 0), item_name, item_code, item_version, status, decision,
		legal_due, accepted_at, decided_at, created_at, corrections, body, light, step_light, step_role, step_org_id
		FROM cases WHERE no = $1`, no).Scan(&c.ID, &c.No, &c.Region, &c.OrgID,
		&c.WindowID, &c.ItemName, &c.Item, &c.Version, &c.Status, &c.Decision, &legal, &acc, &dec, &c.CreatedAt, &c.corrections, &body,
		&c.light, &c.stepLight, &c.stepRole, &c.stepOrg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.ErrNotFound.Withf("%s", no)
	}
	if err != nil {
		return nil, fmt.Errorf("read case %s: %w", no, err)
	}
	c.raw = body
	c.LegalDue, c.AcceptedAt, c.DecidedAt = tp(legal), tp(acc), tp(dec)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// decode fills c.Body from the stored body (≈ 6 KB of JSON, the costliest
// part of reading a case).
func (c *caseRow) decode() error {
	if c.raw == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(c.raw), &c.Body); err != nil {
		return fmt.Errorf("case %s: decode body: %w", c.No, err)
	}
	c.raw = ""
	return nil
}

// loadCaseBody is loadCase with the body decoded.
func loadCaseBody(ctx context.Context, q db.Q, no string) (*caseRow, error) {
	c, err := loadCase(ctx, q, no)
	if err != nil {
		return nil, err
	}
	return c, c.decode()
}

func tp(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// HandleLight is the outbox handler of "case.light": warnings and cards.
// A message already handled (same outbox id) is skipped.
func (s *Service) HandleLight(ctx context.Context, m outbox.Message) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.HandleLightTx(ctx, tx, m) })
}

// HandleLightTx is HandleLight inside the outbox's delivery transaction.
func (s *Service) HandleLightTx(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
	var msg lightMsg
	if err := m.Decode(&msg); err != nil {
		return fmt.Errorf("case.light %d: %w", m.ID, err)
	}
	var seen int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM supervise_cards WHERE msg_id = $1`, m.ID).Scan(&seen); err != nil {
		return fmt.Errorf("case.light %d: %w", m.ID, err)
	}
	if seen > 0 {
		return nil
	}
	c, err := loadCaseBody(ctx, tx, msg.No)
	if err != nil {
		return err
	}
	at := clock.Norm(msg.At)
	if at.IsZero() {
		at = s.now()
	}
	w := warning{msgID: m.ID, c: c, at: at}
	// The step light is the one that names a holder; the case light
	// (promised deadline) is charged to the department of the item.
	if msg.StepLight != msg.StepBefore && (msg.StepLight == cases.Yellow || msg.StepLight == cases.Red) {
		w.level, w.color, w.org, w.role = "step", string(msg.StepLight), msg.StepOrgID, msg.StepRole
		if err := s.warn(ctx, tx, w); err != nil {
			return err
		}
	}
	if msg.Light != msg.Before && (msg.Light == cases.Yellow || msg.Light == cases.Red) {
		w.level, w.color, w.org, w.role = "case", string(msg.Light), msg.OrgID, msg.StepRole
		if err := s.warn(ctx, tx, w); err != nil {
			return err
		}
	}
	return nil
}

type warning struct {
	msgID        int64
	c            *caseRow
	at           time.Time
	level, color string
	org          int64
	role         string
}

func (w warning) stepName() string {
	st := w.c.Body.Steps
	for i := range st {
		if st[i].Status == cases.StepActive {
			return st[i].Name
		}
	}
	return ""
}

// warn issues the cards of one light change and notifies the people: the
// holders of the step for yellow; the department head and the region's
// supervisors for red (and the holders, whose own card it is).
func (s *Service) warn(ctx context.Context, tx *sql.Tx, w warning) error {
	if w.org == 0 {
		w.org = w.c.OrgID
	}
	holders, err := holdersOf(ctx, tx, w.org, w.role, w.c.WindowID)
	if err != nil {
		return err
	}
	step := w.stepName()
	if err := insertCard(ctx, tx, w, "org", 0, step); err != nil {
		return err
	}
	for _, u := range holders {
		if err := insertCard(ctx, tx, w, "person", u, step); err != nil {
			return err
		}
	}
	what := "办件即将超期（黄灯预警）"
	if w.color == "red" {
		what = "办件已超期（红灯）"
	}
	where := "承诺办结期限"
	if w.level == "step" {
		where = "环节“" + step + "”期限"
	}
	n := notify.Notice{Title: what + "：" + w.c.ItemName, Link: "/cases/" + w.c.No,
		Body: fmt.Sprintf("办件 %s 的%s%s，请及时处理。", w.c.No, where, map[string]string{"yellow": "即将届满", "red": "已超过"}[w.color])}
	to := holders
	if w.color == "red" {
		heads, err := usersWithRole(ctx, tx, "approver", w.org)
		if err != nil {
			return err
		}
		sups, err := supervisorsOf(ctx, tx, w.c.Region)
		if err != nil {
			return err
		}
		to = append(append(to, heads...), sups...)
	}
	sent := map[int64]bool{}
	for _, u := range to {
		if sent[u] {
			continue
		}
		sent[u] = true
		n.UserID = u
		if err := notify.Send(ctx, tx, w.at, n); err != nil {
			return err
		}
	}
	_, err = audit.Append(ctx, tx, w.at, audit.System, "supervise/case/"+w.c.No, w.color+"-card", map[string]any{
		"level": w.level, "org_id": w.org, "holders": holders, "step": step, "notified": len(sent), "outbox_id": w.msgID})
	return err
}

func insertCard(ctx context.Context, tx *sql.Tx, w warning, scope string, user int64, step string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO supervise_cards (msg_id, color, level, scope, org_id, user_id, case_no, region_code,
		step_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
		w.msgID, w.color, w.level, scope, w.org, user, w.c.No, w.c.Region, step, w.at)
	if err != nil {
		return fmt.Errorf("issue %s card: %w", w.color, err)
	}
	return nil
}

// maxHolders bounds the people warned for one step (a large department
// gets its warning through the department card and head).
const maxHolders = 20

// holdersOf returns who holds a step: staff of the organization with the
// step's role; for a clerk step without such staff, the staff of the
// case's window.
func holdersOf(ctx context.Context, q db.Q, org int64, role string, window int64) ([]int64, error) {
	if role == "" {
		return nil, nil
	}
	us, err := usersWithRole(ctx, q, role, org)
	if err != nil || len(us) > 0 || role != "clerk" || window == 0 {
		return us, err
	}
	return ids64(ctx, q, `SELECT ws.user_id FROM window_staff ws JOIN users u ON u.id = ws.user_id
		WHERE ws.window_id = $1 AND u.disabled = false ORDER BY ws.user_id LIMIT $2`, window, maxHolders)
}

func usersWithRole(ctx context.Context, q db.Q, role string, org int64) ([]int64, error) {
	return ids64(ctx, q, `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = $1 AND u.org_id = $2 AND u.disabled = false ORDER BY u.id LIMIT $3`, role, org, maxHolders)
}

// supervisorsOf returns the supervisors whose region covers region.
func supervisorsOf(ctx context.Context, q db.Q, region string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, COALESCE(u.region_code, '') FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.role = 'supervisor' AND u.disabled = false ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("supervisors: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var scope string
		if err := rows.Scan(&id, &scope); err != nil {
			return nil, err
		}
		if scope != "" && ids.InRegion(region, scope) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

func ids64(ctx context.Context, q db.Q, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
