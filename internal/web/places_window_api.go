package web

import (
	"net/http"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
)

// --- windows ---

func (s *Server) apiWindows(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ws []places.Window
	hallID, err := placesQueryInt(r, "hall_id")
	if err == nil {
		ws, err = s.Places.ListWindows(r.Context(), principal(r), places.WindowFilter{HallID: hallID, Region: q.Get("region"),
			Kind: places.WindowKind(q.Get("kind")), Domain: q.Get("domain"), ActiveOnly: q.Get("active") == "true"})
	}
	s.reply(w, r, http.StatusOK, listOf(ws), err)
}

func (s *Server) apiWindow(w http.ResponseWriter, r *http.Request) {
	var win places.Window
	id, err := placesPathID(r, "id", places.ErrWindowNotFound)
	if err == nil {
		win, err = s.Places.Window(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, win, err)
}

func (s *Server) apiWindowCreate(w http.ResponseWriter, r *http.Request) {
	var in places.Window
	p, err := s.placesWrite(r, places.WindowManagerRoles, &in)
	if err == nil {
		in, err = s.Places.CreateWindow(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusCreated, in, err)
}

// apiWindowUpdate replaces (PUT; "active" defaults to true) or patches a window.
func (s *Server) apiWindowUpdate(w http.ResponseWriter, r *http.Request) {
	placesUpdate(s, w, r, places.ErrWindowNotFound, places.WindowManagerRoles, places.Window{Active: true}, s.Places.Window,
		func(v places.Window, id int64) places.Window { v.ID = id; return v }, s.Places.UpdateWindow)
}

func (s *Server) apiWindowDelete(w http.ResponseWriter, r *http.Request) {
	placesDelete(s, w, r, places.ErrWindowNotFound, places.WindowManagerRoles, s.Places.DeleteWindow)
}

func (s *Server) apiWindowStaff(w http.ResponseWriter, r *http.Request) {
	var ms []places.StaffMember
	id, err := placesPathID(r, "id", places.ErrWindowNotFound)
	if err == nil {
		ms, err = s.Places.ListStaff(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, listOf(ms), err)
}

func (s *Server) apiWindowStaffAssign(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID int64 `json:"user_id"`
	}
	var m places.StaffMember
	id, err := placesPathID(r, "id", places.ErrWindowNotFound)
	var p *auth.Principal
	if err == nil {
		p, err = s.placesWrite(r, places.ManagerRoles, &in)
	}
	if err == nil {
		m, err = s.Places.AssignStaff(r.Context(), p, id, in.UserID)
	}
	s.reply(w, r, http.StatusCreated, m, err)
}

func (s *Server) apiWindowStaffRemove(w http.ResponseWriter, r *http.Request) {
	id, err := placesPathID(r, "id", places.ErrWindowNotFound)
	var user int64
	if err == nil {
		user, err = placesPathID(r, "user", places.ErrStaffNotFound)
	}
	var p *auth.Principal
	if err == nil {
		p, err = s.placesWrite(r, places.ManagerRoles, nil)
	}
	if err == nil {
		err = s.Places.UnassignStaff(r.Context(), p, id, user)
	}
	s.reply(w, r, http.StatusNoContent, nil, err)
}

// apiWindowAuthorizationFor answers "may this window accept (or decide)
// this item today?" for staff: the covering authorization, or 403.
func (s *Server) apiWindowAuthorizationFor(w http.ResponseWriter, r *http.Request) {
	var a places.Authorization
	id, err := placesPathID(r, "id", places.ErrWindowNotFound)
	if err == nil {
		err = auth.Require(principal(r), auth.StaffRoles...)
	}
	if err == nil {
		_, err = s.Places.Window(r.Context(), principal(r), id)
	}
	if err == nil {
		q := r.URL.Query()
		day := q.Get("day")
		if day == "" {
			day = clock.Day(s.Clock.Now())
		}
		a, err = s.Places.AuthorizationFor(r.Context(), id, q.Get("item_code"), q.Get("domain"), day)
	}
	s.reply(w, r, http.StatusOK, a, err)
}

// --- window authorizations ---

func (s *Server) apiAuthorizations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f places.AuthorizationFilter
	var err error
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"hall_id", &f.HallID}, {"window_id", &f.WindowID}, {"org_id", &f.OrgID}} {
		if err == nil {
			*p.dst, err = placesQueryInt(r, p.name)
		}
	}
	var as []places.Authorization
	if err == nil {
		f.Region, f.ValidOn, f.IncludeRevoked = q.Get("region"), q.Get("valid_on"), q.Get("include_revoked") == "true"
		as, err = s.Places.ListAuthorizations(r.Context(), principal(r), f)
	}
	s.reply(w, r, http.StatusOK, listOf(as), err)
}

func (s *Server) apiAuthorization(w http.ResponseWriter, r *http.Request) {
	var a places.Authorization
	id, err := placesPathID(r, "id", places.ErrAuthorizationNotFound)
	if err == nil {
		a, err = s.Places.Authorization(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, a, err)
}

func (s *Server) apiAuthorizationCreate(w http.ResponseWriter, r *http.Request) {
	var in places.Authorization
	p, err := s.placesWrite(r, places.WindowManagerRoles, &in)
	if err == nil {
		in, err = s.Places.CreateAuthorization(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusCreated, in, err)
}

func (s *Server) apiAuthorizationUpdate(w http.ResponseWriter, r *http.Request) {
	var in places.Authorization
	id, err := placesPathID(r, "id", places.ErrAuthorizationNotFound)
	if err == nil {
		err = auth.Require(principal(r), places.WindowManagerRoles...)
	}
	if err == nil && r.Method == http.MethodPatch {
		in, err = s.Places.Authorization(r.Context(), principal(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.placesWrite(r, places.WindowManagerRoles, &in)
	if err == nil {
		in.ID = id
		in, err = s.Places.UpdateAuthorization(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusOK, in, err)
}

func (s *Server) apiAuthorizationRevoke(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	var a places.Authorization
	id, err := placesPathID(r, "id", places.ErrAuthorizationNotFound)
	var p *auth.Principal
	if err == nil {
		p, err = s.placesWrite(r, places.WindowManagerRoles, &in)
	}
	if err == nil {
		a, err = s.Places.RevokeAuthorization(r.Context(), p, id, in.Reason)
	}
	s.reply(w, r, http.StatusOK, a, err)
}
