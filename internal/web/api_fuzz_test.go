package web

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/reform"
	"banhao.dev/banhao/internal/supervise"
)

// apiBodies make a fresh value of each main API request type.
var apiBodies = []func() any{
	func() any { return new(cases.SubmitRequest) },
	func() any { return new(actionRequest) },
	func() any { return new(catalog.Item) },
	func() any { return new(catalog.Batch) },
	func() any { return new(catalog.Synonym) },
	func() any { return new(checklistRequest) },
	func() any { return new(auth.NewUser) },
	func() any { return new(auth.UserUpdate) },
	func() any { return new(registerRequest) },
	func() any { return new(rateBody) },
	func() any { return new(ratings.ComplaintRequest) },
	func() any { return new(ratings.Rules) },
	func() any { return new(ratings.AppealRequest) },
	func() any { return new(reform.TaskInput) },
	func() any { return new(supervise.FeeCharge) },
}

// FuzzDecodeJSON feeds any body to decode for every main request type:
// it must never panic, and must either fill the value or reject the body
// with an Invalid *errs.Error (a 422 with a Chinese message), never an
// internal error.
func FuzzDecodeJSON(f *testing.F) {
	f.Add(uint8(0), []byte(`{"item_code":"0100001000-990121-01","channel":"online","materials":[{"material_id":"m1","source":"file","blob_hash":"ab"}]}`))
	f.Add(uint8(2), []byte(`{"code":"x","name":"食品经营许可","situations":[{"id":"s1","when":"a == 1"}]}`))
	f.Add(uint8(6), []byte(`{"login":"u","roles":["admin"],"unknown":1}`))
	f.Add(uint8(9), []byte(`{"level":5,"tags":["x"],"call_record":"1"} {}`))
	f.Add(uint8(11), []byte(`{"window_days": 1e400}`))
	f.Add(uint8(1), []byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		v := apiBodies[int(kind)%len(apiBodies)]()
		r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		err := decode(r, v)
		if err != nil {
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.Invalid || e.Message == "" {
				t.Fatalf("decode %q into %T: got %v, want an Invalid errs.Error", body, v, err)
			}
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("decoded %q into %T that does not encode: %v", body, v, err)
		}
	})
}

// FuzzChecklistAnswers posts any answers (the 办事指南's question form) to
// the checklist of every demo item: it must never panic, and an accepted
// set of answers yields materials the item declares.
func FuzzChecklistAnswers(f *testing.F) {
	items, err := catalog.DemoItems()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint16(0), "a.s1=a1&a.s2=a2")
	f.Add(uint16(3), "a.=x&a.s1=&other=1")
	f.Add(uint16(7), "a.s1=%00%FF&a.s1=a2")
	f.Fuzz(func(t *testing.T, n uint16, raw string) {
		it := &items[int(n)%len(items)]
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		cl, err := catalog.ComputeChecklist(it, answersFrom(v))
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("answers %q for %s: untyped error %v", raw, it.Code, err)
			}
			return
		}
		known := map[string]bool{}
		for _, m := range it.Materials {
			known[m.ID] = true
		}
		for _, m := range cl.Materials {
			if !known[m.ID] {
				t.Fatalf("answers %q for %s: material %q not declared by the item", raw, it.Code, m.ID)
			}
		}
	})
}
