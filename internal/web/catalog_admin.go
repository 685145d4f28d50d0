package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

// Catalog administration (事项管理): the item editor, review and publishing,
// versions and their diff, adjustment batches, Excel and synonyms. Who may
// do what is decided by catalog.Service (catalog_admin of the item's region
// edits; a supervisor of the region reads); the pages only require a staff
// role so that anonymous visitors are sent to log in.

// catalogStaff may open the admin pages; the service narrows further.
var catalogStaff = []auth.Role{auth.CatalogAdmin, auth.Supervisor}

func (s *Server) registerCatalogAdmin() {
	s.page("GET /admin/items", s.itemsAdminList)
	s.page("GET /admin/items/new", s.itemNew)
	s.page("POST /admin/items", s.itemCreate)
	s.page("GET /admin/items/{code}", s.itemEdit)
	s.page("POST /admin/items/{code}", s.itemUpdate)
	s.page("POST /admin/items/{code}/actions/{action}", s.itemAction)
	s.page("GET /admin/items/{code}/versions", s.itemVersions)
	s.registerCatalogAdminMore()
	s.registerCatalogAdminAPI()
	s.nav(30, "事项管理", "/admin/items", catalogStaff...)
	s.nav(31, "权力清单调整", "/admin/adjustments", catalogStaff...)
}

// catalogCaller is who calls the catalog service for p (nil: the public).
func catalogCaller(p *auth.Principal) catalog.Caller {
	if p == nil {
		return catalog.Caller{}
	}
	c := catalog.Caller{UserID: p.UserID, RegionCode: p.RegionCode, OrgID: p.OrgID}
	for _, r := range p.Roles {
		c.Roles = append(c.Roles, string(r))
	}
	return c
}

// itemFilter is the admin list's filter (status, org, kind, query).
type itemFilter struct {
	Status, Kind, Query string
	OrgID               int64
}

func itemFilterOf(q url.Values) itemFilter {
	org, _ := strconv.ParseInt(q.Get("org"), 10, 64)
	return itemFilter{Status: q.Get("status"), Kind: q.Get("kind"), Query: strings.TrimSpace(q.Get("q")), OrgID: org}
}

func (f itemFilter) keep(it catalog.ItemSummary) bool {
	return (f.Status == "" || string(it.Status) == f.Status) && (f.Kind == "" || string(it.Kind) == f.Kind) &&
		(f.OrgID == 0 || it.OrgID == f.OrgID) &&
		(f.Query == "" || strings.Contains(it.Name, f.Query) || strings.Contains(it.Code, f.Query))
}

func (s *Server) adminItems(r *http.Request, p *auth.Principal, f itemFilter) ([]catalog.ItemSummary, error) {
	all, err := s.Catalog.AdminList(r.Context(), catalogCaller(p))
	if err != nil {
		return nil, err
	}
	out := []catalog.ItemSummary{}
	for _, it := range all {
		if f.keep(it) {
			out = append(out, it)
		}
	}
	return out, nil
}

type itemsAdminData struct {
	Items   []catalog.ItemSummary
	Opts    catalog.FormOptions
	Orgs    []places.Org
	CanEdit bool
}

func (s *Server) orgsFor(r *http.Request, p *auth.Principal) []places.Org {
	os, err := s.Places.ListOrgs(r.Context(), p, places.OrgFilter{Region: p.RegionCode})
	if err != nil {
		s.Log.Warn("list orgs", "err", err)
	}
	return os
}

func (s *Server) itemsAdminList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	items, err := s.adminItems(r, p, itemFilterOf(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "事项管理", itemsAdminData{Items: items, Opts: catalog.Options(), Orgs: s.orgsFor(r, p), CanEdit: p.Has(auth.CatalogAdmin)})
	pg.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "catalog_admin_list", pg)
}

// itemEditor is the data of the editor page.
type itemEditor struct {
	New     bool
	Code    string
	Item    *catalog.Item // the version being edited (nil when new)
	Opts    catalog.FormOptions
	Orgs    []places.Org
	Rows    map[string]int
	Answers []int // answer rows per situation row
	CanEdit bool
	// Choices as options: organizations by id, and the string lists.
	OrgOpts, Domains, LifeEvents, Lifecycle []catalog.Option
	Trips, Depths                           []catalog.Option
	FileKinds                               []string
}

