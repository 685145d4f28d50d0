package web

import (
	"net/http"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
)

// inboxView is a reviewer's or approver's list of steps to work.
type inboxView struct {
	Cases []*cases.Case
	Roles []auth.Role
	Role  string
}

// inbox lists the cases whose current step belongs to the caller's
// organization and role, with the step and case deadlines and lights.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Reviewer, auth.Approver)
	if !ok {
		return
	}
	q := r.URL.Query()
	v := &inboxView{}
	for _, ro := range []auth.Role{auth.Reviewer, auth.Approver} {
		if p.Has(ro) {
			v.Roles = append(v.Roles, ro)
		}
	}
	v.Role = q.Get("role")
	if !p.Has(auth.Role(v.Role)) || (v.Role != string(auth.Reviewer) && v.Role != string(auth.Approver)) {
		v.Role = string(v.Roles[0])
	}
	list, err := s.Cases.List(r.Context(), p, cases.Filter{Inbox: true, Role: v.Role, Light: cases.Light(q.Get("light")),
		Item: q.Get("item"), Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Cases = list
	pg := s.newPage(w, r, "待办件", v)
	pg.Form = q
	s.render(w, r, http.StatusOK, "cases_inbox", pg)
}
