package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
)

// The public catalog: portal search and browse, guides, the situational
// checklist (一次性告知单), catalog metrics and adjustments. The admin side
// lives in catalog_admin*.go.

func (s *Server) registerCatalog() {
	s.page("GET /search", s.searchPage)
	s.page("GET /browse", s.browsePage)
	s.page("GET /items/{code}", s.guidePage)
	s.page("GET /items/{code}/changes", s.itemChangesPage)
	s.page("GET /items/{code}/checklist", s.checklistFormPage)
	s.page("POST /items/{code}/checklist", s.checklistSave)
	s.page("GET /checklists", s.checklistLookup)
	s.page("GET /checklists/{number}", s.checklistPage)
	s.page("GET /checklists/{number}/qr.png", s.checklistQR)
	s.page("GET /catalog/metrics", s.catalogMetricsPage)
	s.page("GET /adjustments", s.publicAdjustmentsPage)
	s.page("GET /adjustments/{id}", s.adjustmentPage)
	s.page("GET /files/{hash}", s.fileDownload)
	s.registerCatalogPublicAPI()
	for _, roles := range [][]auth.Role{nil, {auth.Applicant}} {
		s.nav(5, "办事指南", "/browse", roles...)
		s.nav(20, "事项统计", "/catalog/metrics", roles...)
	}
}

// popularSearches are shown under the portal search box and when nothing is found.
var popularSearches = []string{"开饭店", "办营业执照", "房子过户", "生孩子", "残疾证", "开诊所", "退休", "歇业"}

// homeData is what the portal home shows: the browse entry points.
type homeData struct {
	Popular []string
	Facets  catalog.Facets
}

func (s *Server) homeData(r *http.Request) homeData {
	return homeData{Popular: popularSearches, Facets: s.facets(r)}
}

// facets are the browse categories of the portal's pages; when the
// catalog cannot be loaded the page shows none (the search itself reports
// the error).
func (s *Server) facets(r *http.Request) catalog.Facets {
	f, err := s.Catalog.Facets(r.Context())
	if err != nil {
		s.Log.Warn("catalog facets", "err", err)
	}
	return f
}

// hitView is one search result with its highlighted name.
type hitView struct {
	catalog.SearchHit
	NameHTML  template.HTML
	Promised  string
	TripsText string
	MatchText string // "开饭店 → 食品经营（同义词）" when not matched by name
}

// matchKinds name how a hit matched, for matchText.
var matchKinds = map[string]string{"alias": "别名", "keyword": "关键词", "synonym": "同义词", "pinyin": "拼音首字母"}

func matchText(h catalog.SearchHit) string {
	if h.Match == nil {
		return ""
	}
	m := h.Match
	if m.Query == m.Term {
		return "“" + m.Term + "”（" + matchKinds[m.Kind] + "）"
	}
	return m.Query + " → " + m.Term + "（" + matchKinds[m.Kind] + "）"
}

// pageLink is one link of the pagination.
type pageLink struct {
	N       int
	Href    string
	Current bool
}

type searchData struct {
	Query       catalog.SearchQuery
	Hits        []hitView
	Total       int
	Pages       []pageLink
	Prev, Next  string
	Facets      catalog.Facets
	Suggestions []string // shown when nothing is found
	Popular     []string
	Filtered    bool
}

const searchPageSize = 10

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	s.renderResults(w, r, "catalog_search", "搜索结果")
}

// renderResults runs the search or browse of r and renders page name.
func (s *Server) renderResults(w http.ResponseWriter, r *http.Request, name, title string) {
	q := r.URL.Query()
	sq, err := searchQueryOf(q)
	data := searchData{Popular: popularSearches, Facets: s.facets(r)}
	if err != nil {
		pg := s.newPage(w, r, title, data)
		pg.Form = q
		s.formError(w, r, name, pg, err)
		return
	}
	sq.PageSize = searchPageSize
	data.Query = sq
	data.Filtered = sq.Kind != "" || sq.OrgID != 0 || sq.Theme != "" || sq.Event != "" || sq.Domain != "" || sq.Department != ""
	res, err := s.Catalog.Search(r.Context(), sq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Total = res.Total
	for _, h := range res.Items {
		data.Hits = append(data.Hits, hitView{SearchHit: h, NameHTML: highlight(h.Name, sq.Q),
			Promised: limitText(h.PromisedLimit), TripsText: tripsLabel(h.Trips), MatchText: matchText(h)})
	}
	data.Pages, data.Prev, data.Next = pagination(r.URL.Path, q, max(sq.Page, 1), res.Total, searchPageSize)
	if res.Total == 0 && sq.Q != "" {
		data.Suggestions = s.suggestions(r, sq.Q)
	}
	if sq.Q != "" {
		title = "“" + sq.Q + "”的搜索结果"
	}
	pg := s.newPage(w, r, title, data)
	pg.Form = q
	s.render(w, r, http.StatusOK, name, pg)
}

// pagination builds page links that keep every other parameter.
func pagination(path string, q url.Values, page, total, size int) (links []pageLink, prev, next string) {
	pages := (total + size - 1) / size
	if pages <= 1 {
		return nil, "", ""
	}
	href := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	for n := 1; n <= pages; n++ {
		links = append(links, pageLink{N: n, Href: href(n), Current: n == page})
	}
	if page > 1 {
		prev = href(page - 1)
	}
	if page < pages {
		next = href(page + 1)
	}
	return links, prev, next
}

// suggestions offers other words to search for when nothing is found: the
// synonym terms and expansions that share a character with the query, then
// the popular searches.
func (s *Server) suggestions(r *http.Request, query string) []string {
	seen := map[string]bool{query: true}
	var out []string
	add := func(t string) {
		if !seen[t] && len(out) < 8 {
			seen[t] = true
			out = append(out, t)
		}
	}
	syns, _ := s.Catalog.Synonyms(r.Context())
	for _, syn := range syns {
		words := append([]string{syn.Term}, syn.Expansions...)
		for _, wd := range words {
			if strings.ContainsAny(wd, query) {
				for _, x := range words {
					add(x)
				}
				break
			}
		}
	}
	for _, p := range popularSearches {
		add(p)
	}
	return out
}

// browsePage shows the browse categories and, once one is chosen, its items.
func (s *Server) browsePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	heading := ""
	switch {
	case q.Get("event") != "":
		heading = q.Get("event")
	case q.Get("theme") != "":
		heading = "主题：" + q.Get("theme")
	case q.Get("kind") != "":
		heading = catalog.Kind(q.Get("kind")).Label()
	case q.Get("domain") != "":
		heading = "领域：" + q.Get("domain")
	case q.Get("org") != "":
		for _, o := range s.facets(r).Orgs {
			if o.Value == q.Get("org") {
				heading = o.Label
			}
		}
	}
	title := "办事指南"
	if heading != "" {
		title = heading + " - 办事指南"
	}
	s.renderResults(w, r, "catalog_browse", title)
}
