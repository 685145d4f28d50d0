package supervise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/outbox"
)

// Finding kinds.
const (
	KindRefusalNoReasons = "refusal_without_reasons"
	KindDenialNoReasons  = "denial_without_reasons"
	KindSecondCorrection = "second_correction"
	KindOffSystem        = "off_system"
	KindLateDecision     = "late_decision"
	KindFeeNotListed     = "fee_not_listed"
)

// KindLabel is the Chinese name of a finding kind.
func KindLabel(k string) string {
	switch k {
	case KindRefusalNoReasons:
		return "不予受理未说明理由"
	case KindDenialNoReasons:
		return "不予许可未说明理由"
	case KindSecondCorrection:
		return "二次补正"
	case KindOffSystem:
		return "体外循环"
	case KindLateDecision:
		return "超法定时限作出决定"
	case KindFeeNotListed:
		return "收取目录外费用"
	}
	return k
}

// Finding statuses.
const (
	FindingOpen          = "open"
	FindingConfirmed     = "confirmed"
	FindingDismissed     = "dismissed"
	FindingRectification = "rectification"
)

// StatusLabel is the Chinese name of a finding status.
func StatusLabel(s string) string {
	return map[string]string{FindingOpen: "待处理", FindingConfirmed: "已确认", FindingDismissed: "已驳回", FindingRectification: "整改中"}[s]
}

