package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"
)

// Normalize folds full-width forms to half width, lower-cases, and turns
// everything that is neither a letter, a digit nor a Han character into a
// space, so "ＹＹＺＺ" and "营业执照（副本）" compare like "yyzz" and "营业执照 副本".
func Normalize(s string) string {
	if needsFold(s) {
		s = width.Fold.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r), unicode.IsLetter(r), unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// run is a maximal stretch of Han characters or of other letters/digits.
type run struct {
	han   bool
	runes []rune
}

func runs(norm string) []run {
	var out []run
	for _, word := range strings.Fields(norm) {
		var cur run
		for _, r := range word {
			h := isHan(r)
			if len(cur.runes) > 0 && h != cur.han {
				out = append(out, cur)
				cur = run{}
			}
			cur.han = h
			cur.runes = append(cur.runes, r)
		}
		if len(cur.runes) > 0 {
			out = append(out, cur)
		}
	}
	return out
}

// indexGrams are the terms a field's text is indexed under: every Han
// unigram and bigram (Chinese has no spaces; bigrams are the usual n-gram
// compromise between recall and precision) and every other word whole.
// The terms are substrings of norm (no allocation; the index copies the
// ones it keeps).
func indexGrams(norm string, emit func(string)) {
	eachRun(norm, func(run string, han bool) {
		if !han {
			emit(run)
			return
		}
		for i, r := range run {
			j := i + utf8.RuneLen(r)
			emit(run[i:j])
			if j < len(run) {
				_, n := utf8.DecodeRuneInString(run[j:])
				emit(run[i : j+n])
			}
		}
	})
}

// eachRun calls fn with each maximal stretch of Han characters or of other
// letters/digits of a normalized text (the runs of runs, as substrings).
func eachRun(norm string, fn func(run string, han bool)) {
	start, han := -1, false
	for i, r := range norm {
		if r == ' ' {
			if start >= 0 {
				fn(norm[start:i], han)
			}
			start = -1
			continue
		}
		h := isHan(r)
		if start >= 0 && h != han {
			fn(norm[start:i], han)
			start = -1
		}
		if start < 0 {
			start, han = i, h
		}
	}
	if start >= 0 {
		fn(norm[start:], han)
	}
}

// needsFold reports whether s has a full-width or half-width form that
// Normalize must fold; width.Fold changes no other rune
// (TestFoldChangesOnlyWidthVariants), and most text has none, so the
// transformer's allocations are skipped.
func needsFold(s string) bool {
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		if k := width.LookupRune(r).Kind(); k == width.EastAsianFullwidth || k == width.EastAsianHalfwidth {
			return true
		}
	}
	return false
}

// queryGrams are the terms of a query: Han bigrams (unigrams only for a
// one-character run) and other words whole; duplicates removed.
func queryGrams(norm string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for _, r := range runs(norm) {
		switch {
		case !r.han:
			add(string(r.runes))
		case len(r.runes) == 1:
			add(string(r.runes))
		default:
			for i := 0; i+1 < len(r.runes); i++ {
				add(string(r.runes[i : i+2]))
			}
		}
	}
	return out
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.FirstLetter
	return a
}()

// Initials returns the pinyin initials of a normalized phrase: Han characters
// become their first letter, ASCII letters and digits are kept ("营业执照" →
// "yyzz"); spaces are dropped.
func Initials(norm string) string {
	var b strings.Builder
	for _, r := range norm {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case isHan(r):
			if p := pinyin.SinglePinyin(r, pinyinArgs); len(p) > 0 && p[0] != "" {
				b.WriteString(p[0][:1])
			}
		}
	}
	return b.String()
}

// pyPrefix marks pinyin-initial terms so they never collide with words.
const pyPrefix = "\x01"

func initialGrams(ini string, emit func(string)) {
	for i := 0; i+1 < len(ini); i++ {
		emit(pyPrefix + ini[i:i+2])
	}
}

// isInitialsQuery reports whether a normalized query looks like pinyin
// initials: two or more ASCII letters and nothing else.
func isInitialsQuery(norm string) bool {
	if len(norm) < 2 || len(norm) > 16 {
		return false
	}
	for i := 0; i < len(norm); i++ {
		if norm[i] < 'a' || norm[i] > 'z' {
			return false
		}
	}
	return true
}

// fillers are words people put around what they want ("我要办营业执照",
// "怎么办理结婚登记"); they carry nothing for matching.
var fillers = []string{"我想要", "我要", "我想", "怎么办理", "如何办理", "怎样办理", "怎么办", "怎么", "如何", "怎样", "办理", "申请", "需要", "什么材料", "去哪里", "去哪", "哪里", "流程"}

// stripFillers removes filler words and a leading 办/开具 when enough remains.
func stripFillers(norm string) string {
	out := norm
	for _, f := range fillers {
		if s := strings.ReplaceAll(out, f, ""); len([]rune(strings.TrimSpace(s))) >= 2 {
			out = s
		}
	}
	out = strings.TrimSpace(out)
	if strings.HasPrefix(out, "办") && len([]rune(out)) >= 3 {
		out = strings.TrimPrefix(out, "办")
	}
	return strings.Join(strings.Fields(out), " ")
}

// initials is Initials with a per-index cache; callers hold the write lock.
func (ix *Index) initials(norm string) string {
	var b strings.Builder
	for _, r := range norm {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case isHan(r):
			c, ok := ix.pinyin[r]
			if !ok {
				if p := pinyin.SinglePinyin(r, pinyinArgs); len(p) > 0 && p[0] != "" {
					c = p[0][0]
				}
				ix.pinyin[r] = c
			}
			if c != 0 {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}
