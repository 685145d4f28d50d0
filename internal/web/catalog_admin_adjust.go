package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Adjustment batches (权力清单动态调整) as pages: list, prepare, publish.
// An entry's new item content is given as JSON, or copied from an item's
// working version (prepared in the editor) with a new code and org.

type adjustmentsData struct {
	Batches []catalog.Batch
	Batch   catalog.Batch
	Changes []changeRow
	Opts    catalog.FormOptions
	Rows    int
	CanEdit bool
}

func (s *Server) adjustmentsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	bs, err := s.Catalog.Batches(r.Context(), catalogCaller(p))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_admin_adjustments", s.newPage(w, r, "权力清单调整", adjustmentsData{Batches: bs, Opts: catalog.Options(), CanEdit: p.Has(auth.CatalogAdmin)}))
}

func (s *Server) adjustmentNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	pg := s.newPage(w, r, "编制调整批次", adjustmentsData{Opts: catalog.Options(), Rows: 3, CanEdit: true})
	pg.Form = url.Values{"region_code": {p.RegionCode}}
	s.render(w, r, http.StatusOK, "catalog_admin_adjustment_form", pg)
}

func (s *Server) adjustmentCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	c := catalogCaller(p)
	v := r.PostForm
	rows := max(rowCount(v, "entries"), 1)
	pg := s.newPage(w, r, "编制调整批次", adjustmentsData{Opts: catalog.Options(), Rows: rows, CanEdit: true})
	if v.Get("add") == "entries" {
		pg.Data = adjustmentsData{Opts: catalog.Options(), Rows: rows + 1, CanEdit: true}
		pg.Form = v
		s.render(w, r, http.StatusOK, "catalog_admin_adjustment_form", pg)
		return
	}
	b, rowOf, err := s.parseBatchForm(r, c, v)
	if err == nil {
		b, err = s.Catalog.CreateBatch(r.Context(), c, b)
	}
	if err != nil {
		e, ok := errs.As(err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		pg.Form, pg.Error, pg.Errors = v, e.Message, batchErrors(e.Fields, rowOf)
		s.render(w, r, e.Kind.Status(), "catalog_admin_adjustment_form", pg)
		return
	}
	redirect(w, r, "/admin/adjustments/"+strconv.FormatInt(b.ID, 10), "调整批次已保存为草稿，发布后于生效日期自动执行")
}

// parseBatchForm reads a batch; rowOf maps entry indexes to form rows.
func (s *Server) parseBatchForm(r *http.Request, c catalog.Caller, v url.Values) (catalog.Batch, []int, error) {
	f := &formReader{v: v}
	b := catalog.Batch{RegionCode: f.str("region_code"), Title: f.str("title"), DocNo: f.str("doc_no"), EffectiveDate: f.str("effective_date")}
	var rowOf []int
	for i := 0; i < rowCount(v, "entries"); i++ {
		p := fmt.Sprintf("entries[%d].", i)
		if f.blank(p, "code", "sources", "from", "item_json", "note") {
			continue
		}
		e := catalog.Entry{Kind: catalog.AdjustmentKind(f.str(p + "kind")), Code: f.str(p + "code"), Sources: f.ids(p + "sources"), Note: f.str(p + "note")}
		it, err := s.entryItem(r, c, f, p, e)
		if err != nil {
			return b, rowOf, err
		}
		e.Item = it
		b.Entries = append(b.Entries, e)
		rowOf = append(rowOf, i)
	}
	return b, rowOf, f.fe.Err()
}

// entryItem is the new content of an entry: JSON, a copy of an item's
// working version, or (for a change) the changed item's working version.
func (s *Server) entryItem(r *http.Request, c catalog.Caller, f *formReader, p string, e catalog.Entry) (*catalog.Item, error) {
	if e.Kind == catalog.AdjCancel {
		return nil, nil
	}
	if raw := f.str(p + "item_json"); raw != "" {
		var it catalog.Item
		if err := json.Unmarshal([]byte(raw), &it); err != nil {
			f.fe.Add(p+"item_json", "事项内容不是有效的 JSON")
			return nil, nil
		}
		return &it, nil
	}
	from := f.str(p + "from")
	if from == "" && e.Kind == catalog.AdjChange {
		from = e.Code
	}
	if from == "" {
		return nil, nil
	}
	src, err := s.Catalog.Working(r.Context(), c, from)
	if err != nil {
		if ee, ok := errs.As(err); ok && ee.Kind == errs.NotFound {
			f.fe.Addf(p+"from", "事项 %s 不存在", from)
			return nil, nil
		}
		return nil, err
	}
	it := *src
	it.Version, it.State, it.Status, it.PublishedAt = 0, "", "", nil
	if nc := f.str(p + "new_code"); nc != "" {
		it.Code = nc
		if parts := strings.Split(nc, "-"); len(parts) == 3 {
			it.RegionCode = parts[1]
		}
	}
	if org := f.id64(p + "new_org_id"); org != 0 {
		it.OrgID = org
	}
	return &it, nil
}

// batchErrors moves "entries[k]…" paths to the form row of entry k; errors
// inside an entry's item content are shown at the entry.
func batchErrors(fields []errs.FieldError, rowOf []int) map[string]string {
	out := map[string]string{}
	for _, fe := range fields {
		k := fe.Field
		if m := indexRe.FindStringSubmatch(k); m != nil && m[1] == "entries" {
			idx, _ := strconv.Atoi(m[2])
			if idx < len(rowOf) {
				idx = rowOf[idx]
			}
			rest := k[len(m[0]):]
			if strings.HasPrefix(rest, ".item.") || rest == ".item" {
				fe.Message = strings.TrimPrefix(rest, ".") + "：" + fe.Message
				rest = ".item"
			}
			if i := strings.Index(rest, ".sources["); i == 0 {
				rest = ".sources"
			}
			k = fmt.Sprintf("entries[%d]%s", idx, rest)
		}
		if old, ok := out[k]; ok {
			out[k] = old + "；" + fe.Message
		} else {
			out[k] = fe.Message
		}
	}
	return out
}

func (s *Server) adjustmentView(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	b, err := s.Catalog.Batch(r.Context(), catalogCaller(p), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chs, err := s.Catalog.BatchChanges(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_admin_adjustment", s.newPage(w, r, "调整批次："+b.Title,
		adjustmentsData{Batch: b, Changes: changeRows(chs), Opts: catalog.Options(), CanEdit: p.Has(auth.CatalogAdmin)}))
}

func (s *Server) adjustmentPublish(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.Catalog.PublishBatch(r.Context(), catalogCaller(p), id); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/adjustments/"+strconv.FormatInt(id, 10), "调整批次已发布，将于生效日期执行")
}
