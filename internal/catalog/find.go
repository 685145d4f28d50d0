package catalog

import (
	"context"
	"sort"
	"strconv"

	"banhao.dev/banhao/internal/catalog/search"
	"banhao.dev/banhao/internal/platform/ids"
)

// SearchQuery is a search (Q set) or a browse (Q empty) of published items.
type SearchQuery struct {
	Q          string `json:"q"`
	OrgID      int64  `json:"org,omitempty"`
	Kind       Kind   `json:"kind,omitempty"`
	Event      string `json:"event,omitempty"` // a life event or an enterprise life-cycle stage
	Theme      string `json:"theme,omitempty"`
	Department string `json:"department,omitempty"`
	Domain     string `json:"domain,omitempty"`
	RegionCode string `json:"region,omitempty"` // items of exactly this region
	Level      Level  `json:"level,omitempty"`
	Object     string `json:"object,omitempty"` // person | enterprise
	Page       int    `json:"page,omitempty"`   // 1-based
	PageSize   int    `json:"page_size,omitempty"`
}

// SearchHit is one item in a result list.
type SearchHit struct {
	Code          string   `json:"code"`
	Version       int      `json:"version"`
	Name          string   `json:"name"`
	ShortName     string   `json:"short_name,omitempty"`
	Kind          Kind     `json:"kind"`
	KindLabel     string   `json:"kind_label"`
	OrgID         int64    `json:"org_id"`
	Org           string   `json:"org"`
	LegalLimit    Limit    `json:"legal_limit"`
	PromisedLimit Limit    `json:"promised_limit"`
	CaseType      CaseType `json:"case_type"`
	Trips         int      `json:"trips"`
	OnlineDepth   int      `json:"online_depth"`
	Score         float64  `json:"score,omitempty"`
	// Match says why the hit is there when its name does not contain the
	// query (alias, keyword, synonym, pinyin initials).
	Match *search.Match `json:"match,omitempty"`
}

// SearchResult is one page of hits: {"items": […], "total": N}.
type SearchResult struct {
	Items []SearchHit `json:"items"`
	Total int         `json:"total"`
}

func (q SearchQuery) tags() []string {
	var t []string
	add := func(k, v string) {
		if v != "" {
			t = append(t, k+":"+v)
		}
	}
	if q.OrgID != 0 {
		add("org", strconv.FormatInt(q.OrgID, 10))
	}
	add("kind", string(q.Kind))
	add("event", q.Event)
	add("theme", q.Theme)
	add("dept", q.Department)
	add("domain", q.Domain)
	add("region", q.RegionCode)
	add("level", string(q.Level))
	add("object", q.Object)
	return t
}

// Search finds published items; hits carry the list fields of the API.
func (s *Service) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	size := q.PageSize
	if size <= 0 || size > 100 {
		size = 20
	}
	page := max(q.Page, 1)
	if err := s.ensure(ctx); err != nil {
		return SearchResult{}, err
	}
	res := s.index.Search(search.Query{Text: q.Q, Tags: q.tags(), Offset: (page - 1) * size, Limit: size})
	out := SearchResult{Total: res.Total, Items: make([]SearchHit, 0, len(res.Hits))}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, h := range res.Hits {
		it, ok := s.items[h.Key]
		if !ok {
			continue
		}
		hit := hitOf(it, h.Score)
		hit.Match = h.Match
		out.Items = append(out.Items, hit)
	}
	return out, nil
}

func hitOf(it *Summary, score float64) SearchHit {
	return SearchHit{Code: it.Code, Version: it.Version, Name: it.Name, ShortName: it.ShortName, Kind: it.Kind,
		KindLabel: it.Kind.Label(), OrgID: it.OrgID, Org: it.Org, LegalLimit: it.LegalLimit, PromisedLimit: it.PromisedLimit,
		CaseType: it.CaseType, Trips: it.Trips, OnlineDepth: it.OnlineDepth, Score: score}
}

