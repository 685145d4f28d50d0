package search

import "testing"

func TestNormalizeAndInitials(t *testing.T) {
	tests := []struct{ in, norm, initials string }{
		{"营业执照（副本）", "营业执照 副本", "yyzzfb"},
		{"ＹＹＺＺ", "yyzz", "yyzz"},
		{"10kV 高压用电", "10kv 高压用电", "10kvgyyd"},
	}
	for _, tt := range tests {
		n := Normalize(tt.in)
		if n != tt.norm {
			t.Errorf("Normalize(%q): got %q, want %q", tt.in, n, tt.norm)
		}
		if got := Initials(n); got != tt.initials {
			t.Errorf("Initials(%q): got %q, want %q", n, got, tt.initials)
		}
	}
}

func TestSearchMatchesPhrasesTyposPinyinAndFilters(t *testing.T) {
	var a, b, c Doc
	a.Key, a.Fields[Name], a.Tags = "a", []string{"企业设立登记"}, []string{"kind:license"}
	a.Fields[Alias] = []string{"营业执照"}
	b.Key, b.Fields[Name], b.Tags = "b", []string{"食品经营许可"}, []string{"kind:license"}
	b.Fields[Material] = []string{"营业执照"}
	c.Key, c.Fields[Name], c.Tags = "c", []string{"结婚登记"}, []string{"kind:confirmation"}
	ix := New([]Doc{a, b, c})
	first := func(q Query) string {
		r := ix.Search(q)
		if len(r.Hits) == 0 {
			return ""
		}
		return r.Hits[0].Key
	}
	if got := first(Query{Text: "营业执照"}); got != "a" {
		t.Errorf("alias beats material: got %q", got)
	}
	if got := first(Query{Text: "yyzz"}); got != "a" {
		t.Errorf("pinyin initials: got %q", got)
	}
	if got := first(Query{Text: "食品经营许"}); got != "b" {
		t.Errorf("partial: got %q", got)
	}
	if got := first(Query{Text: "登记", Tags: []string{"kind:confirmation"}}); got != "c" {
		t.Errorf("filter: got %q", got)
	}
	ix.SetSynonyms(map[string][]string{"领证": {"结婚"}})
	if got := first(Query{Text: "领证"}); got != "c" {
		t.Errorf("synonym: got %q", got)
	}
	ix.Remove("c")
	if r := ix.Search(Query{Text: "结婚"}); r.Total != 0 {
		t.Errorf("removed doc found: %+v", r)
	}
	c.Fields[Name] = []string{"离婚登记"}
	ix.Upsert(c)
	if got := first(Query{Text: "离婚"}); got != "c" || ix.Len() != 3 {
		t.Errorf("upsert: got %q, len %d", got, ix.Len())
	}
	if r := ix.Search(Query{}); r.Total != 3 {
		t.Errorf("browse all: got %d", r.Total)
	}
}
