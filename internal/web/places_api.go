package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// registerPlaces adds the pages and API of regions, organizations, halls,
// service areas, windows, window staff and window authorizations.
func (s *Server) registerPlaces() {
	if s.Places == nil {
		s.Places = places.NewService(s.DB, s.Clock)
	}
	s.registerPlacesAPI()
	s.registerPlacesPages()
}

func (s *Server) registerPlacesAPI() {
	s.api("GET /api/v1/regions", s.apiRegions)
	s.api("POST /api/v1/regions", s.apiRegionCreate)
	s.api("GET /api/v1/regions/{code}", s.apiRegion)
	s.api("PUT /api/v1/regions/{code}", s.apiRegionUpdate)
	s.api("DELETE /api/v1/regions/{code}", s.apiRegionDelete)

	s.api("GET /api/v1/orgs", s.apiOrgs)
	s.api("POST /api/v1/orgs", s.apiOrgCreate)
	s.api("GET /api/v1/orgs/{id}", s.apiOrg)
	s.api("PUT /api/v1/orgs/{id}", s.apiOrgUpdate)
	s.api("PATCH /api/v1/orgs/{id}", s.apiOrgUpdate)
	s.api("DELETE /api/v1/orgs/{id}", s.apiOrgDelete)

	s.api("GET /api/v1/halls", s.apiHalls)
	s.api("POST /api/v1/halls", s.apiHallCreate)
	s.api("GET /api/v1/halls/{id}", s.apiHall)
	s.api("PUT /api/v1/halls/{id}", s.apiHallUpdate)
	s.api("PATCH /api/v1/halls/{id}", s.apiHallUpdate)
	s.api("DELETE /api/v1/halls/{id}", s.apiHallDelete)
	s.api("GET /api/v1/halls/{id}/areas", s.apiAreas)
	s.api("POST /api/v1/halls/{id}/areas", s.apiAreaCreate)
	s.api("GET /api/v1/areas/{id}", s.apiArea)
	s.api("PUT /api/v1/areas/{id}", s.apiAreaUpdate)
	s.api("PATCH /api/v1/areas/{id}", s.apiAreaUpdate)
	s.api("DELETE /api/v1/areas/{id}", s.apiAreaDelete)

	s.api("GET /api/v1/windows", s.apiWindows)
	s.api("POST /api/v1/windows", s.apiWindowCreate)
	s.api("GET /api/v1/windows/{id}", s.apiWindow)
	s.api("PUT /api/v1/windows/{id}", s.apiWindowUpdate)
	s.api("PATCH /api/v1/windows/{id}", s.apiWindowUpdate)
	s.api("DELETE /api/v1/windows/{id}", s.apiWindowDelete)
	s.api("GET /api/v1/windows/{id}/staff", s.apiWindowStaff)
	s.api("POST /api/v1/windows/{id}/staff", s.apiWindowStaffAssign)
	s.api("DELETE /api/v1/windows/{id}/staff/{user}", s.apiWindowStaffRemove)
	s.api("GET /api/v1/windows/{id}/authorization", s.apiWindowAuthorizationFor)

	s.api("GET /api/v1/window-authorizations", s.apiAuthorizations)
	s.api("POST /api/v1/window-authorizations", s.apiAuthorizationCreate)
	s.api("GET /api/v1/window-authorizations/{id}", s.apiAuthorization)
	s.api("PUT /api/v1/window-authorizations/{id}", s.apiAuthorizationUpdate)
	s.api("PATCH /api/v1/window-authorizations/{id}", s.apiAuthorizationUpdate)
	s.api("POST /api/v1/window-authorizations/{id}/revoke", s.apiAuthorizationRevoke)
}

// placesReply writes v with status, or err as a problem.
// placesPathID parses the {name} path segment; a malformed id is notFound.
func placesPathID(r *http.Request, name string, notFound *errs.Error) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound
	}
	return id, nil
}

// placesQueryInt parses an optional integer query parameter.
func placesQueryInt(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "bad_number", "参数 "+name+" 应为正整数")
	}
	return n, nil
}

