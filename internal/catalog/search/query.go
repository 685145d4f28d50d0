package search

import (
	"sort"
	"strings"
)

// Query is a search or, with empty Text, a browse.
type Query struct {
	Text   string
	Tags   []string // all must match
	Offset int
	Limit  int // 0 means 20
}

// Hit is one result. Match is set when the hit matched through something
// other than its name, so the result list can say why it is there.
type Hit struct {
	Key   string
	Score float64
	Match *Match
}

// Match explains a hit that matched through an alias, a keyword, an admin
// synonym or pinyin initials: "开饭店 → 食品经营".
type Match struct {
	Kind  string `json:"kind"`  // alias | keyword | synonym | pinyin
	Query string `json:"query"` // the (normalized) query text, or the synonym term it contained
	Term  string `json:"term"`  // what matched in the item
}

// Result is one page of hits and the number of all matches.
type Result struct {
	Hits  []Hit
	Total int
}

// rerankDepth is how many top candidates get the phrase bonus; below it
// the BM25F order stands (pages that deep are never read).
const rerankDepth = 200

type clause struct {
	from   string // the synonym term of an expansion clause
	text   string
	grams  []string
	weight float64
	pinyin bool
}

type scratch struct {
	total   []float32
	cs      []float32
	cnt     []uint8
	touched []uint32
	cands   []uint32
	allowed []bool
}

// Search runs q.
func (ix *Index) Search(q Query) Result {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.scratch()
	defer ix.pool.Put(sc)
	allowed := ix.filter(q.Tags, sc)
	norm := Normalize(q.Text)
	if norm == "" {
		return ix.browse(allowed, q)
	}
	clauses := ix.clauses(norm)
	for _, c := range clauses {
		ix.scoreClause(c, allowed, sc)
	}
	total := len(sc.cands)
	k := max(rerankDepth, q.Offset+q.Limit)
	top := ix.topK(sc, k)
	ix.rerank(top, clauses)
	res := Result{Total: total}
	for i := q.Offset; i < len(top) && i < q.Offset+q.Limit; i++ {
		e := &ix.docs[top[i].id]
		res.Hits = append(res.Hits, Hit{Key: e.key, Score: top[i].score, Match: explain(e, clauses)})
	}
	return res
}

// explain says how a returned hit matched when its name does not contain
// the query: a synonym expansion found in the name first (it links what the
// user typed to the name they see), then an alias or keyword, then a
// synonym found elsewhere, then pinyin initials. Only the page's hits are
// explained, so it costs little.
func explain(e *entry, clauses []clause) *Match {
	t := strings.ReplaceAll(clauses[0].text, " ", "")
	name := strings.ReplaceAll(e.name, " ", "")
	if t == "" || strings.Contains(name, t) {
		return nil
	}
	for _, c := range clauses[1:] {
		if x := strings.ReplaceAll(c.text, " ", ""); !c.pinyin && strings.Contains(name, x) {
			return &Match{Kind: "synonym", Query: c.from, Term: x}
		}
	}
	for i, p := range e.phrases {
		if e.fields[i] != Name && strings.Contains(strings.ReplaceAll(p, " ", ""), t) {
			kind := "alias"
			if e.fields[i] == Keyword {
				kind = "keyword"
			}
			return &Match{Kind: kind, Query: t, Term: p}
		}
	}
	for _, c := range clauses[1:] {
		x := strings.ReplaceAll(c.text, " ", "")
		for i, p := range e.phrases {
			switch {
			case c.pinyin && strings.Contains(e.inits[i], x):
				return &Match{Kind: "pinyin", Query: x, Term: p}
			case !c.pinyin && strings.Contains(strings.ReplaceAll(p, " ", ""), x):
				return &Match{Kind: "synonym", Query: c.from, Term: x}
			}
		}
	}
	return nil
}

type cand struct {
	id    uint32
	score float64
}

