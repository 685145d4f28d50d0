package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
)

// Acceptance errors.
var (
	ErrSecondCorrection          = errs.E(errs.Conflict, "second_correction", "补正应一次性告知；再次补正只能针对补正后仍不合格的已修改材料，或经监察人员书面说明理由")
	ErrCorrectionEmpty           = errs.E(errs.Invalid, "correction_empty", "补正告知须列明全部需补正的材料及理由")
	ErrCorrectionMaterialUnknown = errs.E(errs.Invalid, "correction_material_unknown", "补正告知所列材料不属于该事项版本")
	ErrCorrectionReason          = errs.E(errs.Invalid, "correction_reason_required", "须写明每项材料需补正的具体理由")
	ErrRefusalReason             = errs.E(errs.Invalid, "refusal_reason_required", "不予受理须写明理由和法律依据")
	ErrPendingNotAllowed         = errs.E(errs.Invalid, "pending_not_allowed", "该材料未列为可容缺受理的材料")
	ErrPendingCommitment         = errs.E(errs.Invalid, "pending_commitment_required", "容缺受理须记录申请人的承诺及补齐期限")
	ErrPendingUnknown            = errs.E(errs.Invalid, "pending_material_unknown", "该材料不是本办件的容缺材料")
	ErrWithdrawReason            = errs.E(errs.Invalid, "withdraw_reason_required", "工作人员代为撤回须记录申请人的撤回理由")
)

// WindowRef names the window a clerk acts at; 0: any window the clerk staffs.
type WindowRef struct {
	WindowID int64 `json:"window_id,omitempty"`
}

// AcceptRequest is the accept action.
type AcceptRequest struct {
	WindowRef
	Note string `json:"note,omitempty"`
}

// Accept formally accepts a submitted case (受理): the limits start.
func (s *Service) Accept(ctx context.Context, p *auth.Principal, no string, req AcceptRequest) (*Case, error) {
	return s.act(ctx, p, no, ActAccept, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		ms, err := listMaterials(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := missingRequired(c.ItemSnap.Checklist, byID(ms), false); err != nil {
			return err
		}
		ev.Reason = req.Note
		return s.accept(ctx, tx, c, ev, ev.At, ms)
	})
}

// accept moves c to its first step and computes the deadlines from at.
func (s *Service) accept(ctx context.Context, tx *sql.Tx, c *Case, ev *event, at time.Time, ms []CaseMaterial) error {
	c.Status, c.AcceptedAt, c.PreReviewDue, c.AcceptedBy = Accepted, &at, nil, ev.Actor.ID
	c.Deadlines.PreReview = nil
	if len(c.Steps) == 0 {
		c.Steps = stepsOf(c.ItemSnap)
	}
	if err := s.startStep(ctx, tx, c, ev, 0, at); err != nil {
		return err
	}
	// 告知承诺: each commitment opens a verification task (核查) for the
	// department responsible for the item.
	for _, m := range ms {
		if m.Source == SourceCommitment {
			v := Verification{MaterialID: m.MaterialID, Name: m.Name, OrgID: c.OrgID, CreatedAt: ev.At}
			if err := insertVerification(ctx, tx, c.ID, v); err != nil {
				return err
			}
		}
	}
	if err := s.computeDeadlines(ctx, c, ev.At); err != nil {
		return err
	}
	contents := map[string]any{
		"accepted_at": at, "promised": c.Deadlines.Promised, "legal": c.Deadlines.Legal, "auto": c.AutoAccepted,
	}
	if err := s.document(ctx, tx, c, ev, DocAcceptance, "受理通知书", contents); err != nil {
		return err
	}
	ev.Notify = fmt.Sprintf("已受理，承诺办结期限至 %s，法定期限至 %s。", c.Deadlines.Promised.Date, c.Deadlines.Legal.Date)
	return nil
}

