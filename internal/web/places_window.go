package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
)

func (s *Server) registerWindowPages() {
	s.page("GET /admin/windows/new", s.windowNew)
	s.page("POST /admin/windows", s.windowCreate)
	s.page("GET /admin/windows/{id}", s.windowEdit)
	s.page("POST /admin/windows/{id}", s.windowUpdate)
	s.page("POST /admin/windows/{id}/delete", s.windowDelete)
	s.page("POST /admin/windows/{id}/staff", s.windowStaffAssign)
	s.page("POST /admin/windows/{id}/staff/{user}/remove", s.windowStaffRemove)

	s.page("GET /admin/authorizations", s.authorizationsPage)
	s.page("GET /admin/authorizations/new", s.authorizationNew)
	s.page("POST /admin/authorizations", s.authorizationCreate)
	s.page("GET /admin/authorizations/{id}", s.authorizationEdit)
	s.page("POST /admin/authorizations/{id}", s.authorizationUpdate)
	s.page("POST /admin/authorizations/{id}/revoke", s.authorizationRevoke)
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func windowValues(win places.Window) url.Values {
	v := url.Values{"hall_id": {idOrEmpty(win.HallID)}, "number": {win.Number}, "name": {win.Name}, "kind": {string(win.Kind)},
		"area_id": {idOrEmpty(win.AreaID)}, "org_id": {idOrEmpty(win.OrgID)}, "domains": win.Domains, "items": {strings.Join(win.Items, "\n")}}
	if win.Active {
		v.Set("active", "1")
	}
	return v
}

func windowFromForm(r *http.Request) (places.Window, error) {
	hallID, err1 := formInt(r, "hall_id")
	areaID, err2 := formInt(r, "area_id")
	orgID, err3 := formInt(r, "org_id")
	return places.Window{HallID: hallID, AreaID: areaID, OrgID: orgID, Number: r.PostFormValue("number"), Name: r.PostFormValue("name"),
		Kind: places.WindowKind(r.PostFormValue("kind")), Active: r.PostFormValue("active") == "1", Domains: r.PostForm["domains"],
		Items: splitCodes(r.PostFormValue("items"))}, firstErr(err1, err2, err3)
}

// windowForm builds the window page for hallID: the window form and, for
// an existing window, its staff and authorizations.
func (s *Server) windowForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, hallID int64, win places.Window) (*Page, bool) {
	ctx := r.Context()
	d := s.newPlacesData(p, places.WindowManagerRoles)
	d.Window = win
	h, err := s.Places.Hall(ctx, p, hallID)
	if err == nil {
		d.Hall, d.CanEdit = h, d.CanEdit && p.InRegion(h.RegionCode)
		d.Areas, err = s.Places.ListAreas(ctx, p, hallID)
	}
	if err == nil {
		err = s.withOrgs(r, p, d)
	}
	if err == nil && win.ID != 0 {
		d.Staff, err = s.Places.ListStaff(ctx, p, win.ID)
		if err == nil {
			d.Authorizations, err = s.Places.ListAuthorizations(ctx, p, places.AuthorizationFilter{WindowID: win.ID, IncludeRevoked: true})
		}
		if err == nil && p.HasAny(places.ManagerRoles...) {
			d.Users, err = s.Auth.ListUsers(ctx, p, auth.UserFilter{Kind: auth.KindStaff})
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	title := h.Name + "：新增窗口"
	if win.ID != 0 {
		title = h.Name + "：" + win.Title()
	}
	return s.newPage(w, r, title, d), true
}

func (s *Server) windowNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	hallID, err := strconv.ParseInt(r.URL.Query().Get("hall_id"), 10, 64)
	if err != nil {
		s.fail(w, r, places.ErrHallNotFound)
		return
	}
	if pg, ok := s.windowForm(w, r, p, hallID, places.Window{}); ok {
		pg.Form = url.Values{"hall_id": {idOrEmpty(hallID)}, "kind": {string(places.WindowComprehensive)}, "active": {"1"}}
		s.render(w, r, http.StatusOK, "places_window_form", pg)
	}
}

func (s *Server) windowCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	in, err := windowFromForm(r)
	var win places.Window
	if err == nil {
		win, err = s.Places.CreateWindow(r.Context(), p, in)
	}
	if err != nil {
		if pg, ok := s.windowForm(w, r, p, in.HallID, places.Window{}); ok {
			s.formError(w, r, "places_window_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/windows/"+strconv.FormatInt(win.ID, 10), "已新增窗口："+win.Title())
}

// loadWindow returns the window of the {id} path, or renders an error.
func (s *Server) loadWindow(w http.ResponseWriter, r *http.Request, p *auth.Principal) (places.Window, bool) {
	id, ok := s.placesPageID(w, r, places.ErrWindowNotFound)
	if !ok {
		return places.Window{}, false
	}
	win, err := s.Places.Window(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return places.Window{}, false
	}
	return win, true
}

func (s *Server) windowEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	win, ok := s.loadWindow(w, r, p)
	if !ok {
		return
	}
	if pg, ok := s.windowForm(w, r, p, win.HallID, win); ok {
		pg.Form = windowValues(win)
		s.render(w, r, http.StatusOK, "places_window_form", pg)
	}
}

func (s *Server) windowUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	win, ok := s.loadWindow(w, r, p)
	if !ok {
		return
	}
	in, err := windowFromForm(r)
	if err == nil {
		in.ID = win.ID
		_, err = s.Places.UpdateWindow(r.Context(), p, in)
	}
	if err != nil {
		if pg, ok := s.windowForm(w, r, p, win.HallID, win); ok {
			s.formError(w, r, "places_window_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/windows/"+strconv.FormatInt(win.ID, 10), "已保存")
}

func (s *Server) windowDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	win, ok := s.loadWindow(w, r, p)
	if !ok {
		return
	}
	if err := s.Places.DeleteWindow(r.Context(), p, win.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/halls/"+strconv.FormatInt(win.HallID, 10), "已删除窗口 "+win.Number)
}

func (s *Server) windowStaffAssign(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	win, ok := s.loadWindow(w, r, p)
	if !ok {
		return
	}
	userID, err := formInt(r, "user_id")
	if err == nil {
		_, err = s.Places.AssignStaff(r.Context(), p, win.ID, userID)
	}
	if err != nil {
		if pg, ok := s.windowForm(w, r, p, win.HallID, win); ok {
			// Keep the window form filled in beside the failed assignment.
			for k, v := range windowValues(win) {
				r.PostForm[k] = v
			}
			s.formError(w, r, "places_window_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/windows/"+strconv.FormatInt(win.ID, 10), "已安排工作人员")
}

func (s *Server) windowStaffRemove(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	win, ok := s.loadWindow(w, r, p)
	if !ok {
		return
	}
	user, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		s.fail(w, r, places.ErrStaffNotFound)
		return
	}
	if err := s.Places.UnassignStaff(r.Context(), p, win.ID, user); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/windows/"+strconv.FormatInt(win.ID, 10), "已移出该窗口")
}

// --- window authorizations ---

// withWindows loads the windows and halls of p's scope with their titles.
func (s *Server) withWindows(r *http.Request, p *auth.Principal, d *placesData) error {
	hs, err := s.Places.ListHalls(r.Context(), p, places.HallFilter{Region: p.RegionCode})
	if err != nil {
		return err
	}
	ws, err := s.Places.ListWindows(r.Context(), p, places.WindowFilter{Region: p.RegionCode})
	if err != nil {
		return err
	}
	d.Halls, d.Windows = hs, ws
	d.HallNames, d.WindowTitles, d.WindowHalls = map[int64]string{}, map[int64]string{}, map[int64]int64{}
	for _, h := range hs {
		d.HallNames[h.ID] = h.Name
	}
	for _, win := range ws {
		d.WindowTitles[win.ID] = d.HallNames[win.HallID] + " · " + win.Title()
		d.WindowHalls[win.ID] = win.HallID
	}
	return nil
}

func (s *Server) authorizationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	d := s.newPlacesData(p, places.WindowManagerRoles)
	q := r.URL.Query()
	f := places.AuthorizationFilter{IncludeRevoked: q.Get("include_revoked") == "1"}
	f.WindowID, _ = strconv.ParseInt(q.Get("window_id"), 10, 64)
	f.OrgID, _ = strconv.ParseInt(q.Get("org_id"), 10, 64)
	err := s.withWindows(r, p, d)
	if err == nil {
		err = s.withOrgs(r, p, d)
	}
	if err == nil {
		d.Authorizations, err = s.Places.ListAuthorizations(r.Context(), p, f)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "窗口授权", d)
	pg.Form = q
	s.render(w, r, http.StatusOK, "places_authorizations", pg)
}

func authorizationValues(a places.Authorization) url.Values {
	v := url.Values{"window_id": {idOrEmpty(a.WindowID)}, "org_id": {idOrEmpty(a.OrgID)}, "doc_no": {a.DocNo}, "valid_from": {a.ValidFrom},
		"valid_to": {a.ValidTo}, "domains": a.Domains, "items": {strings.Join(a.Items, "\n")}}
	if a.CanAccept {
		v.Set("can_accept", "1")
	}
	if a.CanDecide {
		v.Set("can_decide", "1")
	}
	return v
}

func authorizationFromForm(r *http.Request) (places.Authorization, error) {
	windowID, err1 := formInt(r, "window_id")
	orgID, err2 := formInt(r, "org_id")
	return places.Authorization{WindowID: windowID, OrgID: orgID, DocNo: r.PostFormValue("doc_no"),
		CanAccept: r.PostFormValue("can_accept") == "1", CanDecide: r.PostFormValue("can_decide") == "1",
		ValidFrom: r.PostFormValue("valid_from"), ValidTo: r.PostFormValue("valid_to"),
		Domains: r.PostForm["domains"], Items: splitCodes(r.PostFormValue("items"))}, firstErr(err1, err2)
}

func (s *Server) authorizationForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, a places.Authorization) (*Page, bool) {
	d := s.newPlacesData(p, places.WindowManagerRoles)
	d.Auth = a
	err := s.withWindows(r, p, d)
	if err == nil {
		err = s.withOrgs(r, p, d)
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	title := "新增窗口授权书"
	if a.ID != 0 {
		title = "窗口授权书：" + a.DocNo
		d.CanEdit = d.CanEdit && a.RevokedAt == nil
	}
	return s.newPage(w, r, title, d), true
}

func (s *Server) authorizationNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	if pg, ok := s.authorizationForm(w, r, p, places.Authorization{}); ok {
		pg.Form = url.Values{"window_id": {r.URL.Query().Get("window_id")}, "can_accept": {"1"}, "valid_from": {pg.Data.(*placesData).Today}}
		s.render(w, r, http.StatusOK, "places_authorization_form", pg)
	}
}

func (s *Server) authorizationCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	in, err := authorizationFromForm(r)
	if err == nil {
		in, err = s.Places.CreateAuthorization(r.Context(), p, in)
	}
	if err != nil { // the form keeps the user's input; in is not used
		if pg, ok := s.authorizationForm(w, r, p, places.Authorization{}); ok {
			s.formError(w, r, "places_authorization_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/authorizations/"+strconv.FormatInt(in.ID, 10), "已登记授权书："+in.DocNo)
}

func (s *Server) loadAuthorization(w http.ResponseWriter, r *http.Request, p *auth.Principal) (places.Authorization, bool) {
	id, ok := s.placesPageID(w, r, places.ErrAuthorizationNotFound)
	if !ok {
		return places.Authorization{}, false
	}
	a, err := s.Places.Authorization(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return places.Authorization{}, false
	}
	return a, true
}

func (s *Server) authorizationEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	a, ok := s.loadAuthorization(w, r, p)
	if !ok {
		return
	}
	if pg, ok := s.authorizationForm(w, r, p, a); ok {
		pg.Form = authorizationValues(a)
		s.render(w, r, http.StatusOK, "places_authorization_form", pg)
	}
}

func (s *Server) authorizationUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	a, ok := s.loadAuthorization(w, r, p)
	if !ok {
		return
	}
	in, err := authorizationFromForm(r)
	if err == nil {
		in.ID = a.ID
		_, err = s.Places.UpdateAuthorization(r.Context(), p, in)
	}
	if err != nil {
		if pg, ok := s.authorizationForm(w, r, p, a); ok {
			s.formError(w, r, "places_authorization_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/authorizations/"+strconv.FormatInt(a.ID, 10), "已保存")
}

func (s *Server) authorizationRevoke(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	a, ok := s.loadAuthorization(w, r, p)
	if !ok {
		return
	}
	if _, err := s.Places.RevokeAuthorization(r.Context(), p, a.ID, r.PostFormValue("reason")); err != nil {
		if pg, ok := s.authorizationForm(w, r, p, a); ok {
			for k, v := range authorizationValues(a) {
				r.PostForm[k] = v
			}
			s.formError(w, r, "places_authorization_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/authorizations/"+strconv.FormatInt(a.ID, 10), "授权书已撤销")
}
