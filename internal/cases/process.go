package cases

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Processing errors.
var (
	ErrDecisionOutcome  = errs.E(errs.Invalid, "decision_outcome", "请选择准予许可或不予许可")
	ErrDecisionReasons  = errs.E(errs.Invalid, "decision_reasons_required", "不予许可决定须说明理由（《行政许可法》第三十八条）")
	ErrDecisionRemedies = errs.E(errs.Invalid, "decision_remedies_required", "不予许可决定须告知申请人申请行政复议或提起行政诉讼的权利")
	ErrGrantResult      = errs.E(errs.Invalid, "grant_result_required", "准予许可须填写审批结果（证照编号等）")
	ErrAlreadyExtended  = errs.E(errs.Conflict, "already_extended", "办理期限只能延长一次（《行政许可法》第四十二条）")
	ErrExtendReason     = errs.E(errs.Invalid, "extend_reason_required", "延期须说明理由并告知申请人")
	ErrStopKind         = errs.E(errs.Invalid, "stop_kind_invalid", "特别程序种类不正确（听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、公示）")
	ErrStopDays         = errs.E(errs.Invalid, "stop_days_required", "特别程序须书面告知申请人所需时间")
	ErrPendingOpen      = errs.E(errs.Conflict, "pending_materials_open", "仍有容缺材料未补齐，不能办结")
	ErrDeliveryMethod   = errs.E(errs.Invalid, "delivery_method", "送达方式须为窗口领取、快递或电子送达")
	ErrPickupCode       = errs.E(errs.Invalid, "pickup_code_mismatch", "取件码不正确")
	ErrExpressDetails   = errs.E(errs.Invalid, "express_details_required", "快递送达须填写快递公司和运单号")
)

// StopKinds are the special procedures of art. 45 whose time is not counted.
var StopKinds = []string{"hearing", "tendering", "auction", "inspection", "testing", "quarantine", "appraisal", "expert_review", "public_notice"}

func stopLabel(kind string) string {
	switch kind {
	case "hearing":
		return "听证"
	case "tendering":
		return "招标"
	case "auction":
		return "拍卖"
	case "inspection":
		return "检验（现场勘查）"
	case "testing":
		return "检测"
	case "quarantine":
		return "检疫"
	case "appraisal":
		return "鉴定"
	case "expert_review":
		return "专家评审"
	case "public_notice":
		return "公示"
	}
	return kind
}

// SupplyRequest is the supply-pending action.
type SupplyRequest struct {
	WindowRef
	Materials []MaterialInput `json:"materials"`
}