// Facets are the browse categories with the number of published items in each.
type Facets struct {
	LifeEvents  []FacetCount `json:"life_events"`
	Lifecycle   []FacetCount `json:"lifecycle"`
	Departments []FacetCount `json:"departments"`
	Themes      []FacetCount `json:"themes"`
	Kinds       []FacetCount `json:"kinds"`
	Orgs        []FacetCount `json:"orgs"`
	Domains     []FacetCount `json:"domains"`
}

// FacetCount is one category.
type FacetCount struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Facets returns every browse category; fixed lists (life events, stages,
// kinds, domains) keep their order and show empty categories too.
func (s *Service) Facets(ctx context.Context) (Facets, error) {
	if err := s.ensure(ctx); err != nil {
		return Facets{}, err
	}
	ev := s.index.Tags("event:")
	fixed := func(list []string, counts map[string]int) []FacetCount {
		out := make([]FacetCount, 0, len(list))
		for _, v := range list {
			out = append(out, FacetCount{Value: v, Label: v, Count: counts[v]})
		}
		return out
	}
	free := func(counts map[string]int, label func(string) string) []FacetCount {
		out := make([]FacetCount, 0, len(counts))
		for v, n := range counts {
			out = append(out, FacetCount{Value: v, Label: label(v), Count: n})
		}
		sortFacets(out)
		return out
	}
	id := func(v string) string { return v }
	kinds := s.index.Tags("kind:")
	f := Facets{
		LifeEvents:  fixed(LifeEvents, ev),
		Lifecycle:   fixed(LifecycleStages, ev),
		Departments: free(s.index.Tags("dept:"), id),
		Themes:      free(s.index.Tags("theme:"), id),
		Domains:     fixed(Domains, s.index.Tags("domain:")),
	}
	for _, k := range Kinds() {
		f.Kinds = append(f.Kinds, FacetCount{Value: string(k), Label: k.Label(), Count: kinds[string(k)]})
	}
	f.Orgs = free(s.index.Tags("org:"), func(v string) string {
		n, _ := strconv.ParseInt(v, 10, 64)
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.orgs[n].Name
	})
	return f, nil
}

// Summaries returns the in-memory summaries of the published items a
// region's catalog holds (the region and its sub-regions; "" for all), by code.
func (s *Service) Summaries(ctx context.Context, region string) ([]Summary, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	var out []Summary
	s.eachSummary(region, func(it *Summary) { out = append(out, *it) })
	return out, nil
}

// eachSummary calls fn with the summaries of a region's catalog in code
// order, under the read lock; callers have called ensure.
func (s *Service) eachSummary(region string, fn func(*Summary)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, it := range s.list {
		if region == "" || ids.InRegion(it.RegionCode, region) {
			fn(it)
		}
	}
}

// ItemsOf returns the whole current versions of the published items a
// region's catalog holds (the region and its sub-regions; "" for all), by
// code, read from the database (export; lists and figures use Summaries).
func (s *Service) ItemsOf(ctx context.Context, region string) ([]*Item, error) {
	all, err := currentItems(ctx, s.db.R, StatusPublished)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, it := range all {
		if region == "" || ids.InRegion(it.RegionCode, region) {
			out = append(out, it)
		}
	}
	return out, nil
}

// FileName is the declared name of a template or sample that a material of
// a published item offers under hash, or "" when none does.
func (s *Service) FileName(ctx context.Context, hash string) (string, error) {
	if err := s.ensure(ctx); err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r, ok := s.files[hash]; ok {
		return r.name, nil
	}
	return "", nil
}

// Orgs returns the organizations known to the catalog.
func (s *Service) Orgs(ctx context.Context) []Org {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Org, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, o)
	}
	return out
}

func sortFacets(f []FacetCount) {
	sort.Slice(f, func(i, j int) bool {
		if f[i].Count != f[j].Count {
			return f[i].Count > f[j].Count
		}
		return f[i].Label < f[j].Label
	})
}
