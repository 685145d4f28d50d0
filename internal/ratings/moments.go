package ratings

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

const momentCols = `id, case_no, stage, applicant_id, applicant_name, applicant_phone, org_id, region_code, item_code, item_name,
	window_id, staff_id, case_channel, moment_at, closes_at, default_ok, status, token_used_at, created_at`

func scanMoment(row interface{ Scan(...any) error }) (Moment, error) {
	var m Moment
	var applicant sql.NullInt64
	err := row.Scan(&m.ID, &m.CaseNo, &m.Stage, &applicant, &m.Applicant, &m.Phone, &m.OrgID, &m.RegionCode, &m.ItemCode, &m.ItemName,
		&m.WindowID, &m.StaffID, &m.CaseChannel, &m.At, &m.ClosesAt, &m.DefaultOK, &m.Status, &m.TokenUsedAt, &m.CreatedAt)
	m.ApplicantID = applicant.Int64
	return m, err
}

func getMoment(ctx context.Context, q db.Q, no string, st Stage, lock string) (Moment, error) {
	m, err := scanMoment(q.QueryRowContext(ctx, `SELECT `+momentCols+` FROM rating_moments WHERE case_no = $1 AND stage = $2`+lock, no, string(st)))
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, ErrNotRateable
	}
	if err != nil {
		return Moment{}, fmt.Errorf("rating moment %s/%s: %w", no, st, err)
	}
	return m, nil
}

// stageTime is when case c reached stage st, or nil.
func stageTime(c CaseFacts, st Stage) *time.Time {
	if st == StageAccept {
		return c.AcceptedAt
	}
	return c.ConcludedAt
}

// ensureMoment returns the moment of stage st of case c, opening it (with
// its window fixed by the region's rules) when the case has reached it.
// created tells whether this call opened it.
func (s *Service) ensureMoment(ctx context.Context, tx *sql.Tx, c CaseFacts, st Stage, now time.Time) (m Moment, created bool, err error) {
	// A stage the case has not reached has no moment: no need to look.
	at := stageTime(c, st)
	if at == nil || c.OrgID == 0 {
		return Moment{}, false, ErrNotRateable
	}
	m, err = getMoment(ctx, tx, c.No, st, s.db.ForUpdate())
	if err == nil || !errors.Is(err, ErrNotRateable) {
		return m, false, err
	}
	args, err := s.newMoment(ctx, tx, c, st, *at, now)
	if err != nil {
		return Moment{}, false, err
	}
	res, err := tx.ExecContext(ctx, insertMoment, args...)
	if err != nil {
		return Moment{}, false, fmt.Errorf("open rating moment %s: %w", c.No, err)
	}
	n, _ := res.RowsAffected()
	m, err = getMoment(ctx, tx, c.No, st, "")
	return m, n == 1, err
}

// CaseEvent is the part of a "case.event" outbox message ratings read.
type CaseEvent struct {
	No         string            `json:"no"`
	Action     string            `json:"action"`
	Before     string            `json:"before"`
	After      string            `json:"after"`
	OrgID      int64             `json:"org_id"`
	RegionCode string            `json:"region_code"`
	Item       string            `json:"item"`
	Channel    string            `json:"channel"`
	Facts      *cases.EventFacts `json:"facts"` // absent from messages of older versions
}

// reached lists the rating moments the event brings the case to: acceptance
// when it leaves a status before acceptance for one after it (accepted,
// or straight to a decision or conclusion for 即办), conclusion when it
// concludes. Other events open nothing, so their delivery reads nothing.
func (ev CaseEvent) reached() []Stage {
	var out []Stage
	switch cases.Status(ev.Before) {
	case "", cases.Draft, cases.Submitted, cases.Correction:
		switch cases.Status(ev.After) {
		case cases.Accepted, cases.ClockStopped, cases.Decided, cases.Concluded, cases.Delivered:
			out = append(out, StageAccept)
		}
	}
	if cases.Status(ev.After) == cases.Concluded || (cases.Status(ev.After) == cases.Delivered && cases.Status(ev.Before) != cases.Concluded) {
		out = append(out, StageConclude)
	}
	return out
}

// WantsEvent reports whether ratings do anything with a case event of kind
// k (cases.Service.PublishOnly): whether it brings the case to a moment.
func WantsEvent(k cases.EventKind) bool {
	return len(CaseEvent{Before: string(k.Before), After: string(k.After)}.reached()) > 0
}

// facts are the case's facts from the message, or false for a message of
// an older version that carries none.
func (ev CaseEvent) facts() (CaseFacts, bool) {
	f := ev.Facts
	if f == nil {
		return CaseFacts{}, false
	}
	return CaseFacts{No: ev.No, ApplicantID: f.ApplicantID, Applicant: f.Applicant, Phone: f.Phone, OrgID: ev.OrgID,
		RegionCode: ev.RegionCode, Item: ev.Item, ItemName: f.ItemName, Channel: ev.Channel, WindowID: f.WindowID,
		StaffID: f.StaffID, Status: ev.After, AcceptedAt: f.AcceptedAt, ConcludedAt: f.ConcludedAt}, true
}

// HandleCaseEvent is the outbox handler of "case.event": when a case reaches
// a rateable moment it opens the moment, and on conclusion it sends the
// applicant a one-time SMS rating link. Re-delivery is harmless: a moment
// opens, and its link is sent, once.
func (s *Service) HandleCaseEvent(ctx context.Context, m outbox.Message) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.HandleCaseEventTx(ctx, tx, m) })
}

