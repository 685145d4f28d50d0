package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Verification results and errors.
const (
	VerifyOpen      = "open"
	VerifyConfirmed = "confirmed" // the commitment proved true
	VerifyFailed    = "failed"    // the commitment proved false (虚假承诺)
)

var (
	ErrVerificationNotFound = errs.E(errs.NotFound, "verification_not_found", "核查任务不存在")
	ErrVerificationClosed   = errs.E(errs.Conflict, "verification_closed", "该核查任务已办结")
	ErrVerificationResult   = errs.E(errs.Invalid, "verification_result", "核查结论须为“属实”或“不属实”")
	ErrVerificationNote     = errs.E(errs.Invalid, "verification_note_required", "核查不属实的，须写明核查情况")
)

// VerifyRequest closes a verification task (核查) with its result.
type VerifyRequest struct {
	Result string `json:"result"` // confirmed | failed
	Note   string `json:"note,omitempty"`
}

// CloseVerification records the result of a post-approval check of a
// commitment (告知承诺). Only a reviewer or approver of the responsible
// organization may close it; the result joins the case's timeline.
func (s *Service) CloseVerification(ctx context.Context, p *auth.Principal, id int64, req VerifyRequest) (Verification, error) {
	if err := auth.Require(p, auth.Reviewer, auth.Approver); err != nil {
		return Verification{}, err
	}
	note := strings.TrimSpace(req.Note)
	switch req.Result {
	case VerifyConfirmed:
	case VerifyFailed:
		if note == "" {
			return Verification{}, ErrVerificationNote.OnField("note")
		}
	default:
		return Verification{}, ErrVerificationResult.OnField("result")
	}
	now := s.now()
	var out Verification
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var v Verification
		var caseID int64
		err := tx.QueryRowContext(ctx, `SELECT v.id, v.case_id, v.material_id, v.name, v.org_id, v.status, v.created_at
			FROM case_verifications v WHERE v.id = $1`, id).Scan(&v.ID, &caseID, &v.MaterialID, &v.Name, &v.OrgID, &v.Status, &v.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrVerificationNotFound
		}
		if err != nil {
			return fmt.Errorf("load verification: %w", err)
		}
		var no string
		if err := tx.QueryRowContext(ctx, `SELECT no FROM cases WHERE id = $1`, caseID).Scan(&no); err != nil {
			return fmt.Errorf("load verification case: %w", err)
		}
		c, err := s.getCase(ctx, tx, no, s.db.ForUpdate())
		if err != nil {
			return err
		}
		role := auth.Reviewer
		if !p.Has(role) {
			role = auth.Approver
		}
		if err := orgMember(p, c, v.OrgID, role); err != nil {
			return err
		}
		if v.Status != VerifyOpen {
			return ErrVerificationClosed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_verifications SET status = $2, closed_at = $3, note = $4 WHERE id = $1`,
			id, req.Result, now, note); err != nil {
			return fmt.Errorf("close verification: %w", err)
		}
		data := map[string]any{"verification": id, "material_id": v.MaterialID, "material": v.Name, "result": req.Result}
		if note != "" {
			data["reason"] = note
		}
		// Recorded like an action (timeline, outbox, notice), but the case's
		// state does not change.
		ev := &event{Action: ActVerify, Actor: p.Actor(role), At: now, Data: data}
		if req.Result == VerifyFailed {
			ev.Notify = "告知承诺事项“" + v.Name + "”经核查不属实：" + note + "。"
		}
		if err := s.record(ctx, tx, c, ev, c.Status); err != nil {
			return err
		}
		if err := saveAuditHead(ctx, tx, c.ID, c.auditHead); err != nil {
			return err
		}
		v.CaseNo, v.Status, v.ClosedAt, v.Note = no, req.Result, &now, note
		out = v
		return nil
	})
	if err != nil {
		return Verification{}, fmt.Errorf("close verification %d: %w", id, err)
	}
	return out, nil
}