// startStep makes step idx active at at. A step that stops the clock (art.
// 45) opens a clock stop and tells the applicant how long it takes.
func (s *Service) startStep(ctx context.Context, tx *sql.Tx, c *Case, ev *event, idx int, at time.Time) error {
	c.StepIndex = idx
	st := &c.Steps[idx]
	st.Status, st.StartedAt, st.FinishedAt = StepActive, &at, nil
	if !st.StopsClock {
		return nil
	}
	c.Stops = append(c.Stops, ClockStop{Kind: st.Name, Reason: st.Name, ExpectedDays: wholeDays(st.Days), From: at, Step: idx, ActorID: ev.Actor.ID})
	c.Status = ClockStopped
	return s.document(ctx, tx, c, ev, DocStop, "特别程序告知书", map[string]any{"kind": st.Name, "expected_days": wholeDays(st.Days), "from": at})
}

// CorrectionRequest is the request-correction action: every material to
// correct with the exact reason (一次性告知). Override is a supervisor's
// written reason for a second notice outside the rule.
type CorrectionRequest struct {
	WindowRef
	Items    []CorrectionItem `json:"items"`
	Override string           `json:"override_reason,omitempty"`
}

// RequestCorrection issues the one-time correction notice (art. 32).
func (s *Service) RequestCorrection(ctx context.Context, p *auth.Principal, no string, req CorrectionRequest) (*Case, error) {
	return s.act(ctx, p, no, ActRequestCorrection, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		items, err := correctionItems(c, req.Items)
		if err != nil {
			return err
		}
		ms, err := listMaterials(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		n := CorrectionNotice{Round: c.Corrections + 1, Items: items, IssuedBy: ev.Actor.ID, IssuedAt: ev.At}
		if c.Corrections > 0 {
			if err := secondAllowed(p, c, byID(ms), items, req.Override); err != nil {
				return err
			}
			n.Second, n.OverrideReason = true, strings.TrimSpace(req.Override)
			c.SecondCorrection = true
		} else if ev.Actor.Role == string(auth.Supervisor) {
			return auth.ErrForbidden
		}
		have := byID(ms)
		for _, it := range items {
			m, ok := have[it.MaterialID]
			if !ok {
				m = CaseMaterial{MaterialID: it.MaterialID, Name: it.Name, Source: SourceNone}
			}
			m.Status, m.UpdatedAt = MatDefective, ev.At
			if err := upsertMaterial(ctx, tx, c.ID, m); err != nil {
				return err
			}
		}
		if err := insertCorrection(ctx, tx, c.ID, n); err != nil {
			return err
		}
		c.Corrections = n.Round
		c.Status, c.PreReviewDue, c.Deadlines.PreReview = Correction, nil, nil
		ev.Data["items"], ev.Data["round"], ev.Data["second"] = items, n.Round, n.Second
		ev.Reason = n.OverrideReason
		if err := s.document(ctx, tx, c, ev, DocCorrection, "补正材料一次性告知书", map[string]any{"items": items, "round": n.Round, "second": n.Second}); err != nil {
			return err
		}
		names := make([]string, len(items))
		for i, it := range items {
			names[i] = it.Name
		}
		ev.Notify = "需要补正以下材料：" + strings.Join(names, "、") + "。请按补正告知书一次性补齐。"
		return nil
	})
}

// correctionItems checks every line against the item version.
func correctionItems(c *Case, in []CorrectionItem) ([]CorrectionItem, error) {
	if len(in) == 0 {
		return nil, ErrCorrectionEmpty.OnField("items")
	}
	seen := map[string]bool{}
	out := make([]CorrectionItem, 0, len(in))
	for i, it := range in {
		field := fmt.Sprintf("items[%d]", i)
		im, ok := findMaterial(c.ItemSnap.Materials, it.MaterialID)
		if !ok {
			return nil, ErrCorrectionMaterialUnknown.Withf("“%s”", clip(it.MaterialID, 60)).OnField(field + ".material_id")
		}
		if strings.TrimSpace(it.Reason) == "" {
			return nil, ErrCorrectionReason.Withf("%s", im.Name).OnField(field + ".reason")
		}
		if seen[im.ID] {
			return nil, ErrMaterialDuplicate.Withf("%s", im.Name).OnField(field)
		}
		seen[im.ID] = true
		out = append(out, CorrectionItem{MaterialID: im.ID, Name: im.Name, Reason: strings.TrimSpace(it.Reason)})
	}
	return out, nil
}

