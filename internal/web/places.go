package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/ids"
)

func (s *Server) registerPlacesPages() {
	s.page("GET /admin/regions", s.regionsPage)
	s.page("GET /admin/regions/new", s.regionNew)
	s.page("POST /admin/regions", s.regionCreate)
	s.page("GET /admin/regions/{code}", s.regionEdit)
	s.page("POST /admin/regions/{code}", s.regionUpdate)
	s.page("POST /admin/regions/{code}/delete", s.regionDelete)

	s.page("GET /admin/orgs", s.orgsPage)
	s.page("GET /admin/orgs/new", s.orgNew)
	s.page("POST /admin/orgs", s.orgCreate)
	s.page("GET /admin/orgs/{id}", s.orgEdit)
	s.page("POST /admin/orgs/{id}", s.orgUpdate)
	s.page("POST /admin/orgs/{id}/delete", s.orgDelete)

	s.registerHallPages()
	s.registerWindowPages()

	s.nav(40, "行政区划", "/admin/regions", places.ManagerRoles...)
	s.nav(41, "部门单位", "/admin/orgs", places.ManagerRoles...)
	s.nav(42, "大厅与窗口", "/admin/halls", places.WindowManagerRoles...)
	s.nav(43, "窗口授权", "/admin/authorizations", places.WindowManagerRoles...)
	s.nav(10, "办事大厅", "/halls")
	s.nav(10, "办事大厅", "/halls", auth.Applicant)
}

// placesData is what every places page receives: the record being shown
// or edited, the lists its selects offer, and lookup tables for names.
type placesData struct {
	CanEdit bool
	Today   string

	Region places.Region
	Org    places.Org
	Hall   places.Hall
	Area   places.ServiceArea
	Window places.Window
	Auth   places.Authorization

	Regions        []places.Region
	Orgs           []places.Org
	Halls          []places.Hall
	Areas          []places.ServiceArea
	Windows        []places.Window
	Staff          []places.StaffMember
	Authorizations []places.Authorization
	Users          []auth.User

	Domains     []string
	Levels      []ids.RegionLevel
	OrgKinds    []places.OrgKind
	WindowKinds []places.WindowKind

	RegionNames  map[string]string
	OrgNames     map[int64]string
	HallNames    map[int64]string
	AreaNames    map[int64]string
	WindowTitles map[int64]string
	WindowHalls  map[int64]int64
}

func (s *Server) newPlacesData(p *auth.Principal, editRoles []auth.Role) *placesData {
	return &placesData{CanEdit: p.HasAny(editRoles...), Today: clock.Day(s.Clock.Now()), Domains: places.Domains, Levels: ids.Levels,
		OrgKinds: places.OrgKinds, WindowKinds: places.WindowKinds}
}

// withRegions loads the regions p works in (every region for a global admin).
func (s *Server) withRegions(r *http.Request, p *auth.Principal, d *placesData) error {
	rs, err := s.Places.ScopeRegions(r.Context(), p)
	if err != nil {
		return err
	}
	d.Regions = rs
	d.RegionNames = map[string]string{}
	for _, reg := range rs {
		d.RegionNames[reg.Code] = reg.Name
	}
	return nil
}

// withOrgs loads the organizations of p's scope.
func (s *Server) withOrgs(r *http.Request, p *auth.Principal, d *placesData) error {
	os, err := s.Places.ListOrgs(r.Context(), p, places.OrgFilter{Region: p.RegionCode})
	if err != nil {
		return err
	}
	d.Orgs = os
	d.OrgNames = map[int64]string{}
	for _, o := range os {
		d.OrgNames[o.ID] = o.Name
	}
	return nil
}

// --- regions ---

func (s *Server) regionsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	d := s.newPlacesData(p, places.ManagerRoles)
	if err := s.withRegions(r, p, d); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "places_regions", s.newPage(w, r, "行政区划", d))
}

func regionValues(reg places.Region) url.Values {
	return url.Values{"code": {reg.Code}, "name": {reg.Name}, "level": {string(reg.Level)}, "parent_code": {reg.ParentCode}}
}

func regionFromForm(r *http.Request) places.Region {
	return places.Region{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Level: ids.RegionLevel(r.PostFormValue("level")), ParentCode: r.PostFormValue("parent_code")}
}

// regionForm renders the region form page, for a new region when reg.Code is empty.
func (s *Server) regionForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, reg places.Region) (*Page, bool) {
	d := s.newPlacesData(p, places.ManagerRoles)
	d.Region = reg
	if err := s.withRegions(r, p, d); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	title := "新增行政区划"
	if reg.Code != "" {
		title = "编辑行政区划：" + reg.Name
	}
	return s.newPage(w, r, title, d), true
}

func (s *Server) regionNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	if pg, ok := s.regionForm(w, r, p, places.Region{}); ok {
		pg.Form = url.Values{"parent_code": {r.URL.Query().Get("parent")}}
		s.render(w, r, http.StatusOK, "places_region_form", pg)
	}
}