// HandleCaseEventTx is HandleCaseEvent inside the outbox's delivery transaction.
func (s *Service) HandleCaseEventTx(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
	var ev CaseEvent
	if err := m.Decode(&ev); err != nil {
		return err
	}
	stages := ev.reached()
	if len(stages) == 0 {
		return nil
	}
	c, ok := ev.facts()
	if !ok {
		var err error
		if c, err = s.dir.Case(ctx, ev.No); err != nil {
			return fmt.Errorf("ratings: case event %s: %w", ev.No, err)
		}
	}
	now := s.now()
	for _, st := range stages {
		mo, created, err := s.openMoment(ctx, tx, c, st, now)
		if errors.Is(err, ErrNotRateable) {
			continue
		}
		if err != nil {
			return err
		}
		if created && st == StageConclude {
			if err := s.sendLink(ctx, tx, mo, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// openMoment is ensureMoment for the event that reaches the stage, where the
// moment almost never exists yet: it inserts first and reads only when a
// re-delivered message finds the moment there.
func (s *Service) openMoment(ctx context.Context, tx *sql.Tx, c CaseFacts, st Stage, now time.Time) (m Moment, created bool, err error) {
	at := stageTime(c, st)
	if at == nil || c.OrgID == 0 {
		return Moment{}, false, ErrNotRateable
	}
	args, err := s.newMoment(ctx, tx, c, st, *at, now)
	if err != nil {
		return Moment{}, false, err
	}
	m, err = scanMoment(tx.QueryRowContext(ctx, insertMoment+` RETURNING `+momentCols, args...))
	if errors.Is(err, sql.ErrNoRows) { // opened before: a message delivered again
		m, err = getMoment(ctx, tx, c.No, st, "")
		return m, false, err
	}
	if err != nil {
		return Moment{}, false, fmt.Errorf("open rating moment %s: %w", c.No, err)
	}
	return m, true, nil
}

const insertMoment = `INSERT INTO rating_moments (case_no, stage, applicant_id, applicant_name, applicant_phone, org_id, region_code,
			item_code, item_name, window_id, staff_id, case_channel, moment_at, closes_at, default_ok, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'open', $16) ON CONFLICT (case_no, stage) DO NOTHING`

// newMoment is the insertMoment arguments of stage st of case c reached at
// at: the region's rules must open the stage, and they fix its window.
func (s *Service) newMoment(ctx context.Context, tx *sql.Tx, c CaseFacts, st Stage, at, now time.Time) ([]any, error) {
	rules, err := rulesFor(ctx, tx, c.RegionCode)
	if err != nil {
		return nil, err
	}
	if !rules.Enabled(st) {
		return nil, ErrNotRateable.Withf("本地区未开放%s评价", st.Label())
	}
	closes, err := s.cal.WorkingDeadline(ctx, at, rules.WindowDays)
	if err != nil {
		return nil, fmt.Errorf("rating window of %s: %w", c.No, err)
	}
	return momentArgs(c, st, at, closes, rules, now), nil
}

func momentArgs(c CaseFacts, st Stage, at, closes time.Time, rules Rules, now time.Time) []any {
	var applicant any
	if c.ApplicantID != 0 {
		applicant = c.ApplicantID
	}
	return []any{c.No, string(st), applicant, c.Applicant, c.Phone, c.OrgID, c.RegionCode, c.Item, c.ItemName, c.WindowID, c.StaffID, c.Channel,
		at, closes.UTC(), rules.DefaultSatisfied, now}
}

// sendLink gives the moment a one-time link and sends it to the applicant
// (SMS when a phone is known, and in-app). Only the SHA-256 of the token is
// stored, so the database never holds a usable link.
func (s *Service) sendLink(ctx context.Context, tx *sql.Tx, m Moment, now time.Time) error {
	if m.Phone == "" && m.ApplicantID == 0 {
		return nil
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	if _, err := tx.ExecContext(ctx, `UPDATE rating_moments SET token_hash = $1 WHERE id = $2`, hashToken(token), m.ID); err != nil {
		return fmt.Errorf("rating link: %w", err)
	}
	link := "/rate/" + token
	n := notify.Notice{UserID: m.ApplicantID, Link: link, SMS: m.Phone != "", Phone: m.Phone,
		Title: "【办好】您的办件已办结，欢迎评价",
		Body: fmt.Sprintf("办件 %s（%s）请点击 %s%s 评价（%s 前有效）：非常满意、满意、基本满意、不满意、非常不满意，您的评价将用于改进服务。",
			m.CaseNo, m.ItemName, s.base, link, m.ClosesAt.In(clock.Shanghai).Format("2006-01-02"))}
	return notify.Send(ctx, tx, now, n)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// MomentByToken returns the moment a rating link points to, if the link is
// unused and its window is open.
func (s *Service) MomentByToken(ctx context.Context, token string) (Moment, error) {
	if len(token) < 20 || len(token) > 64 {
		return Moment{}, ErrToken
	}
	m, err := scanMoment(s.db.R.QueryRowContext(ctx, `SELECT `+momentCols+` FROM rating_moments WHERE token_hash = $1`, hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, ErrToken
	}
	if err != nil {
		return Moment{}, fmt.Errorf("rating link: %w", err)
	}
	if m.TokenUsedAt != nil || m.Status != MomentOpen || !s.now().Before(m.ClosesAt) {
		return Moment{}, ErrToken
	}
	return m, nil
}
