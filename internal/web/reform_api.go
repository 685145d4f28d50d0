package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/reform"
)

func (s *Server) registerReformAPI() {
	s.api("GET /api/v1/reform/tasks", s.apiReformTasks)
	s.api("POST /api/v1/reform/tasks", s.apiReformCreate)
	s.api("GET /api/v1/reform/tasks/{id}", s.apiReformTask)
	s.api("PUT /api/v1/reform/tasks/{id}", s.apiReformUpdate)
	s.api("POST /api/v1/reform/tasks/{id}/progress", s.apiReformProgress)
	s.api("POST /api/v1/reform/tasks/{id}/complete", s.apiReformComplete)
	s.api("GET /api/v1/reform/letters", s.apiReformLetters)
	s.api("GET /api/v1/reform/reports/monthly", s.apiReformReport)
}

func (s *Server) apiReformTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := reform.Filter{Status: reform.Status(q.Get("status")), Month: strings.TrimSpace(q.Get("month"))}
	f.OrgID, _ = strconv.ParseInt(q.Get("org_id"), 10, 64)
	ts, err := s.Reform.List(r.Context(), principal(r), f)
	s.reply(w, r, http.StatusOK, listOf(ts), err)
}

func (s *Server) apiReformCreate(w http.ResponseWriter, r *http.Request) {
	var in reform.TaskInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.Reform.Create(r.Context(), principal(r), in)
	s.reply(w, r, http.StatusCreated, t, err)
}

func (s *Server) apiReformTask(w http.ResponseWriter, r *http.Request) {
	t, err := s.Reform.Get(r.Context(), principal(r), reformID(r))
	s.reply(w, r, http.StatusOK, t, err)
}

// reformUpdate is the body of PUT: the task fields and the reason recorded
// in the audit trail.
type reformUpdate struct {
	reform.TaskInput
	Reason string `json:"reason"`
}

func (s *Server) apiReformUpdate(w http.ResponseWriter, r *http.Request) {
	var in reformUpdate
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.Reform.Update(r.Context(), principal(r), reformID(r), in.TaskInput, in.Reason)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) apiReformProgress(w http.ResponseWriter, r *http.Request) {
	var in reform.ProgressInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.Reform.AddProgress(r.Context(), principal(r), reformID(r), in)
	s.reply(w, r, http.StatusCreated, p, err)
}

func (s *Server) apiReformComplete(w http.ResponseWriter, r *http.Request) {
	var in reform.CompleteInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.Reform.Complete(r.Context(), principal(r), reformID(r), in)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) apiReformLetters(w http.ResponseWriter, r *http.Request) {
	ls, err := s.Reform.Letters(r.Context(), principal(r), strings.TrimSpace(r.URL.Query().Get("month")))
	s.reply(w, r, http.StatusOK, listOf(ls), err)
}

func (s *Server) apiReformReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.Reform.MonthlyReport(r.Context(), principal(r), strings.TrimSpace(r.URL.Query().Get("month")))
	s.reply(w, r, http.StatusOK, rep, err)
}