// Finding is one supervision finding (监察发现).
type Finding struct {
	ID          int64          `json:"id"`
	Kind        string         `json:"kind"`
	KindLabel   string         `json:"kind_label"`
	CaseNo      string         `json:"case_no"`
	RegionCode  string         `json:"region_code"`
	OrgID       int64          `json:"org_id"`
	UserID      int64          `json:"user_id,omitempty"`
	Detail      map[string]any `json:"detail"`
	Status      string         `json:"status"`
	StatusLabel string         `json:"status_label"`
	Reason      string         `json:"reason,omitempty"`
	Deadline    string         `json:"deadline,omitempty"`
	HandledBy   int64          `json:"handled_by,omitempty"`
	HandledAt   *time.Time     `json:"handled_at,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// eventMsg is the payload of a "case.event" message (cases.record).
type eventMsg struct {
	No               string    `json:"no"`
	Action           string    `json:"action"`
	At               time.Time `json:"at"`
	ActorID          int64     `json:"actor_id"`
	ActorRole        string    `json:"actor_role"`
	After            string    `json:"after"`
	SecondCorrection bool      `json:"second_correction"`
	// Lights as the event left them; absent from older messages.
	Lights *cases.EventLights `json:"lights"`
}

// readsBody reports whether detect needs the case body for action a: the
// refusal and decision texts, the declared paper receipt time and acceptor.
func readsBody(a cases.Action) bool {
	switch a {
	case cases.ActRefuse, cases.ActDecide, cases.ActDecideOnSpot, cases.ActAccept, cases.ActAcceptWithPending, cases.ActAutoAccept:
		return true
	}
	return false
}

// concerns reports whether an event can lead to a finding or a born-late
// warning at all; most (submission, review, conclusion, delivery) cannot,
// and their delivery then reads nothing.
func concerns(ev eventMsg) bool {
	// detect's rules: those reading the body, and the second correction.
	if a := cases.Action(ev.Action); readsBody(a) || a == cases.ActRequestCorrection {
		return true
	}
	// warnBornLate looks at open cases only; an older message without
	// "after" is checked as before.
	switch cases.Status(ev.After) {
	case "", cases.Accepted, cases.ClockStopped, cases.Decided:
		return true
	}
	return false
}

// bornGreen reports whether the event, by its message alone, can lead to
// nothing: no rule of detect applies to it and it left no light yellow or
// red (a light that turns later is the lights job's "case.light"). The
// review events of a lifecycle are such; they then read no case.
func bornGreen(ev eventMsg) bool {
	if a := cases.Action(ev.Action); readsBody(a) || a == cases.ActRequestCorrection || ev.Lights == nil {
		return false
	}
	warns := func(l cases.Light) bool { return l == cases.Yellow || l == cases.Red }
	return !warns(ev.Lights.Case) && !warns(ev.Lights.Step)
}

// HandleEvent is the outbox handler of "case.event": it checks the
// transition against the supervision rules and records findings. Findings
// are keyed by breach, so a message delivered twice adds nothing.
func (s *Service) HandleEvent(ctx context.Context, m outbox.Message) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.HandleEventTx(ctx, tx, m) })
}

// HandleEventTx is HandleEvent inside the outbox's delivery transaction.
func (s *Service) HandleEventTx(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
	var ev eventMsg
	if err := m.Decode(&ev); err != nil {
		return fmt.Errorf("case.event %d: %w", m.ID, err)
	}
	at := clock.Norm(ev.At)
	if at.IsZero() {
		at = s.now()
	}
	if !concerns(ev) || bornGreen(ev) {
		return nil
	}
	c, err := loadCase(ctx, tx, ev.No)
	if err != nil {
		return err
	}
	if readsBody(cases.Action(ev.Action)) {
		if err := c.decode(); err != nil {
			return err
		}
	}
	for _, f := range s.detect(c, ev) {
		f.CreatedAt = at
		if err := insertFinding(ctx, tx, f); err != nil {
			return err
		}
	}
	return s.warnBornLate(ctx, tx, m.ID, c, at)
}

// warnBornLate warns about a case or step that is already yellow or red when
// it is entered (a step whose limit is one working day or less, a case
// accepted late): the lights job publishes only changes, so such a light
// would otherwise never warn its holder. One card per case, level, colour
// and step: a light the job already warned about is not warned again.
func (s *Service) warnBornLate(ctx context.Context, tx *sql.Tx, msgID int64, c *caseRow, at time.Time) error {
	switch c.Status {
	case cases.Accepted, cases.ClockStopped, cases.Decided:
	default:
		return nil // lights concern open cases only
	}
	light, stepLight, stepRole, stepOrg := c.light, c.stepLight, c.stepRole, c.stepOrg
	if warns := func(l string) bool { return l == string(cases.Yellow) || l == string(cases.Red) }; warns(light) || warns(stepLight) {
		if err := c.decode(); err != nil { // the step's name is in the body
			return err
		}
	}
	w := warning{msgID: msgID, c: c, at: at}
	for _, l := range []struct{ level, color string }{{"step", stepLight}, {"case", light}} {
		if l.color != string(cases.Yellow) && l.color != string(cases.Red) {
			continue
		}
		w.level, w.color, w.org, w.role = l.level, l.color, stepOrg, stepRole
		if l.level == "case" {
			w.org = c.OrgID
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM supervise_cards WHERE case_no = $1 AND level = $2 AND color = $3
			AND scope = 'org' AND ($2 = 'case' OR step_name = $4)`, c.No, l.level, l.color, w.stepName()).Scan(&n); err != nil {
			return fmt.Errorf("cards of %s: %w", c.No, err)
		}
		if n > 0 {
			continue
		}
		// A later light change of this case, not yet delivered, will warn
		// through HandleLight: the event came late and the light moved since.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE topic = $1 AND id > $2 AND delivered_at IS NULL
			AND payload LIKE $3`, cases.TopicLight, msgID, `%"no":"`+c.No+`"%`).Scan(&n); err != nil {
			return fmt.Errorf("pending lights of %s: %w", c.No, err)
		}
		if n > 0 {
			continue
		}
		if err := s.warn(ctx, tx, w); err != nil {
			return err
		}
	}
	return nil
}

// newFinding is a detected breach before it is stored.
type newFinding struct {
	Kind, Key, CaseNo, Region string
	OrgID, UserID             int64
	Detail                    map[string]any
	CreatedAt                 time.Time
}

// detect applies the rules to the case after event ev.
func (s *Service) detect(c *caseRow, ev eventMsg) []newFinding {
	var out []newFinding
	add := func(kind, key string, user int64, detail map[string]any) {
		out = append(out, newFinding{Kind: kind, Key: kind + "/" + c.No + key, CaseNo: c.No, Region: c.Region, OrgID: c.OrgID,
			UserID: user, Detail: detail})
	}
	switch cases.Action(ev.Action) {
	case cases.ActRefuse:
		if r := c.Body.Refusal; r == nil || s.reasonless(r.Reason) || strings.TrimSpace(r.LegalBasis) == "" {
			d := map[string]any{}
			if r != nil {
				d["reason"], d["legal_basis"] = r.Reason, r.LegalBasis
			}
			add(KindRefusalNoReasons, "", ev.ActorID, d)
		}
	case cases.ActDecide, cases.ActDecideOnSpot:
		if d := c.Body.Decision; d != nil && !d.Grant && (s.reasonless(d.Reasons) || strings.TrimSpace(d.Remedies) == "") {
			add(KindDenialNoReasons, "", ev.ActorID, map[string]any{"reasons": d.Reasons, "remedies": d.Remedies})
		}
		// Art. 42: the decision is due within the legal limit (extended once).
		if c.DecidedAt != nil && c.LegalDue != nil && c.DecidedAt.After(*c.LegalDue) {
			add(KindLateDecision, "", ev.ActorID, map[string]any{"decided_at": *c.DecidedAt, "legal_due": *c.LegalDue,
				"legal_date": legalDate(c)})
		}
	case cases.ActRequestCorrection:
		if ev.SecondCorrection {
			round := roundOf(c)
			if round >= 2 {
				add(KindSecondCorrection, fmt.Sprintf("/%d", round), ev.ActorID, map[string]any{"round": round})
			}
		}
	}
	switch cases.Action(ev.Action) {
	case cases.ActAccept, cases.ActAcceptWithPending, cases.ActAutoAccept, cases.ActDecideOnSpot:
		if acc, ok := s.offSystem(c); ok {
			add(KindOffSystem, "", c.Body.AcceptedBy, map[string]any{"accepted_at": acc, "entered_at": c.CreatedAt,
				"margin_hours": s.rules.OffSystemMargin.Hours()})
		}
	}
	return out
}

func legalDate(c *caseRow) string {
	if d := c.Body.Deadlines.Legal; d != nil {
		return d.Date
	}
	return ""
}

// roundOf is the round of the last correction notice issued (the counter
// lives in the row, not the body). A second notice is round ≥ 2.
func roundOf(c *caseRow) int { return c.corrections }

// boilerplate are reasons that state no reason (e.g. "不符合条件").
var boilerplate = []string{"不符合条件", "不符合要求", "不符合规定", "材料不全", "材料不齐", "其他", "无", "略", "见附件", "不予受理", "不予许可"}

// reasonless reports whether a stated reason is missing or a mere formula:
// art. 38 requires the reasons of a denial, art. 32 those of a refusal.
func (s *Service) reasonless(r string) bool {
	r = strings.Trim(strings.TrimSpace(r), "。.，, ")
	if utf8.RuneCountInString(r) < s.rules.MinReasonRunes {
		return true
	}
	for _, b := range boilerplate {
		if r == b {
			return true
		}
	}
	return false
}

// offSystem reports whether the case was accepted outside the system and
// entered late (体外循环): its acceptance time — the system's acceptance
// instant, or the paper receipt time the clerk declared on entry
// (form.received_at) if earlier — lies before its entry into the system by
// more than the margin.
func (s *Service) offSystem(c *caseRow) (time.Time, bool) {
	var acc time.Time
	if c.AcceptedAt != nil {
		acc = *c.AcceptedAt
	}
	if v, ok := c.Body.Form["received_at"].(string); ok {
		if t, err := parseInstant(v); err == nil && (acc.IsZero() || t.Before(acc)) {
			acc = t
		}
	}
	if acc.IsZero() {
		return time.Time{}, false
	}
	return acc, c.CreatedAt.Sub(acc) > s.rules.OffSystemMargin
}

// parseInstant reads RFC 3339 or a Beijing "YYYY-MM-DD HH:MM".
func parseInstant(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", v, clock.Shanghai)
	return t.UTC(), err
}

func insertFinding(ctx context.Context, tx *sql.Tx, f newFinding) error {
	detail, err := json.Marshal(f.Detail)
	if err != nil {
		return fmt.Errorf("encode finding: %w", err)
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO supervise_findings (kind, dedupe_key, case_no, region_code, org_id, user_id, detail,
		status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8)
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`, f.Kind, f.Key, f.CaseNo, f.Region, f.OrgID, f.UserID, string(detail),
		f.CreatedAt).Scan(&id)
	if err == sql.ErrNoRows {
		return nil // already recorded
	}
	if err != nil {
		return fmt.Errorf("record finding %s: %w", f.Key, err)
	}
	_, err = audit.Append(ctx, tx, f.CreatedAt, audit.System, fmt.Sprintf("finding/%d", id), "detect", map[string]any{
		"after": map[string]any{"kind": f.Kind, "case_no": f.CaseNo, "user_id": f.UserID, "detail": f.Detail, "status": FindingOpen}})
	return err
}
