package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/supervise"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates holds one parsed set per page: the layout, the shared partials
// and the page's own file. All are parsed at start-up so a broken template
// stops the server before it serves anything.
type templates struct {
	pages map[string]*template.Template
}

func parseTemplates(funcs template.FuncMap) (*templates, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var shared []string
	var pages []string
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			shared = append(shared, n)
		} else {
			pages = append(pages, n)
		}
	}
	root, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, shared...)
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, p := range pages {
		c, err := root.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.ParseFS(templateFS, p); err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		t.pages[strings.TrimSuffix(path.Base(p), ".html")] = c
	}
	return t, nil
}

// staticFiles serves embedded assets under content-hashed names so they
// can be cached forever.
type staticFiles struct {
	byHashed map[string]staticFile // "app.3f2a9c1d.css" → file
	hashed   map[string]string     // "app.css" → "/static/app.3f2a9c1d.css"
}

type staticFile struct {
	body  []byte
	ctype string
}

func loadStatic() (*staticFiles, error) {
	sf := &staticFiles{byHashed: map[string]staticFile{}, hashed: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(rel)
		name := strings.TrimSuffix(rel, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = http.DetectContentType(body)
		}
		sf.byHashed[name] = staticFile{body: body, ctype: ctype}
		sf.hashed[rel] = "/static/" + name
		return nil
	})
	return sf, err
}

func (sf *staticFiles) url(name string) string {
	if u, ok := sf.hashed[name]; ok {
		return u
	}
	panic("unknown static file " + name) // caught at start-up by template tests
}

func (sf *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := sf.byHashed[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
}

// Page is what every template receives.
type Page struct {
	Title   string
	P       *auth.Principal
	CSRF    string
	Elderly bool
	Nav     []NavItem
	Path    string
	Flash   string
	Demo    bool
	Now     time.Time
	Version string
	Errors  map[string]string // field → Chinese message
	Error   string            // form-level message
	Form    url.Values        // the user's input, re-rendered on error
	Unread  int               // unread notifications of P, shown in the header
	Data    any
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"static": func(name string) string { return s.static.url(name) },
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(clock.Shanghai).Format("2006-01-02 15:04")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(clock.Shanghai).Format("2006-01-02")
		},
		"roleName": func(r auth.Role) string { return r.Name() },
		// invalid marks an input whose field failed and ties it to the
		// message rendered by "field-error", for screen readers.
		"invalid": func(errs map[string]string, name string) template.HTMLAttr {
			if _, ok := errs[name]; !ok {
				return ""
			}
			return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(name) + `-error"`)
		},
		"hasRole": func(p *auth.Principal, r string) bool { return p.Has(auth.Role(r)) },
		"field": func(f url.Values, k string) string {
			if f == nil {
				return ""
			}
			return f.Get(k)
		},
		"checked": func(f url.Values, k, v string) bool {
			return f != nil && slices.Contains(f[k], v)
		},
		"pct":    func(v float64) string { return fmt.Sprintf("%.2f%%", v*100) },
		"add":    func(a, b int) int { return a + b },
		"pctOne": supervise.Pct,
		"deref": func(v *float64) float64 {
			if v == nil {
				return 0
			}
			return *v
		},
		"lightName": func(l string) string {
			return map[string]string{"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[l]
		},
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// newPage fills the common part of a page.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, title string, data any) *Page {
	p := principal(r)
	pg := &Page{Title: title, P: p, CSRF: s.csrfToken(w, r), Path: r.URL.RequestURI(), Demo: s.Sim != nil,
		Now: s.Clock.Now(), Version: s.Version, Data: data, Flash: r.URL.Query().Get("msg")}
	if c, err := r.Cookie(elderlyCookie); err == nil {
		pg.Elderly = c.Value == "1"
	} else if p != nil {
		pg.Elderly = p.ElderlyMode
	}
	pg.Nav = s.navFor(p)
	pg.Unread = s.unreadCount(r.Context(), p)
	return pg
}

func (s *Server) navFor(p *auth.Principal) []NavItem {
	var out []NavItem
	for _, n := range s.navs {
		if len(n.Roles) == 0 && p == nil || len(n.Roles) > 0 && p.HasAny(n.Roles...) {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b NavItem) int { return a.Order - b.Order })
	return out
}

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *Page) {
	t, ok := s.tmpl.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("unknown template %s", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, "页面渲染失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// formError re-renders a form page with the user's input and the error
// mapped onto its fields.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name string, pg *Page, err error) {
	e, ok := errs.As(err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	pg.Form = r.PostForm
	pg.Errors = map[string]string{}
	for _, f := range e.Fields {
		if _, dup := pg.Errors[f.Field]; !dup {
			pg.Errors[f.Field] = f.Message
		}
	}
	pg.Error = e.Message
	s.render(w, r, e.Kind.Status(), name, pg)
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// redirect sends the browser on after a successful POST, with a flash message.
func redirect(w http.ResponseWriter, r *http.Request, to, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "msg=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return ""
	}
	return next
}
