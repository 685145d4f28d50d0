// Package search is the catalog's full-text index: an in-memory inverted
// index of Han unigrams/bigrams, words and pinyin-initial bigrams with
// BM25F scoring, admin synonyms, filler-word stripping and tag filters.
//
// Why not bleve: bleve v2.6.1 with analysis/lang/cjk does CJK bigrams well,
// but it would bring ~40 modules, keep a second on-disk store beside the
// database that must be rebuilt anyway at start, and still need the pinyin
// initials, synonym expansion, phrase bonus and tag filters written around
// it. The catalog is small (≤ 30,000 items, a few MB of text), so the
// whole index fits in memory (≈ 45 MB for 30,000 items, most of it the
// 3 million postings of 8 bytes each); precomputing each posting's BM25F weight
// at index time makes a query a few posting-list scans (see the benchmark in
// the catalog package: p99 well under 5 ms over 30,000 items). Segmentation
// is the only part a library does better, and bigrams are the standard
// dictionary-free substitute that also tolerates one-character typos.
package search

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Field is a searchable field of a document.
type Field uint8

const (
	Name Field = iota
	ShortName
	Alias
	Keyword
	Material
	numFields
	pinyinField = numFields // pseudo-field of pinyin-initial bigrams
)

// weights favour what people call an item over what it asks for.
var weights = [numFields + 1]float64{Name: 3, ShortName: 2.5, Alias: 2.5, Keyword: 1.5, Material: 0.4, pinyinField: 2}

const (
	k1 = 1.2
	b  = 0.75
)

// Doc is a document to index.
type Doc struct {
	Key    string
	Fields [numFields][]string
	Tags   []string // exact-match filters, e.g. "kind:license", "event:出生"
	Boost  float64  // multiplies the score (bundles rank first); 0 means 1
	Order  string   // sort key when browsing without a query
}

type entry struct {
	key     string
	deleted bool
	boost   float32
	order   string
	name    string   // normalized name
	phrases []string // normalized name, short name, aliases, keywords
	fields  []Field  // the field of each phrase
	inits   []string // pinyin initials of phrases
}

type posting struct {
	doc uint32
	w   float32
}

// Index is safe for concurrent queries and updates.
type Index struct {
	mu       sync.RWMutex
	docs     []entry
	byKey    map[string]uint32
	postings map[string][]posting
	tags     map[string][]uint32
	avgLen   [numFields + 1]float64
	live     int
	synonyms map[string][]string // normalized term → normalized expansions
	pool     sync.Pool
	pinyin   map[rune]byte // initial of each Han character seen; the pinyin library is slow per call
}

// New returns an index built from docs.
func New(docs []Doc) *Index {
	ix := &Index{}
	ix.Rebuild(docs)
	return ix
}

// Rebuild replaces the whole content (start-up, or to compact after many updates).
func (ix *Index) Rebuild(docs []Doc) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.docs = nil
	ix.byKey = map[string]uint32{}
	if ix.pinyin == nil {
		ix.pinyin = map[rune]byte{}
	}
	ix.postings = map[string][]posting{}
	ix.tags = map[string][]uint32{}
	ix.live = 0
	// Average field lengths over the whole set, so BM25 length
	// normalization is stable; updates reuse them until the next rebuild.
	// Two passes, counting one document at a time (the build never holds
	// the term counts of the whole catalog): the first keeps each
	// document's phrases and counts field lengths and how many documents
	// hold each term, so the second appends every posting into one exactly
	// sized array, without growing (and copying) a list per term.
	entries := make([]entry, len(docs))
	var sum [numFields + 1]float64
	in := map[string]string{} // aliases, keywords and result names repeat across items
	df := map[string]int{}
	var tc termCounts
	for i := range docs {
		ix.phrases(&docs[i], &entries[i], in)
		tc.reset()
		ix.countPhrases(&docs[i], &entries[i], &tc)
		for f := range sum {
			sum[f] += float64(tc.len[f])
		}
		tc.eachTerm(func(g string) { df[g]++ })
	}
	for f := range ix.avgLen {
		ix.avgLen[f] = 1
		if len(docs) > 0 && sum[f] > 0 {
			ix.avgLen[f] = sum[f] / float64(len(docs))
		}
	}
	n := 0
	for _, c := range df {
		n += c
	}
	// The lists are capped: a later Upsert copies the list it grows.
	arena := make([]posting, n)
	for g, c := range df {
		ix.postings[strings.Clone(g)] = arena[:0:c] // g may be a substring of a document's text
		arena = arena[c:]
	}
	df = nil
	ix.docs = make([]entry, 0, len(docs))
	for i := range docs {
		tc.reset()
		ix.countPhrases(&docs[i], &entries[i], &tc)
		ix.addCounted(&docs[i], &tc, entries[i])
		entries[i] = entry{}
	}
	for t, ids := range ix.tags {
		ix.tags[t] = slices.Clone(ids)
	}
}

// Upsert adds or replaces the document with d.Key.
func (ix *Index) Upsert(d Doc) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(d.Key)
	var tc termCounts
	var e entry
	ix.phrases(&d, &e, nil)
	ix.countPhrases(&d, &e, &tc)
	ix.addCounted(&d, &tc, e)
}

