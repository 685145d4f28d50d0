package web

import (
	"net/http"
	"net/url"
	"strconv"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
)

func (s *Server) registerHallPages() {
	s.page("GET /halls", s.publicHalls)
	s.page("GET /admin/halls", s.hallsPage)
	s.page("GET /admin/halls/new", s.hallNew)
	s.page("POST /admin/halls", s.hallCreate)
	s.page("GET /admin/halls/{id}", s.hallEdit)
	s.page("POST /admin/halls/{id}", s.hallUpdate)
	s.page("POST /admin/halls/{id}/delete", s.hallDelete)
	s.page("GET /admin/halls/{id}/areas/new", s.areaNew)
	s.page("POST /admin/halls/{id}/areas", s.areaCreate)
	s.page("GET /admin/areas/{id}", s.areaEdit)
	s.page("POST /admin/areas/{id}", s.areaUpdate)
	s.page("POST /admin/areas/{id}/delete", s.areaDelete)
}

// publicHall is a hall as the portal's "where to go" page shows it.
type publicHall struct {
	places.Hall
	RegionName string
	Areas      []places.ServiceArea
	Windows    []places.Window
}

// publicHalls lists every hall with its areas and open windows; no login needed.
func (s *Server) publicHalls(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), principal(r)
	hs, err := s.Places.ListHalls(ctx, p, places.HallFilter{Region: r.URL.Query().Get("region")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]publicHall, 0, len(hs))
	for _, h := range hs {
		ph := publicHall{Hall: h}
		if reg, err := s.Places.Region(ctx, p, h.RegionCode); err == nil {
			ph.RegionName = reg.Name
		}
		if ph.Areas, err = s.Places.ListAreas(ctx, p, h.ID); err == nil {
			ph.Windows, err = s.Places.ListWindows(ctx, p, places.WindowFilter{HallID: h.ID, ActiveOnly: true})
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, ph)
	}
	s.render(w, r, http.StatusOK, "places_public_halls", s.newPage(w, r, "办事大厅", out))
}

func (s *Server) hallsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	d := s.newPlacesData(p, places.ManagerRoles)
	if err := s.withRegions(r, p, d); err != nil {
		s.fail(w, r, err)
		return
	}
	hs, err := s.Places.ListHalls(r.Context(), p, places.HallFilter{Region: p.RegionCode})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Halls = hs
	s.render(w, r, http.StatusOK, "places_halls", s.newPage(w, r, "大厅与窗口", d))
}

func hallValues(h places.Hall) url.Values {
	return url.Values{"name": {h.Name}, "region_code": {h.RegionCode}, "address": {h.Address}, "hours": {h.Hours}, "phone": {h.Phone}}
}

func hallFromForm(r *http.Request) places.Hall {
	return places.Hall{Name: r.PostFormValue("name"), RegionCode: r.PostFormValue("region_code"), Address: r.PostFormValue("address"),
		Hours: r.PostFormValue("hours"), Phone: r.PostFormValue("phone")}
}

