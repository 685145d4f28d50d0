package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// The public catalog API: search and browse, guides of any published
// version, versions and change logs, the situational checklist, browse
// facets, catalog metrics and the published adjustment batches. Anyone may
// call these; staff callers see what the catalog service lets them see.

func (s *Server) registerCatalogPublicAPI() {
	s.api("GET /api/v1/items", s.apiItems)
	s.api("GET /api/v1/items/facets", s.apiItemFacets)
	s.api("GET /api/v1/items/{code}", s.apiItem)
	s.api("GET /api/v1/items/{code}/versions", s.apiItemVersions)
	s.api("GET /api/v1/items/{code}/changes", s.apiItemChanges)
	s.api("POST /api/v1/items/{code}/checklist", s.apiItemChecklist)
	s.api("GET /api/v1/checklists/{number}", s.apiChecklist)
	s.api("GET /api/v1/stats/catalog", s.apiCatalogStats)
	s.api("GET /api/v1/adjustments", s.apiAdjustments)
	s.api("GET /api/v1/adjustments/{id}", s.apiAdjustment)
}

// catalogCallerOf turns the session principal into the catalog's caller;
// nil (anonymous) is the zero Caller, the public.
func catalogCallerOf(p *auth.Principal) catalog.Caller {
	if p == nil {
		return catalog.Caller{}
	}
	c := catalog.Caller{UserID: p.UserID, RegionCode: p.RegionCode, OrgID: p.OrgID}
	for _, r := range p.Roles {
		c.Roles = append(c.Roles, string(r))
	}
	return c
}

// errBadQuery rejects search parameters that do not parse.
var errBadQuery = errs.E(errs.Invalid, "bad_query", "查询参数不正确")

// searchQueryOf parses the search/browse parameters shared by the API and
// the pages; bad values are reported per field.
func searchQueryOf(q url.Values) (catalog.SearchQuery, error) {
	sq := catalog.SearchQuery{Q: strings.TrimSpace(q.Get("q")), Event: q.Get("event"), Theme: q.Get("theme"),
		Domain: q.Get("domain"), Department: q.Get("department"), RegionCode: q.Get("region"), Object: q.Get("object"), Kind: catalog.Kind(q.Get("kind"))}
	var fe errs.Fields
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			fe.Add("page", "页码须为正整数")
		}
		sq.Page = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			fe.Add("page_size", "每页条数须为 1–100 的整数")
		}
		sq.PageSize = n
	}
	if v := q.Get("org"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fe.Add("org", "实施主体须为机构编号")
		}
		sq.OrgID = n
	}
	if sq.Kind != "" && !sq.Kind.Valid() {
		fe.Add("kind", "事项类型不正确")
	}
	if len([]rune(sq.Q)) > 100 {
		fe.Add("q", "搜索词不能超过 100 个字")
	}
	if err := fe.Err(); err != nil {
		e, _ := errs.As(err)
		c := *errBadQuery
		c.Fields = e.Fields
		return sq, &c
	}
	return sq, nil
}

// versionParam parses ?version=; 0 means the current version.
func versionParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errs.Field("version", "bad_version", "版本号须为正整数")
	}
	return n, nil
}

func (s *Server) apiItems(w http.ResponseWriter, r *http.Request) {
	sq, err := searchQueryOf(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Catalog.Search(r.Context(), sq)
	s.reply(w, r, http.StatusOK, res, err)
}

func (s *Server) apiItemFacets(w http.ResponseWriter, r *http.Request) {
	f, err := s.Catalog.Facets(r.Context())
	s.reply(w, r, http.StatusOK, f, err)
}

func (s *Server) apiItem(w http.ResponseWriter, r *http.Request) {
	v, err := versionParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Guide(r.Context(), r.PathValue("code"), v)
	s.reply(w, r, http.StatusOK, it, err)
}

func (s *Server) apiItemVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.Catalog.Versions(r.Context(), catalogCallerOf(principal(r)), r.PathValue("code"))
	s.reply(w, r, http.StatusOK, listOf(vs), err)
}

