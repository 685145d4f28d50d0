package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// The situation questionnaire (情形引导) works without script: it is a GET
// form; each submission re-renders the questions that now apply (a question
// whose When condition is false is not shown and its answer is ignored, as
// catalog.ComputeChecklist does). Once every shown question is answered the
// page previews the checklist and offers to save it under a number.

// answerPrefix prefixes the form field of each situation ("a.scope").
const answerPrefix = "a."

type answerView struct {
	ID, Label string
	Checked   bool
}

type questionView struct {
	ID, Field, Question, Error string
	Answers                    []answerView
}

type checklistFormView struct {
	Item      *catalog.Item
	Version   int // 0: current
	Questions []questionView
	Complete  bool
	Checklist checklistView
	Answers   map[string]string // applied answers, for the save form
}

// checklistView is a computed (and maybe saved) checklist in words.
type checklistView struct {
	catalog.Checklist
	Item            *catalog.Item
	Materials       []materialView
	Legal, Promised string
	Trips           string
	URL, QR         string
	ApplyURL        string      // online application with these answers; "" when not applicable online
	WindowURL       string      // for window staff: the counter form with this checklist's number filled in
	Places          []hallPlace // halls and windows serving the item
}

func answersFrom(v url.Values) map[string]string {
	out := map[string]string{}
	for k, vs := range v {
		if sid, ok := strings.CutPrefix(k, answerPrefix); ok && len(vs) > 0 && vs[0] != "" {
			out[sid] = vs[0]
		}
	}
	return out
}

// computeChecklist computes the checklist; answers the item does not know are
// dropped and reported by field so the form can show them, the rest still count.
func (s *Server) computeChecklist(r *http.Request, code string, version int, answers map[string]string) (catalog.Checklist, map[string]string, error) {
	cl, err := s.Catalog.Checklist(r.Context(), code, version, answers)
	if !errors.Is(err, catalog.ErrUnknownAnswer) {
		return cl, nil, err
	}
	e, _ := errs.As(err)
	bad := map[string]string{}
	for _, f := range e.Fields {
		sid := strings.TrimPrefix(f.Field, "answers.")
		bad[sid] = f.Message
		delete(answers, sid)
	}
	cl, err = s.Catalog.Checklist(r.Context(), code, version, answers)
	return cl, bad, err
}

func (s *Server) checklistFormPage(w http.ResponseWriter, r *http.Request) {
	v, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderChecklistForm(w, r, v, r.URL.Query())
}

func (s *Server) renderChecklistForm(w http.ResponseWriter, r *http.Request, version int, form url.Values) {
	code := r.PathValue("code")
	it, err := s.Catalog.Guide(r.Context(), code, version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cl, bad, err := s.computeChecklist(r, code, version, answersFrom(form))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view := checklistFormView{Item: it, Version: version, Complete: true, Answers: cl.Answers}
	for _, q := range cl.Asked {
		qv := questionView{ID: q.SituationID, Field: answerPrefix + q.SituationID, Question: q.Question, Error: bad[q.SituationID]}
		for _, sit := range it.Situations {
			if sit.ID != q.SituationID {
				continue
			}
			for _, a := range sit.Answers {
				qv.Answers = append(qv.Answers, answerView{ID: a.ID, Label: a.Label, Checked: a.ID == q.AnswerID})
			}
		}
		view.Complete = view.Complete && q.AnswerID != ""
		view.Questions = append(view.Questions, qv)
	}
	if view.Complete && len(bad) == 0 {
		view.Checklist = s.checklistViewOf(r, cl, it)
	}
	pg := s.newPage(w, r, it.Name+" 情形引导", view)
	status := http.StatusOK
	if len(bad) > 0 {
		status = http.StatusUnprocessableEntity
		pg.Error = catalog.ErrUnknownAnswer.Message
		pg.Errors = map[string]string{}
		for sid, msg := range bad {
			pg.Errors[answerPrefix+sid] = msg
		}
	}
	s.render(w, r, status, "catalog_checklist_form", pg)
}

func (s *Server) checklistViewOf(r *http.Request, cl catalog.Checklist, it *catalog.Item) checklistView {
	v := checklistView{Checklist: cl, Item: it, Materials: materialViews(it, cl.Materials), Legal: limitText(cl.LegalLimit),
		Promised: limitText(cl.PromisedLimit), Trips: tripsLabel(cl.Trips)}
	for i := range v.Materials {
		if !v.Materials[i].Required {
			v.Materials[i].When = "根据您的情形需要提交"
		}
	}
	// The application always files against the current version, so the link
	// is offered only when the checklist was computed on it.
	if cur, err := s.Catalog.Guide(r.Context(), cl.Code, 0); err == nil && cur.Version == cl.Version {
		v.ApplyURL = applyURL(cur, cl.Answers)
	}
	v.Places = s.placesFor(r.Context(), it)
	if p := principal(r); cl.Number != "" && p != nil && p.Has(auth.Clerk) {
		v.WindowURL = "/window?checklist=" + url.QueryEscape(cl.Number)
	}
	if cl.Number != "" {
		v.URL = s.baseURL(r) + "/checklists/" + cl.Number
		v.QR = "/checklists/" + cl.Number + "/qr.png"
	}
	return v
}

// baseURL is the configured public URL, or the one the request came in on.
func (s *Server) baseURL(r *http.Request) string {
	if b := strings.TrimRight(s.Config.BaseURL, "/"); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) checklistSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadQuery)
		return
	}
	version := 0
	if v := r.PostForm.Get("version"); v != "" && v != "0" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, r, errs.Field("version", "bad_version", "版本号须为正整数"))
			return
		}
		version = n
	}
	cl, err := s.Catalog.SaveChecklist(r.Context(), catalogCallerOf(principal(r)), r.PathValue("code"), version, answersFrom(r.PostForm))
	if errors.Is(err, catalog.ErrUnknownAnswer) {
		s.renderChecklistForm(w, r, version, r.PostForm)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/checklists/"+cl.Number, "一次性告知单已生成，编号 "+cl.Number)
}

// checklistLookup lets a window (or an applicant) type a checklist number.
func (s *Server) checklistLookup(w http.ResponseWriter, r *http.Request) {
	n := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("number")))
	if n != "" {
		if _, err := s.Catalog.LoadChecklist(r.Context(), n); err == nil {
			http.Redirect(w, r, "/checklists/"+url.PathEscape(n), http.StatusSeeOther)
			return
		}
		pg := s.newPage(w, r, "查询一次性告知单", nil)
		pg.Form = r.URL.Query()
		pg.Errors = map[string]string{"number": catalog.ErrChecklistNotFound.Message}
		pg.Error = catalog.ErrChecklistNotFound.Message
		s.render(w, r, http.StatusNotFound, "catalog_checklist_lookup", pg)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_checklist_lookup", s.newPage(w, r, "查询一次性告知单", nil))
}

func (s *Server) checklistPage(w http.ResponseWriter, r *http.Request) {
	cl, err := s.Catalog.LoadChecklist(r.Context(), r.PathValue("number"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Guide(r.Context(), cl.Code, cl.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_checklist", s.newPage(w, r, it.Name+" 一次性告知单", s.checklistViewOf(r, cl, it)))
}

// checklistQR serves a PNG QR code of the checklist's URL, which a window
// scans to load the same answers.
func (s *Server) checklistQR(w http.ResponseWriter, r *http.Request) {
	cl, err := s.Catalog.LoadChecklist(r.Context(), r.PathValue("number"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	png, err := qrPNG(s.baseURL(r) + "/checklists/" + cl.Number)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(png)
}
