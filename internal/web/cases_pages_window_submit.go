package web

import (
	"net/http"
	"net/url"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Material checks at the window.
const (
	checkOK        = "ok"
	checkDefective = "defective"
	checkMissing   = "missing"
)

// counterDecision is what the clerk decided about a filing, read from the form.
type counterDecision struct {
	Outcome    string
	Inputs     []cases.MaterialInput
	IDs        []string
	Correction []cases.CorrectionItem
	Pending    []string
}

// readCounterChecks reads each material's check and the chosen outcome, and
// checks what the outcome needs before anything is written, so a rejected
// form leaves no case behind.
func readCounterChecks(r *http.Request, v *counterFormView) (counterDecision, error) {
	d := counterDecision{Outcome: r.PostFormValue("outcome")}
	var fe errs.Fields
	for _, m := range v.Materials {
		check := r.PostFormValue("check_" + m.ID)
		reason := strings.TrimSpace(r.PostFormValue("reason_" + m.ID))
		switch check {
		case checkOK, checkDefective:
			// Presented at the window: the paper original is in the clerk's hands.
			d.Inputs, d.IDs = append(d.Inputs, cases.MaterialInput{MaterialID: m.ID, Paper: true}), append(d.IDs, m.ID)
		case checkMissing:
			// Not presented: nothing is recorded; a correction notice names it.
		default:
			if m.Required {
				fe.Add("check_"+m.ID, "请核验材料："+m.Name)
			}
			continue
		}
		if check == checkOK {
			continue
		}
		switch d.Outcome {
		case "correction":
			if reason == "" {
				fe.Add("reason_"+m.ID, "请写明需补正的具体理由："+m.Name)
			}
			d.Correction = append(d.Correction, cases.CorrectionItem{MaterialID: m.ID, Reason: reason})
		case "pending":
			if check == checkMissing {
				if !m.PendingAllowed {
					fe.Add("check_"+m.ID, "该材料未列为可容缺受理的材料："+m.Name)
				}
				d.Pending = append(d.Pending, m.ID)
			} else {
				fe.Add("check_"+m.ID, "容缺受理时，有缺陷的材料须当场更正或一次性告知补正："+m.Name)
			}
		case "accept", "onspot":
			fe.Add("check_"+m.ID, "材料不齐全或有缺陷，不能直接受理："+m.Name)
		}
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	switch d.Outcome {
	case "accept", "onspot", "refuse":
	case "correction":
		if len(d.Correction) == 0 {
			fe.Add("outcome", "一次性告知补正须至少标出一项有缺陷或未提交的材料")
		}
	case "pending":
		if len(d.Pending) == 0 {
			fe.Add("outcome", "容缺受理须至少标出一项未提交的容缺材料")
		}
	default:
		fe.Add("outcome", "请选择受理结论")
	}
	if strings.TrimSpace(r.PostFormValue("name")) == "" {
		fe.Add("name", "请填写申请人姓名或名称")
	}
	if r.PostFormValue("assisted") == "1" && f("assist_authorization") == "" {
		fe.Add("assist_authorization", "帮办代办须记录申请人的授权委托")
	}
	return d, fe.Err()
}

// counterSubmit files the application at the window and applies the clerk's
// decision: accept, one correction notice, refuse, accept with pending or
// decide on the spot. The applicant receives the query code once, on the
// confirmation page with the documents to print.
func (s *Server) counterSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Clerk)
	if !ok {
		return
	}
	if err := s.parseCaseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	q := url.Values{"kind": {r.PostFormValue("kind")}, "id_number": {r.PostFormValue("id_number")}, "item": {r.PostFormValue("item")}}
	for k, vs := range r.PostForm {
		if strings.HasPrefix(k, "answer.") {
			q[k] = vs
		}
	}
	pg, v, err := s.counterFormPage(w, r, p, q)
	if err != nil {
		s.counterHomeError(w, r, p, err)
		return
	}
	if v.Item == nil {
		s.formError(w, r, "cases_window_form", pg, errs.Field("item", "item_required", "请选择办理事项"))
		return
	}
	d, err := readCounterChecks(r, v)
	if err != nil {
		s.formError(w, r, "cases_window_form", pg, err)
		return
	}
	if err := preCheckOutcome(r, d); err != nil {
		s.formError(w, r, "cases_window_form", pg, err)
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := cases.SubmitRequest{Item: v.Item.Item.Code, Version: v.Checklist.Version, Channel: cases.Window, Answers: v.Checklist.Answers,
		Materials: d.Inputs, Applicant: &cases.Applicant{Name: f("name"), Kind: v.Kind, IDNumber: v.IDNumber, Phone: f("phone")}}
	if r.PostFormValue("assisted") == "1" {
		req.Channel, req.AssistAuthorization = cases.Assisted, f("assist_authorization")
	}
	res, err := s.Cases.Submit(r.Context(), p, req)
	if err != nil {
		s.formError(w, r, "cases_window_form", pg, materialFields(err, d.IDs))
		return
	}
	no := res.Case.No
	if err := s.counterOutcome(r, p, no, d); err != nil {
		// The application is on record; the clerk finishes on the case page.
		msg := "申请已登记为办件 " + no + "（查询码 " + res.QueryCode + "，请告知申请人），但受理结论未能保存："
		if e, ok := errs.As(err); ok {
			msg += e.Message
		} else {
			s.fail(w, r, err)
			return
		}
		redirect(w, r, "/cases/"+url.PathEscape(no), msg)
		return
	}
	c, err := s.Cases.Get(r.Context(), p, no)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg = s.newPage(w, r, "窗口受理结果", &appliedView{C: c, QueryCode: res.QueryCode})
	pg.Flash = "已登记：" + c.StatusLabel
	s.render(w, r, http.StatusOK, "cases_applied", pg)
}

// preCheckOutcome checks the decision's own fields before filing.
func preCheckOutcome(r *http.Request, d counterDecision) error {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	var fe errs.Fields
	switch d.Outcome {
	case "refuse":
		if f("reason") == "" {
			fe.Add("reason", "不予受理须写明理由")
		}
		if f("legal_basis") == "" {
			fe.Add("legal_basis", "不予受理须写明法律依据")
		}
	case "pending":
		if f("commitment") == "" {
			fe.Add("commitment", "容缺受理须记录申请人的承诺")
		}
		if f("deadline") == "" {
			fe.Add("deadline", "请填写容缺材料的补齐期限")
		}
	case "onspot":
		switch f("outcome_decision") {
		case "grant":
			if f("certificate_no") == "" {
				fe.Add("certificate_no", "准予许可须填写证照编号")
			}
		case "deny":
			if f("reasons") == "" || f("remedies") == "" {
				fe.Add("reasons", "不予许可须说明理由并告知救济途径")
			}
		default:
			fe.Add("outcome_decision", "请选择准予许可或不予许可")
		}
	}
	return fe.Err()
}

// counterOutcome applies the clerk's decision to the filed case.
func (s *Server) counterOutcome(r *http.Request, p *auth.Principal, no string, d counterDecision) error {
	ctx := r.Context()
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	var err error
	switch d.Outcome {
	case "accept":
		_, err = s.Cases.Accept(ctx, p, no, cases.AcceptRequest{Note: f("note")})
	case "correction":
		_, err = s.Cases.RequestCorrection(ctx, p, no, cases.CorrectionRequest{Items: d.Correction})
	case "refuse":
		_, err = s.Cases.Refuse(ctx, p, no, cases.RefuseRequest{Reason: f("reason"), LegalBasis: f("legal_basis"), WhereToGo: f("where_to_go")})
	case "pending":
		_, err = s.Cases.AcceptWithPending(ctx, p, no, cases.PendingRequest{Materials: d.Pending, Commitment: f("commitment"), Deadline: f("deadline")})
	case "onspot":
		req := decideRequest(r, cases.WindowRef{})
		req.Outcome = f("outcome_decision")
		if req.Outcome == "grant" {
			req.Result = &cases.GrantResult{CertificateNo: f("certificate_no"), ValidFrom: f("valid_from"), ValidTo: f("valid_to"), Conditions: f("conditions")}
		} else {
			req.Result, req.Reasons, req.Remedies = nil, f("reasons"), f("remedies")
		}
		_, err = s.Cases.DecideOnSpot(ctx, p, no, req)
	}
	return err
}