// placesWrite checks roles and decodes the JSON body into v (already
// holding the current record for PATCH).
func (s *Server) placesWrite(r *http.Request, roles []auth.Role, v any) (*auth.Principal, error) {
	p := principal(r)
	if err := auth.Require(p, roles...); err != nil {
		return nil, err
	}
	if v == nil {
		return p, nil
	}
	return p, decode(r, v)
}

// --- regions ---

func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rs, err := s.Places.ListRegions(r.Context(), principal(r), places.RegionFilter{Within: q.Get("within"), Parent: q.Get("parent"), Level: ids.RegionLevel(q.Get("level"))})
	s.reply(w, r, http.StatusOK, listOf(rs), err)
}

func (s *Server) apiRegion(w http.ResponseWriter, r *http.Request) {
	reg, err := s.Places.Region(r.Context(), principal(r), r.PathValue("code"))
	s.reply(w, r, http.StatusOK, reg, err)
}

func (s *Server) apiRegionCreate(w http.ResponseWriter, r *http.Request) {
	var in places.Region
	p, err := s.placesWrite(r, places.ManagerRoles, &in)
	if err == nil {
		in, err = s.Places.CreateRegion(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusCreated, in, err)
}

// apiRegionUpdate renames a region (the only mutable field), so PUT and
// PATCH are the same.
func (s *Server) apiRegionUpdate(w http.ResponseWriter, r *http.Request) {
	var in places.Region
	p, err := s.placesWrite(r, places.ManagerRoles, &in)
	if err == nil {
		in.Code = r.PathValue("code")
		in, err = s.Places.UpdateRegion(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusOK, in, err)
}

func (s *Server) apiRegionDelete(w http.ResponseWriter, r *http.Request) {
	p, err := s.placesWrite(r, places.ManagerRoles, nil)
	if err == nil {
		err = s.Places.DeleteRegion(r.Context(), p, r.PathValue("code"))
	}
	s.reply(w, r, http.StatusNoContent, nil, err)
}

// placesUpdate answers PUT (replace: start from zero) and PATCH (only the
// fields sent: start from the stored record) of the record {id}.
func placesUpdate[T any](s *Server, w http.ResponseWriter, r *http.Request, notFound *errs.Error, roles []auth.Role, zero T,
	get func(context.Context, *auth.Principal, int64) (T, error), withID func(T, int64) T,
	update func(context.Context, *auth.Principal, T) (T, error)) {
	in := zero
	id, err := placesPathID(r, "id", notFound)
	if err == nil && r.Method == http.MethodPatch {
		in, err = get(r.Context(), principal(r), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.placesWrite(r, roles, &in)
	if err == nil {
		in, err = update(r.Context(), p, withID(in, id))
	}
	s.reply(w, r, http.StatusOK, in, err)
}

// placesDelete answers DELETE of the record {id}.
func placesDelete(s *Server, w http.ResponseWriter, r *http.Request, notFound *errs.Error, roles []auth.Role,
	del func(context.Context, *auth.Principal, int64) error) {
	id, err := placesPathID(r, "id", notFound)
	var p *auth.Principal
	if err == nil {
		p, err = s.placesWrite(r, roles, nil)
	}
	if err == nil {
		err = del(r.Context(), p, id)
	}
	s.reply(w, r, http.StatusNoContent, nil, err)
}

// --- organizations ---

func (s *Server) apiOrgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	os, err := s.Places.ListOrgs(r.Context(), principal(r), places.OrgFilter{Region: q.Get("region"), Kind: places.OrgKind(q.Get("kind"))})
	s.reply(w, r, http.StatusOK, listOf(os), err)
}

func (s *Server) apiOrg(w http.ResponseWriter, r *http.Request) {
	var o places.Org
	id, err := placesPathID(r, "id", places.ErrOrgNotFound)
	if err == nil {
		o, err = s.Places.Org(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, o, err)
}

func (s *Server) apiOrgCreate(w http.ResponseWriter, r *http.Request) {
	var in places.Org
	p, err := s.placesWrite(r, places.ManagerRoles, &in)
	if err == nil {
		in, err = s.Places.CreateOrg(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusCreated, in, err)
}

// apiOrgUpdate replaces (PUT) or patches (PATCH: only the fields sent) an organization.
func (s *Server) apiOrgUpdate(w http.ResponseWriter, r *http.Request) {
	placesUpdate(s, w, r, places.ErrOrgNotFound, places.ManagerRoles, places.Org{}, s.Places.Org,
		func(v places.Org, id int64) places.Org { v.ID = id; return v }, s.Places.UpdateOrg)
}

func (s *Server) apiOrgDelete(w http.ResponseWriter, r *http.Request) {
	placesDelete(s, w, r, places.ErrOrgNotFound, places.ManagerRoles, s.Places.DeleteOrg)
}

// --- halls and service areas ---

func (s *Server) apiHalls(w http.ResponseWriter, r *http.Request) {
	hs, err := s.Places.ListHalls(r.Context(), principal(r), places.HallFilter{Region: r.URL.Query().Get("region")})
	s.reply(w, r, http.StatusOK, listOf(hs), err)
}

func (s *Server) apiHall(w http.ResponseWriter, r *http.Request) {
	var h places.Hall
	id, err := placesPathID(r, "id", places.ErrHallNotFound)
	if err == nil {
		h, err = s.Places.Hall(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, h, err)
}

func (s *Server) apiHallCreate(w http.ResponseWriter, r *http.Request) {
	var in places.Hall
	p, err := s.placesWrite(r, places.ManagerRoles, &in)
	if err == nil {
		in, err = s.Places.CreateHall(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusCreated, in, err)
}

func (s *Server) apiHallUpdate(w http.ResponseWriter, r *http.Request) {
	placesUpdate(s, w, r, places.ErrHallNotFound, places.ManagerRoles, places.Hall{}, s.Places.Hall,
		func(v places.Hall, id int64) places.Hall { v.ID = id; return v }, s.Places.UpdateHall)
}

func (s *Server) apiHallDelete(w http.ResponseWriter, r *http.Request) {
	placesDelete(s, w, r, places.ErrHallNotFound, places.ManagerRoles, s.Places.DeleteHall)
}

func (s *Server) apiAreas(w http.ResponseWriter, r *http.Request) {
	var as []places.ServiceArea
	id, err := placesPathID(r, "id", places.ErrHallNotFound)
	if err == nil {
		_, err = s.Places.Hall(r.Context(), principal(r), id)
	}
	if err == nil {
		as, err = s.Places.ListAreas(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, listOf(as), err)
}

func (s *Server) apiArea(w http.ResponseWriter, r *http.Request) {
	var a places.ServiceArea
	id, err := placesPathID(r, "id", places.ErrAreaNotFound)
	if err == nil {
		a, err = s.Places.Area(r.Context(), principal(r), id)
	}
	s.reply(w, r, http.StatusOK, a, err)
}

func (s *Server) apiAreaCreate(w http.ResponseWriter, r *http.Request) {
	var in places.ServiceArea
	hallID, err := placesPathID(r, "id", places.ErrHallNotFound)
	if err == nil {
		_, err = s.Places.Hall(r.Context(), principal(r), hallID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.placesWrite(r, places.ManagerRoles, &in)
	if err == nil {
		in.HallID = hallID
		in, err = s.Places.CreateArea(r.Context(), p, in)
	}
	s.reply(w, r, http.StatusCreated, in, err)
}

func (s *Server) apiAreaUpdate(w http.ResponseWriter, r *http.Request) {
	placesUpdate(s, w, r, places.ErrAreaNotFound, places.ManagerRoles, places.ServiceArea{}, s.Places.Area,
		func(v places.ServiceArea, id int64) places.ServiceArea { v.ID = id; return v }, s.Places.UpdateArea)
}

func (s *Server) apiAreaDelete(w http.ResponseWriter, r *http.Request) {
	placesDelete(s, w, r, places.ErrAreaNotFound, places.ManagerRoles, s.Places.DeleteArea)
}
