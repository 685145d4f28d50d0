package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrUnknownAction is a POST to an action the pages do not offer.
var ErrUnknownAction = errs.E(errs.NotFound, "action_unknown", "没有这个办件操作")

// actionDone is the flash shown after each action.
var actionDone = map[cases.Action]string{
	cases.ActAccept: "已受理，受理通知书已生成", cases.ActRequestCorrection: "已出具一次性补正告知书",
	cases.ActResubmit: "补正材料已提交，等待受理", cases.ActRefuse: "已作出不予受理决定",
	cases.ActAcceptWithPending: "已容缺受理", cases.ActSupplyPending: "容缺材料已提交",
	cases.ActDecideOnSpot: "已当场作出决定", cases.ActReview: "审查意见已提交，办件转入下一环节",
	cases.ActReturn: "已退回上一环节", cases.ActDecide: "已作出决定，决定书已生成", cases.ActExtend: "已延期并告知申请人",
	cases.ActStopClock: "已进入特别程序，暂停计时", cases.ActResumeClock: "已恢复计时", cases.ActConclude: "已办结",
	cases.ActDeliver: "已送达，送达回证已生成", cases.ActWithdraw: "办件已撤回",
}

// caseAction runs one action from a form on the case page (or the window's
// queue) and redirects back with a flash; on failure the case page is shown
// again with the input, the error and, for an action out of order, the
// actions the case allows.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	no, a := r.PathValue("no"), cases.Action(r.PathValue("action"))
	if _, known := actionDone[a]; !known {
		s.fail(w, r, ErrUnknownAction)
		return
	}
	if err := s.parseCaseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Cases.Get(r.Context(), p, no)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.runAction(r, p, c, a); err != nil {
		s.actionError(w, r, no, a, err)
		return
	}
	to := "/cases/" + url.PathEscape(no)
	if next := safeNext(r.PostFormValue("next")); next != "" {
		to = next
	}
	redirect(w, r, to, actionDone[a])
}

