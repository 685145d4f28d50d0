package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Normalize skips width.Fold for text without full- or half-width forms:
// that is only right if Fold changes no other rune.
func TestFoldChangesOnlyWidthVariants(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		if s := string(r); !needsFold(s) && width.Fold.String(s) != s {
			t.Errorf("%U: folded to %q but needsFold says no", r, width.Fold.String(s))
		}
	}
}

// indexGrams cuts substrings of the text; they must be the unigrams and
// bigrams of its Han runs and its other words whole.
func TestIndexGrams(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"营业执照", "营 营业 业 业执 执 执照 照"},
		{"营业执照 副本", "营 营业 业 业执 执 执照 照 副 副本 本"},
		{"abc营业x1 执", "abc 营 营业 业 x1 执"},
		{"证", "证"},
		{"", ""},
	} {
		var got []string
		indexGrams(Normalize(c.in), func(g string) { got = append(got, g) })
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("indexGrams(%q) = %q, want %q", c.in, g, c.want)
		}
	}
}
