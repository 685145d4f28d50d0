package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
)

// The verification tasks (核查) of 告知承诺 for the responsible department:
// a list of its tasks, each open one with a form to record the result.

func (s *Server) registerVerificationPages() {
	s.page("GET /verifications", s.verifications)
	s.page("POST /verifications/{id}/close", s.verificationClose)
	s.nav(3, "承诺核查", "/verifications", auth.Reviewer, auth.Approver)
}

func (s *Server) verificationsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) (*Page, bool) {
	vs, err := s.Cases.Verifications(r.Context(), p, "")
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return s.newPage(w, r, "告知承诺核查", vs), true
}

func (s *Server) verifications(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Reviewer, auth.Approver)
	if !ok {
		return
	}
	if pg, ok := s.verificationsPage(w, r, p); ok {
		s.render(w, r, http.StatusOK, "cases_verifications", pg)
	}
}

func (s *Server) verificationClose(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Reviewer, auth.Approver)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	req := cases.VerifyRequest{Result: r.PostFormValue("result"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if _, err := s.Cases.CloseVerification(r.Context(), p, id, req); err != nil {
		pg, ok := s.verificationsPage(w, r, p)
		if ok {
			s.formError(w, r, "cases_verifications", pg, err)
		}
		return
	}
	redirect(w, r, "/verifications", "核查结论已记录")
}
