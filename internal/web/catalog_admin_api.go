package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// The admin catalog API (openapi/catalog_admin.json). The public item API
// (search, guide, versions list, change log, adjustments list) lives in
// catalog_api.go.

func (s *Server) registerCatalogAdminAPI() {
	s.api("POST /api/v1/items", s.apiItemCreate)
	s.api("PUT /api/v1/items/{code}", s.apiItemUpdate)
	s.api("POST /api/v1/items/{code}/actions/{action}", s.apiItemAction)
	s.api("GET /api/v1/admin/items", s.apiAdminItems)
	s.api("GET /api/v1/items/{code}/versions/{version}", s.apiItemVersion)
	s.api("GET /api/v1/items/{code}/diff", s.apiItemDiff)
	s.api("POST /api/v1/adjustments", s.apiAdjustmentCreate)
	s.api("POST /api/v1/adjustments/{id}/publish", s.apiAdjustmentPublish)
	s.api("POST /api/v1/admin/items/import", s.apiItemsImport)
	s.api("GET /api/v1/admin/items/export", s.apiItemsExport)
	s.api("GET /api/v1/admin/items/template", s.apiItemsTemplate)
	s.api("GET /api/v1/admin/synonyms", s.apiSynonyms)
	s.api("PUT /api/v1/admin/synonyms", s.apiSynonymPut)
}

// staffCaller authenticates an admin API call: anonymous → 401, a role
// outside the catalog's → 403; the service then checks the region.
func (s *Server) staffCaller(w http.ResponseWriter, r *http.Request) (*auth.Principal, bool) {
	p := principal(r)
	if err := auth.Require(p, catalogStaff...); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return p, true
}

func (s *Server) apiItemCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	var in catalog.Item
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Create(r.Context(), catalogCaller(p), in)
	s.reply(w, r, http.StatusCreated, it, err)
}

func (s *Server) apiItemUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	var in catalog.Item
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Update(r.Context(), catalogCaller(p), r.PathValue("code"), in)
	s.reply(w, r, http.StatusOK, it, err)
}

type actionRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiItemAction(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	var req actionRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	c, code := catalogCaller(p), r.PathValue("code")
	if _, err := s.runItemAction(r, c, code, r.PathValue("action"), req.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	it, err := s.Catalog.Working(r.Context(), c, code)
	s.reply(w, r, http.StatusOK, it, err)
}

func (s *Server) apiAdminItems(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	items, err := s.adminItems(r, p, itemFilterOf(r.URL.Query()))
	s.reply(w, r, http.StatusOK, listOf(items), err)
}

// ErrBadVersion is a version that is not a positive number.
var ErrBadVersion = errs.Field("version", "bad_version", "版本号应为正整数")

func (s *Server) apiItemVersion(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v <= 0 {
		s.fail(w, r, ErrBadVersion)
		return
	}
	it, err := s.Catalog.Version(r.Context(), catalogCaller(principal(r)), r.PathValue("code"), v)
	s.reply(w, r, http.StatusOK, it, err)
}

func (s *Server) apiItemDiff(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, _ := strconv.Atoi(q.Get("from"))
	to, _ := strconv.Atoi(q.Get("to"))
	d, err := s.itemDiff(r, catalogCaller(principal(r)), r.PathValue("code"), from, to)
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) apiAdjustmentCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	var b catalog.Batch
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if b.RegionCode == "" {
		b.RegionCode = p.RegionCode
	}
	b, err := s.Catalog.CreateBatch(r.Context(), catalogCaller(p), b)
	s.reply(w, r, http.StatusCreated, b, err)
}

func (s *Server) apiAdjustmentPublish(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c := catalogCaller(p)
	if err := s.Catalog.PublishBatch(r.Context(), c, id); err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.Catalog.Batch(r.Context(), c, id)
	s.reply(w, r, http.StatusOK, b, err)
}

// apiItemsImport takes the workbook as the request body (or as the "file"
// part of a multipart form); ?submit=true sends every item for review.
func (s *Server) apiItemsImport(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, 50<<20)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			s.fail(w, r, ErrNoWorkbook)
			return
		}
		defer f.Close()
		body = f
	}
	submit := r.URL.Query().Get("submit")
	rep, err := s.Catalog.ImportExcel(r.Context(), catalogCaller(p), body, catalog.ImportOptions{Submit: submit == "true" || submit == "1"})
	s.reply(w, r, http.StatusOK, rep, err)
}

func (s *Server) apiItemsExport(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	s.writeExport(w, r, p)
}

func (s *Server) apiItemsTemplate(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.staffCaller(w, r); !ok {
		return
	}
	s.writeTemplate(w, r)
}

func (s *Server) apiSynonyms(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.staffCaller(w, r); !ok {
		return
	}
	list, err := s.Catalog.Synonyms(r.Context())
	s.reply(w, r, http.StatusOK, listOf(list), err)
}

// apiSynonymPut creates or replaces one synonym (empty expansions delete
// it) and returns the whole table.
func (s *Server) apiSynonymPut(w http.ResponseWriter, r *http.Request) {
	p, ok := s.staffCaller(w, r)
	if !ok {
		return
	}
	var syn catalog.Synonym
	if err := decode(r, &syn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Catalog.SetSynonym(r.Context(), catalogCaller(p), syn); err != nil {
		s.fail(w, r, err)
		return
	}
	s.apiSynonyms(w, r)
}