var tripOpts = []catalog.Option{{Code: "0", Label: "0 次（零跑动）"}, {Code: "1", Label: "1 次"}, {Code: "2", Label: "2 次"}}

// depthOpts are the online depths of the glossary.
var depthOpts = []catalog.Option{{Code: "1", Label: "1 级：信息公开"}, {Code: "2", Label: "2 级：在线预审"},
	{Code: "3", Label: "3 级：网上受理"}, {Code: "4", Label: "4 级：全程网办"}}

func strOpts(list []string) []catalog.Option {
	out := make([]catalog.Option, len(list))
	for i, x := range list {
		out[i] = catalog.Option{Code: x, Label: x}
	}
	return out
}

func orgOpts(orgs []places.Org) []catalog.Option {
	out := make([]catalog.Option, len(orgs))
	for i, o := range orgs {
		out[i] = catalog.Option{Code: strconv.FormatInt(o.ID, 10), Label: o.Name}
	}
	return out
}

// editorRows counts the rows of each repeated group in the form, adding the
// blank rows of a fresh form and the one row an "add row" button asked for.
func editorRows(v url.Values, blanks bool, add string) (map[string]int, []int) {
	rows := map[string]int{}
	for g, b := range editorGroups {
		n := rowCount(v, g)
		if blanks {
			n += b
		}
		if g == add {
			n++
		}
		rows[g] = max(n, 1)
	}
	answers := make([]int, rows["situations"])
	for i := range answers {
		g := "situations[" + strconv.Itoa(i) + "].answers"
		n := rowCount(v, g)
		if blanks {
			n += answerBlanks
		}
		if g == add {
			n++
		}
		answers[i] = max(n, 2)
	}
	return rows, answers
}

func (s *Server) newEditor(r *http.Request, p *auth.Principal, code string, it *catalog.Item, v url.Values, blanks bool, add string) *itemEditor {
	ed := &itemEditor{New: code == "", Code: code, Item: it, Opts: catalog.Options(), Orgs: s.orgsFor(r, p), CanEdit: p.Has(auth.CatalogAdmin)}
	ed.Rows, ed.Answers = editorRows(v, blanks, add)
	ed.OrgOpts, ed.Domains = orgOpts(ed.Orgs), strOpts(ed.Opts.Domains)
	ed.LifeEvents, ed.Lifecycle = strOpts(ed.Opts.LifeEvents), strOpts(ed.Opts.LifecycleStages)
	ed.Trips, ed.Depths, ed.FileKinds = tripOpts, depthOpts, []string{"template", "sample"}
	return ed
}

func editorTitle(code string, it *catalog.Item) string {
	if code == "" {
		return "新建事项"
	}
	if it != nil {
		return "编辑事项：" + it.Name
	}
	return "编辑事项 " + code
}

func (s *Server) itemNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	v := itemForm(&catalog.Item{RegionCode: p.RegionCode, OrgID: p.OrgID, Level: "county", Scope: "local", OnlineDepth: 3, Trips: 1,
		CaseType: catalog.Promised, Process: catalog.ProcessTemplate{Kind: catalog.TemplatePromised},
		LegalLimit: catalog.Limit{Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Unit: catalog.WorkingDay}})
	pg := s.newPage(w, r, "新建事项", s.newEditor(r, p, "", nil, v, true, ""))
	pg.Form = v
	s.render(w, r, http.StatusOK, "catalog_admin_form", pg)
}

func (s *Server) itemEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	code := r.PathValue("code")
	it, err := s.Catalog.Working(r.Context(), catalogCaller(p), code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := itemForm(it)
	v.Del("change_note")
	if it.State != catalog.StatePublished {
		v.Set("change_note", it.ChangeNote)
	}
	pg := s.newPage(w, r, editorTitle(code, it), s.newEditor(r, p, code, it, v, true, ""))
	pg.Form = v
	s.render(w, r, http.StatusOK, "catalog_admin_form", pg)
}

func (s *Server) itemCreate(w http.ResponseWriter, r *http.Request) { s.itemSave(w, r, "") }

func (s *Server) itemUpdate(w http.ResponseWriter, r *http.Request) {
	s.itemSave(w, r, r.PathValue("code"))
}

