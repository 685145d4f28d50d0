package web

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"banhao.dev/banhao/internal/platform/dbtest"
)

// Every API route must be in the OpenAPI document and the document must
// describe no route that does not exist; the document must be valid.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	raw, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load OpenAPI: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	wildcard := regexp.MustCompile(`\{([a-z_]+)\.\.\.\}`)
	registered := map[string]bool{}
	for _, r := range e.Srv.Routes() {
		if !r.API {
			continue
		}
		key := wildcard.ReplaceAllString(r.Pattern, "{$1}")
		registered[key] = true
		if !documented[key] {
			t.Errorf("route %q is not in the OpenAPI document", key)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("OpenAPI documents %q but no such route is registered", key)
		}
	}
	if got := e.apiCall("GET", "/api/v1/openapi.json", "", nil, nil); got != 200 {
		t.Fatalf("GET openapi.json: %d", got)
	}
	if !strings.Contains(string(raw), "problem+json") {
		t.Fatal("problem+json responses not documented")
	}
}

// Each operation documents the errors it can return: a body can be malformed
// (422), and anything that can be forbidden (403) needs a caller (401);
// every path parameter is declared.
func TestOpenAPIDocumentsErrorResponsesAndParameters(t *testing.T) {
	raw, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.RequestBody != nil && op.Responses.Value("422") == nil {
				t.Errorf("%s takes a body but does not document 422", name)
			}
			if op.Responses.Value("403") != nil && op.Responses.Value("401") == nil {
				t.Errorf("%s documents 403 but not 401", name)
			}
			declared := map[string]bool{}
			for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range ps {
					if p.Value != nil && p.Value.In == "path" {
						declared[p.Value.Name] = true
					}
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s does not declare path parameter %s", name, m[1])
				}
			}
		}
	}
}