func (s *Server) regionCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	reg, err := s.Places.CreateRegion(r.Context(), p, regionFromForm(r))
	if err != nil {
		if pg, ok := s.regionForm(w, r, p, places.Region{}); ok {
			s.formError(w, r, "places_region_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/regions", "已新增行政区划："+reg.Name+"（"+reg.Code+"）")
}

func (s *Server) regionEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	reg, err := s.Places.Region(r.Context(), p, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pg, ok := s.regionForm(w, r, p, reg); ok {
		pg.Form = regionValues(reg)
		s.render(w, r, http.StatusOK, "places_region_form", pg)
	}
}

func (s *Server) regionUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	reg, err := s.Places.Region(r.Context(), p, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.Places.UpdateRegion(r.Context(), p, places.Region{Code: reg.Code, Name: r.PostFormValue("name")}); err != nil {
		if pg, ok := s.regionForm(w, r, p, reg); ok {
			s.formError(w, r, "places_region_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/regions", "已保存")
}

func (s *Server) regionDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	if err := s.Places.DeleteRegion(r.Context(), p, r.PathValue("code")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/regions", "已删除行政区划 "+r.PathValue("code"))
}

// --- organizations ---

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	d := s.newPlacesData(p, places.ManagerRoles)
	if err := s.withRegions(r, p, d); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	region := q.Get("region")
	if region == "" {
		region = p.RegionCode
	}
	os, err := s.Places.ListOrgs(r.Context(), p, places.OrgFilter{Region: region, Kind: places.OrgKind(q.Get("kind"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Orgs = os
	pg := s.newPage(w, r, "部门单位", d)
	pg.Form = q
	s.render(w, r, http.StatusOK, "places_orgs", pg)
}

func orgValues(o places.Org) url.Values {
	return url.Values{"name": {o.Name}, "short_name": {o.ShortName}, "uscc": {o.USCC}, "region_code": {o.RegionCode},
		"kind": {string(o.Kind)}, "phone": {o.Phone}}
}

func orgFromForm(r *http.Request) places.Org {
	return places.Org{Name: r.PostFormValue("name"), ShortName: r.PostFormValue("short_name"), USCC: r.PostFormValue("uscc"),
		RegionCode: r.PostFormValue("region_code"), Kind: places.OrgKind(r.PostFormValue("kind")), Phone: r.PostFormValue("phone")}
}

func (s *Server) orgForm(w http.ResponseWriter, r *http.Request, p *auth.Principal, o places.Org) (*Page, bool) {
	d := s.newPlacesData(p, places.ManagerRoles)
	d.Org = o
	if err := s.withRegions(r, p, d); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	title := "新增部门单位"
	if o.ID != 0 {
		title = "编辑部门单位：" + o.Name
	}
	return s.newPage(w, r, title, d), true
}

func (s *Server) orgNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	if pg, ok := s.orgForm(w, r, p, places.Org{}); ok {
		pg.Form = url.Values{"region_code": {p.RegionCode}, "kind": {string(places.OrgDepartment)}}
		s.render(w, r, http.StatusOK, "places_org_form", pg)
	}
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	o, err := s.Places.CreateOrg(r.Context(), p, orgFromForm(r))
	if err != nil {
		if pg, ok := s.orgForm(w, r, p, places.Org{}); ok {
			s.formError(w, r, "places_org_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/orgs", "已新增："+o.Name)
}

// placesPageID parses the {id} of a page path, rendering not-found when malformed.
func (s *Server) placesPageID(w http.ResponseWriter, r *http.Request, notFound error) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, notFound)
		return 0, false
	}
	return id, true
}

func (s *Server) orgEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrOrgNotFound)
	if !ok {
		return
	}
	o, err := s.Places.Org(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pg, ok := s.orgForm(w, r, p, o); ok {
		pg.Form = orgValues(o)
		s.render(w, r, http.StatusOK, "places_org_form", pg)
	}
}

func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrOrgNotFound)
	if !ok {
		return
	}
	o, err := s.Places.Org(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := orgFromForm(r)
	in.ID = id
	if _, err := s.Places.UpdateOrg(r.Context(), p, in); err != nil {
		if pg, ok := s.orgForm(w, r, p, o); ok {
			s.formError(w, r, "places_org_form", pg, err)
		}
		return
	}
	redirect(w, r, "/admin/orgs/"+strconv.FormatInt(id, 10), "已保存")
}

func (s *Server) orgDelete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, places.ManagerRoles...)
	if !ok {
		return
	}
	id, ok := s.placesPageID(w, r, places.ErrOrgNotFound)
	if !ok {
		return
	}
	if err := s.Places.DeleteOrg(r.Context(), p, id); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs", "已删除")
}

// splitCodes splits item codes typed one per line or separated by commas,
// spaces or 、.
func splitCodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}