// topK selects the k best candidates with a min-heap (O(n log k)), so a
// query matching most of the catalog ("证明") does not sort all of it,
// and clears the accumulators.
func (ix *Index) topK(sc *scratch, k int) []cand {
	h := make([]cand, 0, min(k, len(sc.cands)))
	less := func(a, b cand) bool { // a ranks below b
		if a.score != b.score {
			return a.score < b.score
		}
		return ix.docs[a.id].order > ix.docs[b.id].order
	}
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < len(h) && less(h[l], h[m]) {
				m = l
			}
			if r := l + 1; r < len(h) && less(h[r], h[m]) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for _, id := range sc.cands {
		c := cand{id, float64(sc.total[id])}
		sc.total[id] = 0
		switch {
		case len(h) < k:
			h = append(h, c)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !less(h[i], h[p]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
		case less(h[0], c):
			h[0] = c
			down(0)
		}
	}
	sc.cands = sc.cands[:0]
	return h
}

func (ix *Index) scratch() *scratch {
	n := len(ix.docs)
	if sc, ok := ix.pool.Get().(*scratch); ok && len(sc.total) == n {
		return sc
	}
	return &scratch{total: make([]float32, n), cs: make([]float32, n), cnt: make([]uint8, n), allowed: make([]bool, n)}
}

// clauses expands a query: the text without filler words, each synonym
// expansion of a term it contains, and pinyin initials when it is letters.
func (ix *Index) clauses(norm string) []clause {
	main := stripFillers(norm)
	out := []clause{{text: main, grams: queryGrams(main), weight: 1}}
	var terms []string
	for term := range ix.synonyms {
		if strings.Contains(norm, term) {
			terms = append(terms, term)
		}
	}
	sort.Strings(terms) // a stable clause order, so match notes do not flicker
	for _, term := range terms {
		for _, x := range ix.synonyms[term] {
			out = append(out, clause{from: term, text: x, grams: queryGrams(x), weight: 0.8})
		}
	}
	if isInitialsQuery(main) {
		c := clause{text: main, weight: 1, pinyin: true}
		initialGrams(main, func(g string) { c.grams = append(c.grams, g) })
		out = append(out, c)
	}
	return out
}

// scoreClause adds the clause's BM25F score of every document that matches
// enough of its grams: all of one or two grams, 60 % of longer queries, so a
// one-character typo in a long query still finds the item.
func (ix *Index) scoreClause(c clause, allowed []bool, sc *scratch) {
	n := ix.live
	for _, g := range c.grams {
		ps := ix.postings[g]
		if len(ps) == 0 {
			continue
		}
		w := float32(idf(len(ps), n))
		for _, p := range ps {
			if ix.docs[p.doc].deleted || (allowed != nil && !allowed[p.doc]) {
				continue
			}
			if sc.cnt[p.doc] == 0 {
				sc.touched = append(sc.touched, p.doc)
			}
			sc.cnt[p.doc]++
			sc.cs[p.doc] += w * p.w
		}
	}
	need := len(c.grams)
	if need > 2 {
		need = (len(c.grams)*6 + 9) / 10
	}
	for _, id := range sc.touched {
		if int(sc.cnt[id]) >= need {
			cov := float32(sc.cnt[id]) / float32(len(c.grams))
			if sc.total[id] == 0 {
				sc.cands = append(sc.cands, id)
			}
			sc.total[id] += float32(c.weight) * sc.cs[id] * cov * cov
		}
		sc.cnt[id], sc.cs[id] = 0, 0
	}
	sc.touched = sc.touched[:0]
}

// rerank applies the phrase bonus and the boost to the selected
// candidates and sorts them best first.
func (ix *Index) rerank(top []cand, clauses []clause) {
	for i := range top {
		e := &ix.docs[top[i].id]
		bonus := 1.0
		for _, c := range clauses {
			bo := phraseBonus(e, c)
			if c.weight < 1 {
				bo = 1 + (bo-1)*c.weight
			}
			bonus = max(bonus, bo)
			if c.pinyin && bo < 1 {
				bonus = min(bonus, bo)
			}
		}
		top[i].score *= bonus * float64(e.boost)
	}
	sort.Slice(top, func(i, j int) bool {
		a, b := top[i], top[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if x, y := ix.docs[a.id].order, ix.docs[b.id].order; x != y {
			return x < y
		}
		return ix.docs[a.id].key < ix.docs[b.id].key
	})
}

// phraseBonus rewards documents that contain the clause as a whole phrase,
// not just scattered grams; scattered pinyin initials are penalized.
func phraseBonus(e *entry, c clause) float64 {
	t := strings.ReplaceAll(c.text, " ", "")
	if c.pinyin {
		best := 0.3
		for _, ini := range e.inits {
			switch {
			case ini == t:
				return 2
			case strings.Contains(ini, t):
				best = 1.5
			}
		}
		return best
	}
	switch {
	case e.name == t:
		return 2.5
	case strings.Contains(e.name, t):
		return 1.8
	}
	best := 1.0
	for _, p := range e.phrases {
		switch {
		case p == t:
			return 2
		case strings.Contains(p, t):
			best = 1.4
		}
	}
	return best
}

// filter returns which documents carry every tag, or nil for no filter.
func (ix *Index) filter(tags []string, sc *scratch) []bool {
	if len(tags) == 0 {
		return nil
	}
	clear(sc.allowed)
	lists := make([][]uint32, len(tags))
	for i, t := range tags {
		lists[i] = ix.tags[t]
	}
	sort.Slice(lists, func(i, j int) bool { return len(lists[i]) < len(lists[j]) })
	for _, id := range lists[0] {
		sc.allowed[id] = true
	}
	for _, l := range lists[1:] {
		in := make(map[uint32]bool, len(l))
		for _, id := range l {
			in[id] = true
		}
		for _, id := range lists[0] {
			if !in[id] {
				sc.allowed[id] = false
			}
		}
	}
	return sc.allowed
}

func (ix *Index) browse(allowed []bool, q Query) Result {
	var ids []uint32
	for id := range ix.docs {
		if !ix.docs[id].deleted && (allowed == nil || allowed[id]) {
			ids = append(ids, uint32(id))
		}
	}
	ix.sortByOrder(ids)
	res := Result{Total: len(ids)}
	for i := q.Offset; i < len(ids) && i < q.Offset+q.Limit; i++ {
		res.Hits = append(res.Hits, Hit{Key: ix.docs[ids[i]].key})
	}
	return res
}

// Tags lists the tag values with a prefix and how many live documents carry
// each (for browse pages: "event:" → 出生 12, 上学 5…).
func (ix *Index) Tags(prefix string) map[string]int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := map[string]int{}
	for t, ids := range ix.tags {
		if !strings.HasPrefix(t, prefix) {
			continue
		}
		for _, id := range ids {
			if !ix.docs[id].deleted {
				out[strings.TrimPrefix(t, prefix)]++
			}
		}
	}
	return out
}