// hallForm builds the hall page: the hall form and, for an existing hall,
// its service areas and windows.
func (s *Server) hallForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, h places.Hall) (*Page, bool) {
	d := s.newPlacesData(p, places.ManagerRoles)
	d.Hall = h
	err := s.withRegions(r, p, d)
	if err == nil && h.ID != 0 {
		d.CanEdit = d.CanEdit && p.InRegion(h.RegionCode)
		d.Areas, err = s.Places.ListAreas(r.Context(), p, h.ID)
		if err == nil {
			d.Windows, err = s.Places.ListWindows(r.Context(), p, places.WindowFilter{HallID: h.ID})
		}
		if err == nil {
			err = s.withOrgs(r, p, d)
		}
		d.AreaNames = map[int64]string{}
		for _, a := range d.Areas {
			d.AreaNames[a.ID] = a.Name
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	title := "新增大厅"
	if h.ID != 0 {
		title = h.Name
	}
	return s.newPage(w, r, title, d), true
}

func (s *Server) hallNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	if pg, ok := s.hallForm(w, r, p, places.Hall{}); ok {
		pg.Form = url.Values{"region_code": {p.RegionCode}}
		s.render(w, r, http.StatusOK, "places_hall_form", pg)
	}
}

func (s *Server) hallCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	h, err := s.Places.CreateHall(r.Context(), p, hallFromForm(r))
	if err != nil {
		if pg, ok := s.hallForm(w, r, p, places.Hall{}); ok {
			s.formError(w, r, "places_hall_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/halls/"+strconv.FormatInt(h.ID, 10), "已新增大厅："+h.Name)
}

func (s *Server) hallEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.WindowManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrHallNotFound)
	if !ok {
		return
	}
	h, err := s.Places.Hall(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pg, ok := s.hallForm(w, r, p, h); ok {
		pg.Form = hallValues(h)
		s.render(w, r, http.StatusOK, "places_hall_form", pg)
	}
}

func (s *Server) hallUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrHallNotFound)
	if !ok {
		return
	}
	h, err := s.Places.Hall(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := hallFromForm(r)
	in.ID = id
	if _, err := s.Places.UpdateHall(r.Context(), p, in); err != nil {
		if pg, ok := s.hallForm(w, r, p, h); ok {
			s.formError(w, r, "places_hall_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/halls/"+strconv.FormatInt(id, 10), "已保存")
}

func (s *Server) hallDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrHallNotFound)
	if !ok {
		return
	}
	if err := s.Places.DeleteHall(r.Context(), p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/halls", "已删除大厅")
}

// --- service areas ---

func areaFromForm(r *http.Request) places.ServiceArea {
	return places.ServiceArea{Name: r.PostFormValue("name"), Domain: r.PostFormValue("domain"), Floor: r.PostFormValue("floor")}
}

func (s *Server) areaForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, hallID int64, a places.ServiceArea) (*Page, bool) {
	d := s.newPlacesData(p, places.ManagerRoles)
	h, err := s.Places.Hall(r.Context(), p, hallID)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	d.Hall, d.Area = h, a
	title := h.Name + "：新增服务区"
	if a.ID != 0 {
		title = h.Name + "：" + a.Name
	}
	return s.newPage(w, r, title, d), true
}

func (s *Server) areaNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrHallNotFound)
	if !ok {
		return
	}
	if pg, ok := s.areaForm(w, r, p, id, places.ServiceArea{}); ok {
		s.render(w, r, http.StatusOK, "places_area_form", pg)
	}
}

func (s *Server) areaCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	hallID, ok := s.placesPageID(w, r, places.ErrHallNotFound)
	if !ok {
		return
	}
	in := areaFromForm(r)
	in.HallID = hallID
	if _, err := s.Places.CreateArea(r.Context(), p, in); err != nil {
		if pg, ok := s.areaForm(w, r, p, hallID, places.ServiceArea{}); ok {
			s.formError(w, r, "places_area_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/halls/"+strconv.FormatInt(hallID, 10), "已新增服务区："+in.Name)
}

func (s *Server) areaEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrAreaNotFound)
	if !ok {
		return
	}
	a, err := s.Places.Area(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pg, ok := s.areaForm(w, r, p, a.HallID, a); ok {
		pg.Form = url.Values{"name": {a.Name}, "domain": {a.Domain}, "floor": {a.Floor}}
		s.render(w, r, http.StatusOK, "places_area_form", pg)
	}
}

func (s *Server) areaUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrAreaNotFound)
	if !ok {
		return
	}
	a, err := s.Places.Area(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := areaFromForm(r)
	in.ID = id
	if _, err := s.Places.UpdateArea(r.Context(), p, in); err != nil {
		if pg, ok := s.areaForm(w, r, p, a.HallID, a); ok {
			s.formError(w, r, "places_area_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/halls/"+strconv.FormatInt(a.HallID, 10), "已保存服务区："+in.Name)
}

func (s *Server) areaDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrAreaNotFound)
	if !ok {
		return
	}
	a, err := s.Places.Area(r.Context(), p, id)
	if err == nil {
		err = s.Places.DeleteArea(r.Context(), p, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/halls/"+strconv.FormatInt(a.HallID, 10), "已删除服务区："+a.Name)
}