// itemSave creates (code "") or updates an item from the editor, or
// re-renders it with one more row when an "add row" button was pressed.
func (s *Server) itemSave(w http.ResponseWriter, r *http.Request, code string) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	c := catalogCaller(p)
	var current *catalog.Item
	if code != "" {
		it, err := s.Catalog.Working(r.Context(), c, code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		current = it
	}
	if err := s.storeUploads(r); err != nil {
		s.editorError(w, r, p, code, current, r.PostForm, nil, err)
		return
	}
	v := r.PostForm
	if add := v.Get("add"); add != "" {
		pg := s.newPage(w, r, editorTitle(code, current), s.newEditor(r, p, code, current, v, false, add))
		pg.Form = v
		s.render(w, r, http.StatusOK, "catalog_admin_form", pg)
		return
	}
	in, err := parseItemForm(v)
	if err != nil {
		s.editorError(w, r, p, code, current, v, nil, err)
		return
	}
	var saved *catalog.Item
	if code == "" {
		saved, err = s.Catalog.Create(r.Context(), c, in)
	} else {
		saved, err = s.Catalog.Update(r.Context(), c, code, in)
	}
	if err != nil {
		// Re-render from the parsed item: its indexes are the ones the
		// service's field paths use (blank rows were dropped).
		s.editorError(w, r, p, code, current, itemForm(&in), &in, err)
		return
	}
	redirect(w, r, "/admin/items/"+url.PathEscape(saved.Code), "已保存为第 "+strconv.Itoa(saved.Version)+" 版草稿")
}

// editorError re-renders the editor with the errors next to their fields.
func (s *Server) editorError(w http.ResponseWriter, r *http.Request, p *auth.Principal, code string, current *catalog.Item, v url.Values, parsed *catalog.Item, err error) {
	e, ok := errs.As(err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, editorTitle(code, current), s.newEditor(r, p, code, current, v, parsed != nil, ""))
	pg.Form = v
	pg.Errors = editorErrors(parsed, e.Fields)
	pg.Error = e.Message
	if len(e.Fields) > 0 {
		pg.Error = "保存失败，请按提示修改标红的内容（共 " + strconv.Itoa(len(e.Fields)) + " 处）"
	}
	s.render(w, r, e.Kind.Status(), "catalog_admin_form", pg)
}

// itemAction runs submit, reject, publish, suspend, resume or abolish.
func (s *Server) itemAction(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, catalogStaff...)
	if !ok {
		return
	}
	code, action := r.PathValue("code"), r.PathValue("action")
	msg, err := s.runItemAction(r, catalogCaller(p), code, action, strings.TrimSpace(r.PostFormValue("reason")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/items/"+url.PathEscape(code), msg)
}

// ErrUnknownItemAction is an action that is not one of the item lifecycle's.
var ErrUnknownItemAction = errs.E(errs.NotFound, "item_action_unknown", "没有这个事项操作（可用：submit、reject、publish、suspend、resume、abolish）")

func (s *Server) runItemAction(r *http.Request, c catalog.Caller, code, action, reason string) (string, error) {
	ctx := r.Context()
	switch action {
	case "submit":
		return "已提交审核", s.Catalog.Submit(ctx, c, code)
	case "reject":
		if reason == "" {
			return "", errs.Field("reason", "reason_required", "退回须写明理由")
		}
		return "已退回修改", s.Catalog.Reject(ctx, c, code, reason)
	case "publish":
		_, err := s.Catalog.Publish(ctx, c, code)
		return "已发布", err
	case "suspend", "resume", "abolish":
		if reason == "" {
			return "", errs.Field("reason", "reason_required", "须写明理由")
		}
		fn := map[string]func() error{
			"suspend": func() error { return s.Catalog.Suspend(ctx, c, code, reason) },
			"resume":  func() error { return s.Catalog.Resume(ctx, c, code, reason) },
			"abolish": func() error { return s.Catalog.Abolish(ctx, c, code, reason) },
		}[action]
		return map[string]string{"suspend": "已暂停受理", "resume": "已恢复受理", "abolish": "事项已取消"}[action], fn()
	}
	return "", ErrUnknownItemAction
}
