package web

import (
	"encoding/json"
	"net/url"
	"testing"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/errs"
)

// The editor form is outside input: parsing never panics, and an item read
// from a form survives a write/read round trip unchanged.
func FuzzParseItemForm(f *testing.F) {
	f.Add("code=0100001000-990121-01&name=x&legal_limit.days=20&promised_limit.days=5&materials[0].id=form&materials[0].name=表")
	f.Add("situations[0].id=site&situations[0].answers[0].id=own&situations[0].answers[1].add=a,b&situations[0].answers[1].add_fees=费|10||依据")
	f.Add("process.kind=custom&process.steps[0].name=受理&process.steps[0].share=1&process.steps[3].days=2")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		editorRows(v, true, "materials")
		it, err := parseItemForm(v)
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("parse error is not a field error: %v", err)
			}
			return
		}
		again, err := parseItemForm(itemForm(&it))
		if err != nil {
			t.Fatalf("re-parse of written form: %v", err)
		}
		a, _ := json.Marshal(it)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("round trip changed the item:\n%s\n%s", a, b)
		}
	})
}

func TestEditorErrorsMapServicePathsToInputs(t *testing.T) {
	fields := []errs.FieldError{
		{Field: "keywords[2]", Message: "k"}, {Field: "promised_limit", Message: "p"}, {Field: "remedies", Message: "r"},
		{Field: "situations[0].answers[1].materials[1]", Message: "m"}, {Field: "situations[0].answers[1].add_fees[0].basis", Message: "f"},
		{Field: "materials[3].condition", Message: "c"},
	}
	it, _ := parseItemForm(url.Values{"situations[0].id": {"s"}, "situations[0].answers[0].id": {"a"}, "situations[0].answers[1].id": {"b"}, "situations[0].answers[1].add": {"x"}, "situations[0].answers[1].remove": {"y"}})
	got := editorErrors(&it, fields)
	want := map[string]string{"keywords": "k", "promised_limit.days": "p", "remedies.reconsideration": "r",
		"situations[0].answers[1].remove": "m", "situations[0].answers[1].add_fees": "f", "materials[3].condition": "c"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("got %s=%q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// Every element of every demo item survives the editor form unchanged, so
// opening and saving an item in the editor never loses anything.
func TestEditorFormKeepsEveryDemoElement(t *testing.T) {
	items, err := catalog.DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		it.OrgID = 7
		catalog.Normalize(&it)
		got, err := parseItemForm(itemForm(&it))
		if err != nil {
			t.Fatalf("%s: %v", it.Code, err)
		}
		catalog.Normalize(&got)
		got.Org, got.Status = it.Org, it.Status
		a, _ := json.Marshal(it)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			t.Errorf("%s changed through the form:\n%s\n%s", it.Code, a, b)
		}
	}
}
