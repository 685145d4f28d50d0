package search

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/width"
)

func TestGramCountIsWhatIndexGramsEmits(t *testing.T) {
	for _, s := range []string{"营业执照", "营业执照 副本", "a", "abc 营业 x1 执", "食品经营许可证yyzz2024", "证", ""} {
		norm := Normalize(s)
		n := 0
		indexGrams(norm, func(string) { n++ })
		if got := gramCount(norm); got != n {
			t.Errorf("gramCount(%q) = %d, want %d", norm, got, n)
		}
	}
}

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