func (s *Server) apiItemChanges(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	// An unknown (or never published) item is a 404, not an empty log.
	if _, err := s.Catalog.Versions(r.Context(), catalogCallerOf(principal(r)), code); err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.Catalog.Changes(r.Context(), code)
	s.reply(w, r, http.StatusOK, listOf(ch), err)
}

// checklistRequest is the body of POST /api/v1/items/{code}/checklist.
type checklistRequest struct {
	Answers map[string]string `json:"answers"`
	Save    bool              `json:"save"`
	Version int               `json:"version"` // 0: current
}

func (s *Server) apiItemChecklist(w http.ResponseWriter, r *http.Request) {
	var req checklistRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Version < 0 {
		s.fail(w, r, errs.Field("version", "bad_version", "版本号须为正整数"))
		return
	}
	code := r.PathValue("code")
	var cl catalog.Checklist
	var err error
	if req.Save {
		cl, err = s.Catalog.SaveChecklist(r.Context(), catalogCallerOf(principal(r)), code, req.Version, req.Answers)
	} else {
		cl, err = s.Catalog.Checklist(r.Context(), code, req.Version, req.Answers)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if req.Save {
		status = http.StatusCreated
	}
	writeJSON(w, status, checklistJSON(cl))
}

// checklistOut is a checklist with its materials always a list.
func checklistJSON(cl catalog.Checklist) catalog.Checklist {
	if cl.Materials == nil {
		cl.Materials = []catalog.Material{}
	}
	if cl.Fees == nil {
		cl.Fees = []catalog.Fee{}
	}
	if cl.Asked == nil {
		cl.Asked = []catalog.AskedQuestion{}
	}
	return cl
}

func (s *Server) apiChecklist(w http.ResponseWriter, r *http.Request) {
	cl, err := s.Catalog.LoadChecklist(r.Context(), r.PathValue("number"))
	s.reply(w, r, http.StatusOK, checklistJSON(cl), err)
}

// catalogStats is the metrics of a region (or one department) with, for a
// region, the figures of each of its departments.
type catalogStats struct {
	catalog.Metrics
	ByOrg []catalog.Metrics `json:"by_org,omitempty"`
}

var errOrgNotFound = errs.E(errs.NotFound, "org_not_found", "机构不存在").OnField("org")

func (s *Server) apiCatalogStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	region := q.Get("region")
	var fe errs.Fields
	if region != "" && !validRegionCode(region) {
		fe.Add("region", "行政区划代码须为 6、9 或 12 位数字")
	}
	var org int64
	if v := q.Get("org"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fe.Add("org", "机构编号须为正整数")
		}
		org = n
	}
	if err := fe.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.Catalog.Metrics(r.Context(), region, org)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := catalogStats{Metrics: m}
	if org != 0 && out.Org == "" { // zeros for an organization that does not exist would mislead
		s.fail(w, r, errOrgNotFound)
		return
	}
	if org == 0 {
		out.ByOrg, err = s.Catalog.MetricsByOrg(r.Context(), region)
	}
	s.reply(w, r, http.StatusOK, out, err)
}

func validRegionCode(c string) bool {
	if len(c) != 6 && len(c) != 9 && len(c) != 12 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (s *Server) apiAdjustments(w http.ResponseWriter, r *http.Request) {
	bs, err := s.Catalog.Batches(r.Context(), catalogCallerOf(principal(r)))
	s.reply(w, r, http.StatusOK, listOf(bs), err)
}

// batchWithChanges is a batch and the change log it produced.
type batchWithChanges struct {
	catalog.Batch
	Changes []catalog.Change `json:"changes"`
}

func (s *Server) apiAdjustment(w http.ResponseWriter, r *http.Request) {
	b, ch, err := s.batchWithChanges(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, batchWithChanges{Batch: b, Changes: ch})
}

func (s *Server) batchWithChanges(r *http.Request) (catalog.Batch, []catalog.Change, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return catalog.Batch{}, nil, catalog.ErrBatchNotFound
	}
	b, err := s.Catalog.Batch(r.Context(), catalogCallerOf(principal(r)), id)
	if err != nil {
		return b, nil, err
	}
	ch, err := s.Catalog.BatchChanges(r.Context(), id)
	if err != nil {
		return b, nil, err
	}
	if ch == nil {
		ch = []catalog.Change{}
	}
	return b, ch, nil
}
