package web

import (
	"net/http"
	"strconv"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Verification tasks (核查) of 告知承诺: the responsible department lists
// its open tasks and closes each with the result.

func (s *Server) registerVerificationsAPI() {
	s.api("GET /api/v1/verifications", s.apiVerifications)
	s.api("POST /api/v1/verifications/{id}/close", s.apiVerificationClose)
}

func (s *Server) apiVerifications(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", cases.VerifyOpen, cases.VerifyConfirmed, cases.VerifyFailed:
	default:
		s.fail(w, r, ErrListParam.OnField("status"))
		return
	}
	vs, err := s.Cases.Verifications(r.Context(), p, status)
	s.reply(w, r, http.StatusOK, listOf(vs), err)
}

func (s *Server) apiVerificationClose(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, errs.E(errs.NotFound, "verification_not_found", "核查任务不存在"))
		return
	}
	var req cases.VerifyRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Cases.CloseVerification(r.Context(), p, id, req)
	s.reply(w, r, http.StatusOK, v, err)
}
