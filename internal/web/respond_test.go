package web

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/errs"
)

// Every JSON body error is a Chinese message naming the failing field, never
// the decoder's English text.
func TestDecodeRejectsBadBodiesInChinese(t *testing.T) {
	type inner struct {
		Note string `json:"note"`
	}
	type req struct {
		inner
		Name  string   `json:"name"`
		Count int64    `json:"count"`
		Tags  []string `json:"tags"`
		Skip  string   `json:"-"`
	}
	english := regexp.MustCompile(`json:|[A-Za-z]{4,} [A-Za-z]{4,}`)
	for _, tc := range []struct {
		name, body, code, field string
	}{
		{"malformed JSON is bad_json", `{bad`, "bad_json", ""},
		{"an array instead of an object is bad_json", `[1]`, "bad_json", ""},
		{"a string for a number names the field", `{"count":"x"}`, "bad_json", "count"},
		{"an overflowing number names the field", `{"count":1e40}`, "bad_json", "count"},
		{"a number for a list names the field", `{"tags":3}`, "bad_json", "tags"},
		{"an unknown field is named", `{"name":"a","mayor":"x"}`, "unknown_field", "mayor"},
		{"a json:\"-\" field is unknown", `{"Skip":"x"}`, "unknown_field", "Skip"},
		{"trailing data is bad_json", `{"name":"a"} {}`, "bad_json", ""},
		{"an oversized body is refused", `{"name":"` + strings.Repeat("a", maxBody) + `"}`, "body_too_large", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/json")
			var v req
			err := decode(r, &v)
			e, ok := errs.As(err)
			if !ok {
				t.Fatalf("got %v, want *errs.Error", err)
			}
			if e.Code != tc.code {
				t.Errorf("code: got %q, want %q", e.Code, tc.code)
			}
			field := ""
			if len(e.Fields) > 0 {
				field = e.Fields[0].Field
			}
			if field != tc.field {
				t.Errorf("field: got %q, want %q", field, tc.field)
			}
			if english.MatchString(e.Message) {
				t.Errorf("message %q carries English decoder text", e.Message)
			}
		})
	}
	t.Run("embedded and declared fields are accepted", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(`{"note":"n","name":"a","count":2,"tags":["x"]}`))
		var v req
		if err := decode(r, &v); err != nil || v.Note != "n" || v.Count != 2 {
			t.Fatalf("got %+v, %v", v, err)
		}
	})
}