// secondAllowed applies the one-notice rule to a further notice: it may name
// only materials changed in the resubmission after the last notice (and
// found still defective), unless a supervisor overrides with a reason.
func secondAllowed(p *auth.Principal, c *Case, have map[string]CaseMaterial, items []CorrectionItem, override string) error {
	changedOnly := true
	for _, it := range items {
		if m, ok := have[it.MaterialID]; !ok || m.ChangedRound != c.Corrections {
			changedOnly = false
		}
	}
	if changedOnly && strings.TrimSpace(override) == "" {
		return nil
	}
	if p.Has(auth.Supervisor) && p.InRegion(c.RegionCode) && strings.TrimSpace(override) != "" {
		return nil
	}
	return ErrSecondCorrection
}

// ResubmitRequest is the resubmit action: the corrected materials.
type ResubmitRequest struct {
	WindowRef
	Materials []MaterialInput `json:"materials"`
}

// Resubmit hands in the corrected materials; the case waits for acceptance again.
func (s *Service) Resubmit(ctx context.Context, p *auth.Principal, no string, req ResubmitRequest) (*Case, error) {
	return s.act(ctx, p, no, ActResubmit, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		ms, err := listMaterials(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		have := byID(ms)
		// The notice may name a material of the version outside the
		// applicant's checklist (e.g. a misjudged situation): accept it too.
		accepted := append([]ItemMaterial{}, c.ItemSnap.Checklist...)
		for _, m := range ms {
			if _, in := findMaterial(accepted, m.MaterialID); !in && m.Status == MatDefective {
				if im, ok := findMaterial(c.ItemSnap.Materials, m.MaterialID); ok {
					accepted = append(accepted, im)
				}
			}
		}
		mats, err := buildMaterials(accepted, req.Materials, c.Corrections, ev.At)
		if err != nil {
			return err
		}
		for _, m := range mats {
			have[m.MaterialID] = m
			if err := upsertMaterial(ctx, tx, c.ID, m); err != nil {
				return err
			}
		}
		var missing []string
		for _, m := range have {
			if m.Status == MatDefective {
				missing = append(missing, m.Name)
			}
		}
		if len(missing) > 0 {
			return ErrMaterialsMissing.Withf("仍需补正：%s", strings.Join(missing, "、")).With("missing", missing)
		}
		if err := resolveCorrections(ctx, tx, c.ID, ev.At); err != nil {
			return err
		}
		// Corrected at a window (by the clerk, not 帮办代办): one more trip.
		inPerson := ev.Actor.Role == string(auth.Clerk) && c.Channel != Assisted
		if err := s.received(ctx, c, ev, inPerson); err != nil {
			return err
		}
		ev.Data["materials"] = len(mats)
		ev.Notify = "补正材料已收到，等待受理。"
		return nil
	})
}

// RefuseRequest is the refuse action (不予受理, art. 32).
type RefuseRequest struct {
	WindowRef
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
	WhereToGo  string `json:"where_to_go,omitempty"`
}

