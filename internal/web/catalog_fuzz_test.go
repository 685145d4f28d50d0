package web

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// highlight renders outside input (the query) into HTML: whatever the
// query and text, the marks must only wrap the text, never change it.
func FuzzHighlight(f *testing.F) {
	f.Add("食品经营许可", "食品经营")
	f.Add("不动产转移登记（存量房买卖）", "房子 过户")
	f.Add("<script>企业设立登记</script>", "<登记>")
	f.Fuzz(func(t *testing.T, text, query string) {
		got := string(highlight(text, query))
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got)
		// Invalid UTF-8 comes back as U+FFFD per bad byte, like []rune does,
		// and html/template escapes NUL as U+FFFD.
		want := strings.ReplaceAll(string([]rune(text)), "\x00", "\uFFFD")
		if html.UnescapeString(plain) != want {
			t.Fatalf("highlight(%q, %q) = %q changes the text", text, query, got)
		}
		if strings.Count(got, "<mark>") != strings.Count(got, "</mark>") {
			t.Fatalf("unbalanced marks in %q", got)
		}
	})
}

// searchQueryOf parses query strings from anyone: it must never panic and
// must either accept or name the bad field.
func FuzzSearchQuery(f *testing.F) {
	f.Add("q=%E5%BC%80%E9%A5%AD%E5%BA%97&page=2")
	f.Add("page=-1&kind=x&org=abc")
	f.Add("page_size=100000&q=")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		sq, err := searchQueryOf(v)
		if err == nil && (sq.Page < 0 || sq.PageSize < 0 || sq.PageSize > 100) {
			t.Fatalf("accepted %q as %+v", raw, sq)
		}
	})
}
