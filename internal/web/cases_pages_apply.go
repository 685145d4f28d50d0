package web

import (
	"net/http"
	"net/url"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// formField is one text input of the application form.
type formField struct{ Name, Label, Hint string }

// applyFields are the form fields every application asks for. The catalog
// does not describe item-specific forms yet, so the item's own questions
// are its situations (answered on the guide) and its materials.
var applyFields = []formField{
	{"contact", "联系人", "办理过程中与我们联系的人"},
	{"phone", "联系电话", "用于接收办理进度短信"},
	{"address", "通讯地址", "快递送达审批结果时使用"},
	{"note", "申请事项说明", "简要说明申请的内容（选填）"},
}

// applyView is the online application form.
type applyView struct {
	Checklist catalog.Checklist
	Answers   map[string]string
	Materials []matRef
	Fields    []formField
	Applicant *auth.Principal
}

// answersFrom reads the guide's answers from the query string: each key
// that is a situation id of the item (the checklist page's links), or a
// saved checklist number in "checklist".
func (s *Server) applyChecklist(r *http.Request, code string, q url.Values) (catalog.Checklist, error) {
	if n := strings.TrimSpace(q.Get("checklist")); n != "" {
		cl, err := s.Catalog.LoadChecklist(r.Context(), n)
		if err == nil && cl.Code != code {
			return catalog.Checklist{}, errs.Field("checklist", "checklist_item_mismatch", "该告知单不属于此事项")
		}
		return cl, err
	}
	it, err := s.Catalog.Guide(r.Context(), code, 0)
	if err != nil {
		return catalog.Checklist{}, err
	}
	answers := map[string]string{}
	for _, sit := range it.Situations {
		if v := strings.TrimSpace(q.Get(sit.ID)); v != "" {
			answers[sit.ID] = v
		} else if v := strings.TrimSpace(q.Get("answer." + sit.ID)); v != "" {
			answers[sit.ID] = v
		}
	}
	return catalog.ComputeChecklist(it, answers)
}

func refsOf(ms []catalog.Material) []matRef {
	out := make([]matRef, len(ms))
	for i, m := range ms {
		out[i] = matRef{ID: m.ID, Name: m.Name, Required: m.Required, PendingAllowed: m.PendingAllowed,
			CommitmentAllowed: m.CommitmentAllowed, ELicenseType: m.ELicenseType, Notes: m.Notes}
	}
	return out
}

func (s *Server) applyPage(w http.ResponseWriter, r *http.Request, q url.Values) (*Page, *applyView, bool) {
	p, ok := s.requirePage(w, r, auth.Applicant)
	if !ok {
		return nil, nil, false
	}
	cl, err := s.applyChecklist(r, r.PathValue("code"), q)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, false
	}
	v := &applyView{Checklist: cl, Answers: cl.Answers, Materials: refsOf(cl.Materials), Fields: applyFields, Applicant: p}
	return s.newPage(w, r, "在线申报："+cl.Name, v), v, true
}

func (s *Server) applyForm(w http.ResponseWriter, r *http.Request) {
	pg, _, ok := s.applyPage(w, r, r.URL.Query())
	if !ok {
		return
	}
	pg.Form = url.Values{"form.contact": {pg.P.Name}, "form.phone": {pg.P.Phone}}
	s.render(w, r, http.StatusOK, "cases_apply", pg)
}

// appliedView is the confirmation after an online submission. The query
// code is shown here once and never again (only its hash is stored).
type appliedView struct {
	C         *cases.Case
	QueryCode string
}

func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.parseCaseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	q := url.Values{}
	for k, vs := range r.PostForm {
		if sid, ok := strings.CutPrefix(k, "answer."); ok {
			q[sid] = vs
		}
	}
	pg, v, ok := s.applyPage(w, r, q)
	if !ok {
		return
	}
	inputs, ids, err := s.materialInputs(r, v.Materials, pg.P.IDNumber)
	if err != nil {
		s.formError(w, r, "cases_apply", pg, err)
		return
	}
	form := map[string]any{}
	for _, f := range applyFields {
		if val := strings.TrimSpace(r.PostFormValue("form." + f.Name)); val != "" {
			form[f.Name] = val
		}
	}
	res, err := s.Cases.Submit(r.Context(), pg.P, cases.SubmitRequest{Item: v.Checklist.Code, Version: v.Checklist.Version,
		Channel: cases.Online, Answers: v.Answers, Form: form, Materials: inputs})
	if err != nil {
		s.formError(w, r, "cases_apply", pg, materialFields(err, ids))
		return
	}
	pg = s.newPage(w, r, "申报成功", &appliedView{C: res.Case, QueryCode: res.QueryCode})
	pg.Flash = "申报已提交"
	s.render(w, r, http.StatusOK, "cases_applied", pg)
}
