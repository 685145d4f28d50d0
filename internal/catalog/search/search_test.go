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

func TestHitsSayWhenTheyMatchedThroughAnAliasSynonymOrPinyin(t *testing.T) {
	var a, b, c Doc
	a.Key, a.Fields[Name], a.Fields[Alias] = "a", []string{"企业设立登记"}, []string{"营业执照"}
	b.Key, b.Fields[Name], b.Fields[Alias] = "b", []string{"食品经营许可"}, []string{"开餐馆"}
	c.Key, c.Fields[Name], c.Fields[Keyword] = "c", []string{"结婚登记"}, []string{"领结婚证"}
	ix := New([]Doc{a, b, c})
	ix.SetSynonyms(map[string][]string{"开饭店": {"餐饮", "食品经营"}, "开餐馆": {"餐饮", "食品经营"}})
	tests := []struct {
		name, q, key string
		want         *Match
	}{
		{"a name match has no note", "企业设立", "a", nil},
		{"an alias match names the alias", "营业执照", "a", &Match{Kind: "alias", Query: "营业执照", Term: "营业执照"}},
		{"a keyword match names the keyword", "结婚证", "c", &Match{Kind: "keyword", Query: "结婚证", Term: "领结婚证"}},
		{"a synonym match names the term and its expansion", "我要开饭店", "b", &Match{Kind: "synonym", Query: "开饭店", Term: "食品经营"}},
		{"a synonym found in the name explains better than an alias", "开餐馆", "b", &Match{Kind: "synonym", Query: "开餐馆", Term: "食品经营"}},
		{"a pinyin match names the phrase", "yyzz", "a", &Match{Kind: "pinyin", Query: "yyzz", Term: "营业执照"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ix.Search(Query{Text: tt.q})
			if len(r.Hits) == 0 || r.Hits[0].Key != tt.key {
				t.Fatalf("Search(%q): got %+v, want %q first", tt.q, r.Hits, tt.key)
			}
			got := r.Hits[0].Match
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Errorf("Search(%q) match: got %+v, want %+v", tt.q, got, tt.want)
			}
		})
	}
}