// Remove drops the document with key (no-op when absent).
func (ix *Index) Remove(key string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(key)
}

// Len is the number of live documents.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

func (ix *Index) remove(key string) {
	if id, ok := ix.byKey[key]; ok {
		ix.docs[id].deleted = true
		delete(ix.byKey, key)
		ix.live--
	}
}

type termCounts struct {
	tf  [numFields + 1]map[string]int
	len [numFields + 1]int
	tfw map[string]float64 // scratch of addCounted
}

// eachTerm calls fn once for every distinct term counted.
func (tc *termCounts) eachTerm(fn func(string)) {
	if tc.tfw == nil {
		tc.tfw = map[string]float64{}
	}
	seen := tc.tfw
	clear(seen)
	for f := range tc.tf {
		for g := range tc.tf[f] {
			if _, ok := seen[g]; !ok {
				seen[g] = 0
				fn(g)
			}
		}
	}
}

func (tc *termCounts) reset() {
	for f := range tc.tf {
		clear(tc.tf[f])
		tc.len[f] = 0
	}
}

// phrases normalizes the searchable text of d into e (name, phrases and
// their pinyin initials; materials are only counted). Equal phrases share
// their memory through in when it is not nil.
func (ix *Index) phrases(d *Doc, e *entry, in map[string]string) {
	share := func(s string) string {
		if in == nil {
			return s
		}
		if x, ok := in[s]; ok {
			return x
		}
		in[s] = s
		return s
	}
	for f := Field(0); f < numFields; f++ {
		for _, text := range d.Fields[f] {
			norm := Normalize(text)
			if norm == "" {
				continue
			}
			if f == Material {
				continue
			}
			ini := ix.initials(norm)
			norm, ini = share(norm), share(ini)
			e.phrases = append(e.phrases, norm)
			e.fields = append(e.fields, f)
			e.inits = append(e.inits, ini)
			if f == Name && e.name == "" {
				e.name = norm
			}
		}
	}
	// exactly sized: appends leave spare capacity in every document
	e.phrases, e.fields, e.inits = slices.Clone(e.phrases), slices.Clone(e.fields), slices.Clone(e.inits)
}

// countPhrases tallies the terms of every field (and the pinyin
// pseudo-field) of d, whose phrases are already in e.
func (ix *Index) countPhrases(d *Doc, e *entry, tc *termCounts) {
	for i, norm := range e.phrases {
		f := e.fields[i]
		indexGrams(norm, func(g string) { tc.inc(f, g) })
		initialGrams(e.inits[i], func(g string) { tc.inc(pinyinField, g) })
	}
	for _, text := range d.Fields[Material] {
		if norm := Normalize(text); norm != "" {
			indexGrams(norm, func(g string) { tc.inc(Material, g) })
		}
	}
}

func (tc *termCounts) inc(f Field, g string) {
	if tc.tf[f] == nil {
		tc.tf[f] = map[string]int{}
	}
	tc.tf[f][g]++
	tc.len[f]++
}

// addCounted appends a counted document; callers hold the write lock.
func (ix *Index) addCounted(d *Doc, tc *termCounts, e entry) {
	id := uint32(len(ix.docs))
	e.key, e.boost, e.order = d.Key, float32(d.Boost), d.Order
	if e.boost == 0 {
		e.boost = 1
	}
	// BM25F: per-field normalized tf, weighted and summed, then saturated.
	// The weight depends only on the document, so it is stored in the posting.
	if tc.tfw == nil {
		tc.tfw = map[string]float64{}
	}
	tfw := tc.tfw
	clear(tfw)
	for f := range tc.tf {
		norm := 1 - b + b*float64(tc.len[f])/ix.avgLen[f]
		for g, n := range tc.tf[f] {
			tfw[g] += weights[f] * float64(n) / norm
		}
	}
	for g, t := range tfw {
		ps, ok := ix.postings[g]
		if !ok {
			g = strings.Clone(g) // g is a substring of a document's text
		}
		ix.postings[g] = append(ps, posting{doc: id, w: float32(t * (k1 + 1) / (t + k1))})
	}
	for _, t := range d.Tags {
		ix.tags[t] = append(ix.tags[t], id)
	}
	ix.docs = append(ix.docs, e)
	ix.byKey[d.Key] = id
	ix.live++
}

// SetSynonyms replaces the synonym table: a query containing a term is also
// searched for each of its expansions ("开饭店" → "餐饮", "食品经营").
func (ix *Index) SetSynonyms(syn map[string][]string) {
	m := make(map[string][]string, len(syn))
	for term, exps := range syn {
		t := Normalize(term)
		if t == "" {
			continue
		}
		for _, x := range exps {
			if n := Normalize(x); n != "" && n != t {
				m[t] = append(m[t], n)
			}
		}
	}
	ix.mu.Lock()
	ix.synonyms = m
	ix.mu.Unlock()
}

func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// sortByOrder sorts ids by their documents' order key, then key.
func (ix *Index) sortByOrder(ids []uint32) {
	sort.Slice(ids, func(i, j int) bool {
		a, c := ix.docs[ids[i]], ix.docs[ids[j]]
		if a.order != c.order {
			return a.order < c.order
		}
		return strings.Compare(a.key, c.key) < 0
	})
}