// SupplyPending hands in materials that were pending (容缺).
func (s *Service) SupplyPending(ctx context.Context, p *auth.Principal, no string, req SupplyRequest) (*Case, error) {
	return s.act(ctx, p, no, ActSupplyPending, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		mats, err := buildMaterials(c.ItemSnap.Checklist, req.Materials, c.Corrections, ev.At)
		if err != nil {
			return err
		}
		pend, err := listPending(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		open := map[string]bool{}
		for _, pd := range pend {
			open[pd.MaterialID] = pd.SuppliedAt == nil
		}
		for i, m := range mats {
			if !open[m.MaterialID] {
				return ErrPendingUnknown.Withf("%s", m.Name).OnField(fmt.Sprintf("materials[%d]", i))
			}
			m.Status = MatSupplied
			if err := upsertMaterial(ctx, tx, c.ID, m); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE case_pending SET supplied_at = $3 WHERE case_id = $1 AND material_id = $2`,
				c.ID, m.MaterialID, ev.At); err != nil {
				return fmt.Errorf("mark pending supplied: %w", err)
			}
			c.PendingCount--
		}
		if ev.Actor.Role == string(auth.Clerk) && c.Channel != Assisted {
			c.Trips++
			ev.Data["trip"] = true
		}
		ev.Data["materials"] = len(mats)
		ev.Notify = fmt.Sprintf("容缺材料已收到，尚余%d项。", c.PendingCount)
		return nil
	})
}

// OpinionRequest is the review and return actions.
type OpinionRequest struct {
	WindowRef
	Opinion string `json:"opinion"`
}

// Review completes the current step with an opinion and starts the next one.
func (s *Service) Review(ctx context.Context, p *auth.Principal, no string, req OpinionRequest) (*Case, error) {
	return s.act(ctx, p, no, ActReview, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		st := c.current()
		s.finishStep(c, st, ev, req.Opinion)
		if c.Status == ClockStopped {
			// The step that stopped the clock is done: the clock runs again.
			stop := c.openStop()
			at := ev.At
			stop.To = &at
			c.Status = Accepted
		}
		ev.Data["step"], ev.Data["opinion"] = st.Name, strings.TrimSpace(req.Opinion)
		return s.startStep(ctx, tx, c, ev, c.StepIndex+1, ev.At)
	})
}

func (s *Service) finishStep(c *Case, st *CaseStep, ev *event, opinion string) {
	at := ev.At
	st.Status, st.FinishedAt, st.ActorID, st.Opinion = StepDone, &at, ev.Actor.ID, strings.TrimSpace(opinion)
}

// Return sends the case back to the previous counted step with a reason.
func (s *Service) Return(ctx context.Context, p *auth.Principal, no string, req OpinionRequest) (*Case, error) {
	if strings.TrimSpace(req.Opinion) == "" {
		return nil, errs.Field("opinion", "return_reason_required", "退回须说明理由")
	}
	return s.act(ctx, p, no, ActReturn, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		st := c.current()
		st.Status, st.StartedAt, st.Returns = StepWaiting, nil, st.Returns+1
		prev := prevCounted(c.Steps, c.StepIndex)
		ev.Reason = strings.TrimSpace(req.Opinion)
		ev.Data["from_step"], ev.Data["to_step"] = st.Name, c.Steps[prev].Name
		return s.startStep(ctx, tx, c, ev, prev, ev.At)
	})
}

// DecideRequest is the decide and decide-on-spot actions: a grant with its
// result, or a denial with reasons and remedies (art. 38).
type DecideRequest struct {
	WindowRef
	Outcome  string       `json:"outcome"` // grant | deny
	Result   *GrantResult `json:"result,omitempty"`
	Reasons  string       `json:"reasons,omitempty"`
	Remedies string       `json:"remedies,omitempty"`
	Opinion  string       `json:"opinion,omitempty"`
}

func (r DecideRequest) validate() error {
	switch r.Outcome {
	case "grant":
		if r.Result == nil || strings.TrimSpace(r.Result.CertificateNo) == "" {
			return ErrGrantResult.OnField("result.certificate_no")
		}
	case "deny":
		if strings.TrimSpace(r.Reasons) == "" {
			return ErrDecisionReasons.OnField("reasons")
		}
		if strings.TrimSpace(r.Remedies) == "" {
			return ErrDecisionRemedies.OnField("remedies")
		}
	default:
		return ErrDecisionOutcome.OnField("outcome")
	}
	return nil
}

// Decide makes the decision at the decision step (see decisionStep).
func (s *Service) Decide(ctx context.Context, p *auth.Principal, no string, req DecideRequest) (*Case, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	return s.act(ctx, p, no, ActDecide, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		s.finishStep(c, c.current(), ev, req.Opinion)
		return s.decide(ctx, tx, c, ev, req, false)
	})
}

// DecideOnSpot accepts and decides an immediate item at the window (art. 34);
// the window's authorization must include deciding.
func (s *Service) DecideOnSpot(ctx context.Context, p *auth.Principal, no string, req DecideRequest) (*Case, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	return s.act(ctx, p, no, ActDecideOnSpot, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		ms, err := listMaterials(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := missingRequired(c.ItemSnap.Checklist, byID(ms), false); err != nil {
			return err
		}
		if err := s.accept(ctx, tx, c, ev, ev.At, ms); err != nil {
			return err
		}
		for i := range c.Steps {
			s.finishStep(c, &c.Steps[i], ev, req.Opinion)
		}
		c.StepIndex = len(c.Steps) - 1
		if err := s.computeDeadlines(ctx, c, ev.At); err != nil {
			return err
		}
		return s.decide(ctx, tx, c, ev, req, true)
	})
}

func (s *Service) decide(ctx context.Context, tx *sql.Tx, c *Case, ev *event, req DecideRequest, onSpot bool) error {
	d := &Decision{Grant: req.Outcome == "grant", OnSpot: onSpot, ActorID: ev.Actor.ID, At: ev.At}
	if d.Grant {
		d.Result = req.Result
	} else {
		d.Reasons, d.Remedies = strings.TrimSpace(req.Reasons), strings.TrimSpace(req.Remedies)
	}
	at := ev.At
	c.Decision, c.DecisionKind, c.DecidedAt, c.Status = d, req.Outcome, &at, Decided
	ev.Data["outcome"] = req.Outcome
	title := "准予行政许可决定书"
	ev.Notify = "已作出准予许可的决定。"
	if d.Grant {
		if err := s.deliveryDeadline(ctx, c, at); err != nil {
			return err
		}
		ev.Data["delivery_due"] = c.Deadlines.Delivery.Date
	} else {
		title = "不予行政许可决定书"
		ev.Reason = d.Reasons
		ev.Notify = "已作出不予许可的决定，理由：" + d.Reasons
	}
	return s.document(ctx, tx, c, ev, DocDecision, title, map[string]any{"decision": d})
}

// ExtendRequest is the extend action.
type ExtendRequest struct {
	Reason string `json:"reason"`
}

// Extend extends the limits once (art. 42), approved by an approver of the
// organ; the applicant is told why.
func (s *Service) Extend(ctx context.Context, p *auth.Principal, no string, req ExtendRequest) (*Case, error) {
	if strings.TrimSpace(req.Reason) == "" {
		return nil, ErrExtendReason.OnField("reason")
	}
	return s.act(ctx, p, no, ActExtend, 0, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		if c.Extension != nil {
			return ErrAlreadyExtended
		}
		days := c.ItemSnap.ExtensionDays
		if days <= 0 {
			days = DefaultExtensionDays
		}
		c.Extension = &Extension{Days: days, Reason: strings.TrimSpace(req.Reason), ActorID: ev.Actor.ID, At: ev.At}
		c.Extended = true
		if err := s.computeDeadlines(ctx, c, ev.At); err != nil {
			return err
		}
		ev.Reason, ev.Data["days"] = c.Extension.Reason, days
		ev.Notify = fmt.Sprintf("经批准延期%d日，理由：%s。法定期限延至 %s。", days, c.Extension.Reason, c.Deadlines.Legal.Date)
		return s.document(ctx, tx, c, ev, DocExtension, "延长审查期限告知书", map[string]any{"days": days,
			"reason": c.Extension.Reason, "promised": c.Deadlines.Promised, "legal": c.Deadlines.Legal})
	})
}

// StopRequest is the stop-clock action (art. 45).
type StopRequest struct {
	Kind         string `json:"kind"`
	Reason       string `json:"reason"`
	ExpectedDays int    `json:"expected_days"`
}

// StopClock starts a special procedure whose time is not counted; the
// applicant is told in writing how long it will take.
func (s *Service) StopClock(ctx context.Context, p *auth.Principal, no string, req StopRequest) (*Case, error) {
	if !slices.Contains(StopKinds, req.Kind) {
		return nil, ErrStopKind.OnField("kind")
	}
	if req.ExpectedDays <= 0 {
		return nil, ErrStopDays.OnField("expected_days")
	}
	if strings.TrimSpace(req.Reason) == "" {
		return nil, errs.Field("reason", "stop_reason_required", "须说明特别程序的事由")
	}
	return s.act(ctx, p, no, ActStopClock, 0, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		c.Stops = append(c.Stops, ClockStop{Kind: req.Kind, Reason: strings.TrimSpace(req.Reason), ExpectedDays: req.ExpectedDays,
			From: ev.At, Step: -1, ActorID: ev.Actor.ID})
		c.Status = ClockStopped
		ev.Reason, ev.Data["kind"], ev.Data["expected_days"] = strings.TrimSpace(req.Reason), req.Kind, req.ExpectedDays
		ev.Notify = fmt.Sprintf("进入特别程序（%s），预计%d个工作日，该期间不计入办理期限。", stopLabel(req.Kind), req.ExpectedDays)
		return s.document(ctx, tx, c, ev, DocStop, "特别程序告知书", map[string]any{"kind": stopLabel(req.Kind),
			"reason": strings.TrimSpace(req.Reason), "expected_days": req.ExpectedDays, "from": ev.At})
	})
}

// ResumeClock ends a manual clock stop; the deadlines move by its working time.
func (s *Service) ResumeClock(ctx context.Context, p *auth.Principal, no string) (*Case, error) {
	return s.act(ctx, p, no, ActResumeClock, 0, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		stop := c.openStop()
		at := ev.At
		stop.To = &at
		c.Status = Accepted
		if err := s.computeDeadlines(ctx, c, ev.At); err != nil {
			return err
		}
		ev.Data["kind"], ev.Data["from"] = stop.Kind, stop.From
		ev.Notify = fmt.Sprintf("特别程序结束，恢复计时，承诺办结期限顺延至 %s。", c.Deadlines.Promised.Date)
		return nil
	})
}

// Conclude ends the case with its decision (办结). Nothing may be pending.
func (s *Service) Conclude(ctx context.Context, p *auth.Principal, no string) (*Case, error) {
	return s.act(ctx, p, no, ActConclude, 0, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		if c.PendingCount > 0 {
			return ErrPendingOpen.With("pending", c.PendingCount)
		}
		code, err := newPickupCode()
		if err != nil {
			return err
		}
		// Post-decision steps (e.g. 制证) are done with the conclusion.
		for i := c.StepIndex + 1; i < len(c.Steps); i++ {
			if c.Steps[i].Status != StepDone {
				s.finishStep(c, &c.Steps[i], ev, "")
			}
		}
		at := ev.At
		c.Status, c.ConcludedAt, c.PickupCode = Concluded, &at, code
		ev.Notify = "已办结。窗口领取请出示取件码 " + code + "。"
		return nil
	})
}

// DeliverRequest is the deliver action.
type DeliverRequest struct {
	Method     string `json:"method"` // window | express | electronic
	PickupCode string `json:"pickup_code,omitempty"`
	Carrier    string `json:"carrier,omitempty"`
	Tracking   string `json:"tracking,omitempty"`
	Address    string `json:"address,omitempty"`
	Link       string `json:"link,omitempty"`
}

// Deliver hands the result out: at a window against the pickup code (one
// trip), by express with a tracking number, or electronically.
func (s *Service) Deliver(ctx context.Context, p *auth.Principal, no string, req DeliverRequest) (*Case, error) {
	switch req.Method {
	case DeliverWindow, DeliverElectronic:
	case DeliverExpress:
		if strings.TrimSpace(req.Carrier) == "" || strings.TrimSpace(req.Tracking) == "" {
			return nil, ErrExpressDetails.OnField("tracking")
		}
	default:
		return nil, ErrDeliveryMethod.OnField("method")
	}
	return s.act(ctx, p, no, ActDeliver, 0, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		if req.Method == DeliverWindow {
			if req.PickupCode == "" || req.PickupCode != c.PickupCode {
				return ErrPickupCode.OnField("pickup_code")
			}
			c.Trips++
			ev.Data["trip"] = true
		}
		at := ev.At
		c.Delivery = &Delivery{Method: req.Method, Carrier: strings.TrimSpace(req.Carrier), Tracking: strings.TrimSpace(req.Tracking),
			Address: strings.TrimSpace(req.Address), Link: req.Link, ActorID: ev.Actor.ID, At: at}
		c.Status, c.DeliveredAt, c.PickupCode = Delivered, &at, ""
		ev.Data["method"] = req.Method
		ev.Notify = "审批结果已送达。"
		return s.document(ctx, tx, c, ev, DocDelivery, "送达回证", map[string]any{"delivery": c.Delivery})
	})
}

// WithdrawRequest is the withdraw action.
type WithdrawRequest struct {
	WindowRef
	Reason string `json:"reason"`
}

// Withdraw withdraws the application before the decision: by the applicant,
// or by a clerk on the applicant's written request (with the reason).
func (s *Service) Withdraw(ctx context.Context, p *auth.Principal, no string, req WithdrawRequest) (*Case, error) {
	return s.act(ctx, p, no, ActWithdraw, req.WindowID, func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error {
		if ev.Actor.Role != string(auth.Applicant) && strings.TrimSpace(req.Reason) == "" {
			return ErrWithdrawReason.OnField("reason")
		}
		at := ev.At
		if stop := c.openStop(); stop != nil {
			stop.To = &at
		}
		c.Status, c.ClosedAt, c.PreReviewDue, c.Deadlines.PreReview = Withdrawn, &at, nil, nil
		c.WithdrawReason, ev.Reason = strings.TrimSpace(req.Reason), strings.TrimSpace(req.Reason)
		ev.Notify = "已撤回。"
		return nil
	})
}