// Refuse refuses the application in writing with reason and legal basis.
func (s *Service) Refuse(ctx context.Context, p *auth.Principal, no string, req RefuseRequest) (*Case, error) {
	r := Refusal{Reason: strings.TrimSpace(req.Reason), LegalBasis: strings.TrimSpace(req.LegalBasis), WhereToGo: strings.TrimSpace(req.WhereToGo)}
	if r.Reason == "" || r.LegalBasis == "" {
		return nil, ErrRefusalReason.OnField("reason")
	}
	return s.act(ctx, p, no, ActRefuse, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		c.Status, c.Refusal, c.PreReviewDue, c.Deadlines.PreReview = Refused, &r, nil, nil
		at := ev.At
		c.ClosedAt = &at
		ev.Reason = r.Reason
		ev.Data["legal_basis"], ev.Data["where_to_go"] = r.LegalBasis, r.WhereToGo
		ev.Notify = "不予受理。理由：" + r.Reason
		return s.document(ctx, tx, c, ev, DocRefusal, "不予受理决定书", map[string]any{"reason": r.Reason,
			"legal_basis": r.LegalBasis, "where_to_go": r.WhereToGo, "remedies": remediesOf(c)})
	})
}

func remediesOf(c *Case) string {
	var parts []string
	if c.ItemSnap.Reconsider != "" {
		parts = append(parts, "可依法向"+c.ItemSnap.Reconsider+"申请行政复议")
	}
	if c.ItemSnap.Litigation != "" {
		parts = append(parts, "或向"+c.ItemSnap.Litigation+"提起行政诉讼")
	}
	return strings.Join(parts, "，")
}

// PendingRequest is the accept-with-pending action (容缺受理).
type PendingRequest struct {
	WindowRef
	Materials  []string `json:"materials"` // material ids
	Commitment string   `json:"commitment"`
	Deadline   string   `json:"deadline"` // YYYY-MM-DD, the day they must be supplied by
}

// AcceptWithPending accepts while materials flagged 容缺 are still pending,
// under the applicant's written commitment to supply them by the deadline.
func (s *Service) AcceptWithPending(ctx context.Context, p *auth.Principal, no string, req PendingRequest) (*Case, error) {
	due, err := calendar.ParseDate(req.Deadline)
	if err != nil || strings.TrimSpace(req.Commitment) == "" || len(req.Materials) == 0 {
		return nil, ErrPendingCommitment.OnField("commitment")
	}
	return s.act(ctx, p, no, ActAcceptWithPending, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		if !due.After(calendar.DateOf(ev.At)) {
			return errs.Field("deadline", "pending_deadline_past", "容缺材料的补齐期限须晚于今天")
		}
		ms, err := listMaterials(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		have := byID(ms)
		var pend []Pending
		for i, id := range req.Materials {
			im, ok := findMaterial(c.ItemSnap.Checklist, id)
			if !ok {
				return ErrMaterialNotInChecklist.Withf("“%s”", clip(id, 60)).OnField(fmt.Sprintf("materials[%d]", i))
			}
			if !im.PendingAllowed {
				return ErrPendingNotAllowed.Withf("%s", im.Name).OnField(fmt.Sprintf("materials[%d]", i))
			}
			remind := due.Start().Add(-24 * time.Hour) // the day before the deadline day
			if remind.Before(ev.At) {
				remind = ev.At
			}
			pend = append(pend, Pending{MaterialID: im.ID, Name: im.Name, Commitment: strings.TrimSpace(req.Commitment),
				DueDate: due.String(), DueAt: due.End().UTC(), RemindAt: clock.Norm(remind)})
			have[im.ID] = CaseMaterial{MaterialID: im.ID, Name: im.Name, Source: SourceNone, Status: MatPending, UpdatedAt: ev.At}
		}
		if err := missingRequired(c.ItemSnap.Checklist, have, false); err != nil {
			return err
		}
		for _, pd := range pend {
			if err := insertPending(ctx, tx, c.ID, pd, ev.At); err != nil {
				return err
			}
			if err := upsertMaterial(ctx, tx, c.ID, have[pd.MaterialID]); err != nil {
				return err
			}
		}
		c.PendingCount = len(pend)
		ev.Data["pending"], ev.Data["commitment"], ev.Data["deadline"] = req.Materials, strings.TrimSpace(req.Commitment), due.String()
		if err := s.accept(ctx, tx, c, ev, ev.At, ms); err != nil {
			return err
		}
		ev.Notify += fmt.Sprintf("容缺材料请于 %s 前补齐。", due)
		return nil
	})
}
