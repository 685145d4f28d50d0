// Package archtest checks that imports point one way (see README,
// "Architecture"): cmd → web → areas → platform, with area-to-area imports
// only downstream in the flow of data.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "banhao.dev/banhao/"

// allowedAreaImports lists, for each area, the other areas it may import.
// Data flows catalog → cases → supervise/ratings; places is read by all.
var allowedAreaImports = map[string][]string{
	"places":    {},
	"catalog":   {"places"},
	"cases":     {"catalog", "places"},
	"ratings":   {"cases", "catalog", "places"},
	"supervise": {"cases", "catalog", "places", "ratings"},
	"bundles":   {"cases", "catalog", "places"},
	"reform":    {},
}

// layer classifies an import path below the module.
func layer(rel string) (kind, name string) {
	parts := strings.Split(rel, "/")
	switch {
	case parts[0] == "cmd":
		return "cmd", parts[0]
	case parts[0] == "migrations":
		return "platform", "migrations"
	case len(parts) > 1 && parts[0] == "internal" && parts[1] == "platform":
		return "platform", strings.Join(parts[1:], "/")
	case len(parts) > 1 && parts[0] == "internal" && parts[1] == "web":
		return "web", "web"
	case len(parts) > 1 && parts[0] == "internal" && (parts[1] == "demo" || parts[1] == "archtest"):
		return "top", parts[1]
	case len(parts) > 1 && parts[0] == "internal":
		return "area", parts[1]
	}
	return "other", rel
}

func TestImportDirections(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		relFile, _ := filepath.Rel(root, path)
		fromKind, fromName := layer(filepath.ToSlash(filepath.Dir(relFile)))
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if !strings.HasPrefix(p, module) {
				continue
			}
			checked++
			toKind, toName := layer(strings.TrimPrefix(p, module))
			// An external test package may seed the demo for realistic
			// data (demo imports the areas, so only *_test packages can);
			// production code of an area never depends on it.
			if strings.HasSuffix(f.Name.Name, "_test") && toKind == "top" && toName == "demo" {
				continue
			}
			if msg := violation(fromKind, fromName, toKind, toName); msg != "" {
				t.Errorf("%s imports %s: %s", relFile, p, msg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no imports checked")
	}
}

func violation(fromKind, fromName, toKind, toName string) string {
	if toKind == "cmd" {
		return "nothing imports cmd"
	}
	switch fromKind {
	case "platform":
		if toKind != "platform" {
			return "platform must not import areas, web or demo"
		}
	case "area":
		switch toKind {
		case "web", "top":
			return "areas must not import web or demo"
		case "area":
			if toName == fromName {
				return ""
			}
			allowed, known := allowedAreaImports[fromName]
			if !known {
				return "area " + fromName + " has no entry in allowedAreaImports"
			}
			for _, a := range allowed {
				if a == toName {
					return ""
				}
			}
			return "area " + fromName + " may not import area " + toName + " (data flows downstream only)"
		}
	case "web":
		if toKind == "top" && toName != "demo" {
			return "web must not import " + toName
		}
	}
	return ""
}

func TestViolationRules(t *testing.T) {
	cases := []struct {
		fromKind, fromName, toKind, toName string
		bad                                bool
	}{
		{"platform", "db", "area", "cases", true},
		{"area", "catalog", "area", "cases", true},
		{"area", "cases", "area", "catalog", false},
		{"area", "cases", "web", "web", true},
		{"web", "web", "area", "cases", false},
		{"area", "unknown", "area", "cases", true},
	}
	for _, c := range cases {
		if got := violation(c.fromKind, c.fromName, c.toKind, c.toName) != ""; got != c.bad {
			t.Errorf("%s/%s → %s/%s: violation %v, want %v", c.fromKind, c.fromName, c.toKind, c.toName, got, c.bad)
		}
	}
	_ = os.Getenv
}
