package search

import "testing"

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
