package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

func (s *Server) registerCatalogAdminMore() {
	s.page("GET /admin/adjustments", s.adjustmentsPage)
	s.page("GET /admin/adjustments/new", s.adjustmentNew)
	s.page("POST /admin/adjustments", s.adjustmentCreate)
	s.page("GET /admin/adjustments/{id}", s.adjustmentView)
	s.page("POST /admin/adjustments/{id}/publish", s.adjustmentPublish)
	s.page("GET /admin/items/import", s.importPage)
	s.page("POST /admin/items/import", s.importSubmit)
	s.page("GET /admin/items/export", s.exportDownload)
	s.page("GET /admin/items/template", s.templateDownload)
	s.page("GET /admin/synonyms", s.synonymsPage)
	s.page("POST /admin/synonyms", s.synonymSave)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type importData struct {
	Errors []catalog.ImportError
	Report *catalog.ImportReport
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, catalogStaff...); !ok {
		return
	}
	s.render(w, r, http.StatusOK, "catalog_admin_import", s.newPage(w, r, "导入事项清单（Excel）", importData{}))
}

// ErrNoWorkbook is an import without a file.
var ErrNoWorkbook = errs.Field("file", "import_file", "请选择要导入的 Excel 工作簿（.xlsx）")

// importErrors returns the per-cell errors of a rejected workbook.
func importErrors(err error) ([]catalog.ImportError, bool) {
	e, ok := errs.As(err)
	if !ok || e.Code != catalog.ErrImport.Code {
		return nil, false
	}
	list, _ := e.Extra["errors"].([]catalog.ImportError)
	return list, true
}

func (s *Server) importSubmit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	pg := s.newPage(w, r, "导入事项清单（Excel）", importData{})
	f, _, err := r.FormFile("file")
	if err != nil {
		s.formError(w, r, "catalog_admin_import", pg, ErrNoWorkbook)
		return
	}
	defer f.Close()
	rep, err := s.Catalog.ImportExcel(r.Context(), catalogCaller(p), f, catalog.ImportOptions{Submit: r.PostFormValue("submit") == "1"})
	if list, ok := importErrors(err); ok {
		pg.Data = importData{Errors: list}
		if e, ok := errs.As(err); ok {
			pg.Error = e.Message
		}
		s.render(w, r, http.StatusUnprocessableEntity, "catalog_admin_import", pg)
		return
	}
	if err != nil {
		s.formError(w, r, "catalog_admin_import", pg, err)
		return
	}
	pg.Data = importData{Report: &rep}
	s.render(w, r, http.StatusOK, "catalog_admin_import", pg)
}

// exportRegion is the region to export: the asked one if inside the
// caller's region, else the caller's.
func exportRegion(p *auth.Principal, asked string) (string, error) {
	if asked == "" {
		return p.RegionCode, nil
	}
	if !p.InRegion(asked) {
		return "", auth.ErrOutOfScope
	}
	return asked, nil
}

func (s *Server) writeExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	region, err := exportRegion(p, strings.TrimSpace(r.URL.Query().Get("region")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Catalog.ExportExcel(r.Context(), region, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	sendXLSX(w, "items-"+region+".xlsx", &buf)
}

func sendXLSX(w http.ResponseWriter, name string, body io.Reader) {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.Copy(w, body)
}

func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	s.writeExport(w, r, p)
}

func (s *Server) writeTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := catalog.TemplateWorkbook(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	sendXLSX(w, "items-template.xlsx", &buf)
}

func (s *Server) templateDownload(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, catalogStaff...); !ok {
		return
	}
	s.writeTemplate(w, r)
}

type synonymsData struct {
	Synonyms []catalog.Synonym
	CanEdit  bool
}

func (s *Server) synonymsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	list, err := s.Catalog.Synonyms(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_admin_synonyms", s.newPage(w, r, "检索同义词", synonymsData{Synonyms: list, CanEdit: p.Has(auth.CatalogAdmin)}))
}

// splitTerms splits expansions written with commas, 、 or new lines.
func splitTerms(s string) []string {
	s = strings.NewReplacer("、", ",", "，", ",", "\n", ",", "\r", "").Replace(s)
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) synonymSave(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	syn := catalog.Synonym{Term: r.PostFormValue("term"), Expansions: splitTerms(r.PostFormValue("expansions"))}
	if err := s.Catalog.SetSynonym(r.Context(), catalogCaller(p), syn); err != nil {
		list, _ := s.Catalog.Synonyms(r.Context())
		s.formError(w, r, "catalog_admin_synonyms", s.newPage(w, r, "检索同义词", synonymsData{Synonyms: list, CanEdit: true}), err)
		return
	}
	msg := "已保存同义词“" + strings.TrimSpace(syn.Term) + "”"
	if len(syn.Expansions) == 0 {
		msg = "已删除同义词“" + strings.TrimSpace(syn.Term) + "”"
	}
	redirect(w, r, "/admin/synonyms", msg)
}