func (s *Server) actionError(w http.ResponseWriter, r *http.Request, no string, a cases.Action, err error) {
	e, ok := errs.As(err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	c, gerr := s.Cases.Get(r.Context(), principal(r), no)
	if gerr != nil {
		s.fail(w, r, err)
		return
	}
	v, verr := s.caseView(r, c)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	v.Open = string(a)
	if e.Code == cases.ErrIllegalTransition.Code {
		v.Allowed = allowedLabels(e)
	}
	s.formError(w, r, "cases_detail", s.newPage(w, r, "办件 "+c.No, v), err)
}

// runAction builds the service request of action a from the form and runs it.
func (s *Server) runAction(r *http.Request, p *auth.Principal, c *cases.Case, a cases.Action) error {
	ctx, no := r.Context(), c.No
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	win, err := formInt(r, "window_id")
	if err != nil {
		return err
	}
	ref := cases.WindowRef{WindowID: win}
	switch a {
	case cases.ActAccept:
		_, err = s.Cases.Accept(ctx, p, no, cases.AcceptRequest{WindowRef: ref, Note: f("note")})
	case cases.ActRequestCorrection:
		_, err = s.Cases.RequestCorrection(ctx, p, no, cases.CorrectionRequest{WindowRef: ref,
			Items: correctionItemsFrom(r, c), Override: f("override_reason")})
	case cases.ActResubmit:
		err = s.resubmit(ctx, r, p, c, ref)
	case cases.ActRefuse:
		_, err = s.Cases.Refuse(ctx, p, no, cases.RefuseRequest{WindowRef: ref, Reason: f("reason"), LegalBasis: f("legal_basis"), WhereToGo: f("where_to_go")})
	case cases.ActAcceptWithPending:
		_, err = s.Cases.AcceptWithPending(ctx, p, no, cases.PendingRequest{WindowRef: ref, Materials: r.PostForm["pending"],
			Commitment: f("commitment"), Deadline: f("deadline")})
	case cases.ActSupplyPending:
		err = s.supply(ctx, r, p, c, ref)
	case cases.ActDecideOnSpot:
		_, err = s.Cases.DecideOnSpot(ctx, p, no, decideRequest(r, ref))
	case cases.ActDecide:
		_, err = s.Cases.Decide(ctx, p, no, decideRequest(r, ref))
	case cases.ActReview:
		_, err = s.Cases.Review(ctx, p, no, cases.OpinionRequest{WindowRef: ref, Opinion: f("opinion")})
	case cases.ActReturn:
		_, err = s.Cases.Return(ctx, p, no, cases.OpinionRequest{WindowRef: ref, Opinion: f("opinion")})
	case cases.ActExtend:
		_, err = s.Cases.Extend(ctx, p, no, cases.ExtendRequest{Reason: f("reason")})
	case cases.ActStopClock:
		days, derr := strconv.Atoi(f("expected_days"))
		if derr != nil || days <= 0 {
			return errs.Field("expected_days", "stop_days_required", "请填写预计所需的工作日数（正整数）")
		}
		_, err = s.Cases.StopClock(ctx, p, no, cases.StopRequest{Kind: f("kind"), Reason: f("reason"), ExpectedDays: days})
	case cases.ActResumeClock:
		_, err = s.Cases.ResumeClock(ctx, p, no)
	case cases.ActConclude:
		_, err = s.Cases.Conclude(ctx, p, no)
	case cases.ActDeliver:
		_, err = s.Cases.Deliver(ctx, p, no, cases.DeliverRequest{Method: f("method"), PickupCode: strings.ToUpper(f("pickup_code")),
			Carrier: f("carrier"), Tracking: f("tracking"), Address: f("address"), Link: f("link")})
	case cases.ActWithdraw:
		_, err = s.Cases.Withdraw(ctx, p, no, cases.WithdrawRequest{WindowRef: ref, Reason: f("reason")})
	}
	return err
}

// correctionItemsFrom reads the checked materials ("defect") and their
// reasons ("reason_<id>"), in checklist order.
func correctionItemsFrom(r *http.Request, c *cases.Case) []cases.CorrectionItem {
	var out []cases.CorrectionItem
	for _, id := range r.PostForm["defect"] {
		out = append(out, cases.CorrectionItem{MaterialID: id, Reason: strings.TrimSpace(r.PostFormValue("reason_" + id))})
	}
	return out
}

func decideRequest(r *http.Request, ref cases.WindowRef) cases.DecideRequest {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := cases.DecideRequest{WindowRef: ref, Outcome: f("outcome"), Opinion: f("opinion")}
	switch req.Outcome {
	case "grant":
		req.Result = &cases.GrantResult{CertificateNo: f("certificate_no"), ValidFrom: f("valid_from"), ValidTo: f("valid_to"),
			Conditions: f("conditions")}
	case "deny":
		req.Reasons, req.Remedies = f("reasons"), f("remedies")
	}
	return req
}

// resubmit hands in the materials named by the correction notice.
func (s *Server) resubmit(ctx context.Context, r *http.Request, p *auth.Principal, c *cases.Case, ref cases.WindowRef) error {
	inputs, ids, err := s.materialInputs(r, resubmitRefs(c), c.Applicant.IDNumber)
	if err != nil {
		return err
	}
	_, err = s.Cases.Resubmit(ctx, p, c.No, cases.ResubmitRequest{WindowRef: ref, Materials: inputs})
	return materialFields(err, ids)
}

// supply hands in materials accepted as pending (容缺).
func (s *Server) supply(ctx context.Context, r *http.Request, p *auth.Principal, c *cases.Case, ref cases.WindowRef) error {
	inputs, ids, err := s.materialInputs(r, supplyRefs(c), c.Applicant.IDNumber)
	if err != nil {
		return err
	}
	_, err = s.Cases.SupplyPending(ctx, p, c.No, cases.SupplyRequest{WindowRef: ref, Materials: inputs})
	return materialFields(err, ids)
}
