package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrChecklistNotFound is returned for an unknown checklist number.
var ErrChecklistNotFound = errs.E(errs.NotFound, "checklist_not_found", "告知单编号不存在")

// checklistAlphabet has no 0/O, 1/I/L, so a number read aloud or typed at a
// window is unambiguous.
const checklistAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// Checklist computes the checklist of a published version (0 = current).
func (s *Service) Checklist(ctx context.Context, code string, version int, answers map[string]string) (Checklist, error) {
	it, err := s.Guide(ctx, code, version)
	if err != nil {
		return Checklist{}, err
	}
	cl, err := ComputeChecklist(it, answers)
	if err != nil {
		return Checklist{}, fmt.Errorf("checklist %s: %w", code, err)
	}
	return cl, nil
}

// ErrUnanswered refuses to save a checklist while a question that applies
// is unanswered: a saved 一次性告知单 must list exactly the materials
// needed, and an open question leaves them undecided.
var ErrUnanswered = errs.E(errs.Invalid, "unanswered_question", "请先回答所有适用的情形问题，再生成一次性告知单")

// complete reports each asked question without an answer by field.
func (cl Checklist) complete() error {
	var fe errs.Fields
	for _, q := range cl.Asked {
		if q.AnswerID == "" {
			fe.Add("answers."+q.SituationID, "请回答：“"+q.Question+"”")
		}
	}
	if len(fe) == 0 {
		return nil
	}
	c := *ErrUnanswered
	c.Fields = fe
	return &c
}

// SaveChecklist computes and stores a checklist under a new short number
// (e.g. "QD7K3M9P2X") that the window can type or scan to load the answers.
func (s *Service) SaveChecklist(ctx context.Context, c Caller, code string, version int, answers map[string]string) (Checklist, error) {
	cl, err := s.Checklist(ctx, code, version, answers)
	if err != nil {
		return Checklist{}, err
	}
	if err := cl.complete(); err != nil {
		return Checklist{}, err
	}
	raw, err := json.Marshal(cl.Answers)
	if err != nil {
		return Checklist{}, fmt.Errorf("marshal answers: %w", err)
	}
	now := s.now()
	for attempt := 0; attempt < 5; attempt++ {
		number := newChecklistNumber()
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO checklists (number, item_code, version, answers, created_at, user_id) VALUES ($1, $2, $3, $4, $5, $6)`,
			number, cl.Code, cl.Version, string(raw), now, nullID(c.UserID))
		if err == nil {
			cl.Number, cl.CreatedAt = number, &now
			return cl, nil
		}
		if err = s.db.Translate(err); !errors.Is(err, db.ErrDuplicate) {
			return Checklist{}, fmt.Errorf("save checklist: %w", err)
		}
	}
	return Checklist{}, fmt.Errorf("save checklist: %w", err)
}

// LoadChecklist recomputes a saved checklist against the version it was made for.
func (s *Service) LoadChecklist(ctx context.Context, number string) (Checklist, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	var code, raw string
	var version int
	var at time.Time
	err := s.db.R.QueryRowContext(ctx, `SELECT item_code, version, answers, created_at FROM checklists WHERE number = $1`, number).Scan(&code, &version, &raw, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Checklist{}, ErrChecklistNotFound
	}
	if err != nil {
		return Checklist{}, fmt.Errorf("load checklist %s: %w", number, err)
	}
	var answers map[string]string
	if err := json.Unmarshal([]byte(raw), &answers); err != nil {
		return Checklist{}, fmt.Errorf("decode checklist %s: %w", number, err)
	}
	cl, err := s.Checklist(ctx, code, version, answers)
	if err != nil {
		return Checklist{}, err
	}
	at = at.UTC()
	cl.Number, cl.CreatedAt = number, &at
	return cl, nil
}

func newChecklistNumber() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := []byte("QD")
	for _, x := range b {
		out = append(out, checklistAlphabet[int(x)%len(checklistAlphabet)])
	}
	return string(out)
}
