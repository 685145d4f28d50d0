package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestSessionCookiesAreHttpOnlySameSiteAndSecure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.Srv.Config.SecureCookie = true // as with --secure-cookie
		e.mustUser("cookie-admin", "990121", "admin")
		jar := map[string]*http.Cookie{}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(e.HTTP.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, ck := range resp.Cookies() {
			jar[ck.Name] = ck
		}
		m := csrfRe.FindStringSubmatch(string(raw))
		if m == nil || jar[csrfCookie] == nil {
			t.Fatalf("login page: no csrf token or cookie")
		}
		form := url.Values{"login": {"cookie-admin"}, "password": {"Passw0rd!"}, csrfField: {m[1]}}
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: jar[csrfCookie].Value})
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, ck := range resp.Cookies() {
			jar[ck.Name] = ck
		}
		for _, name := range []string{sessionCookie, csrfCookie} {
			ck := jar[name]
			if ck == nil {
				t.Fatalf("cookie %s not set (login status %d)", name, resp.StatusCode)
			}
			if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie %s: got HttpOnly=%v Secure=%v SameSite=%v, want true true Lax", name, ck.HttpOnly, ck.Secure, ck.SameSite)
			}
		}
		if resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("no HSTS header with secure cookies")
		}
	})
}

func TestSecurityHeadersOnEveryResponseType(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		cases := []struct{ name, path, wantType string }{
			{"html page", "/", "text/html"},
			{"html error page", "/no-such-page", "text/html"},
			{"json", "/api/v1/calendar/years", "application/json"},
			{"problem json", "/api/v1/me", "application/problem+json"},
			{"stylesheet", e.Srv.static.hashed["app.css"], "text/css"},
			{"script", e.Srv.static.hashed["app.js"], "javascript"},
			{"health", "/healthz", ""},
			{"openapi", "/api/v1/openapi.json", "application/json"},
		}
		for _, c := range cases {
			t.Run(c.name+" carries CSP and frame denial", func(t *testing.T) {
				resp, err := http.Get(e.HTTP.URL + c.path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				h := resp.Header
				if c.wantType != "" && !strings.Contains(h.Get("Content-Type"), c.wantType) {
					t.Errorf("Content-Type: got %q, want %q", h.Get("Content-Type"), c.wantType)
				}
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP %q lacks %q", csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("CSP %q allows inline code", csp)
				}
				if got := h.Get("X-Frame-Options"); got != "DENY" {
					t.Errorf("X-Frame-Options: got %q, want DENY", got)
				}
				if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options: got %q, want nosniff", got)
				}
			})
		}
	})
}

// inlineCode finds what the CSP (script-src 'self'; style-src 'self')
// would block: inline scripts, style blocks and attributes, event handler
// attributes and javascript: URLs.
var inlineCode = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<script(?:(?:\s(?:type|defer|async|nonce)(?:="[^"]*")?)*)\s*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

func TestTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	var n int
	err := filepath.WalkDir("templates", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, loc := range inlineCode.FindAllIndex(raw, -1) {
			line := strings.Count(string(raw[:loc[0]]), "\n") + 1
			t.Errorf("%s:%d: inline code the CSP blocks: %q", path, line, raw[loc[0]:loc[1]])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no templates found")
	}
	t.Run("the scanner catches inline code", func(t *testing.T) {
		for _, bad := range []string{`<script>alert(1)</script>`, `<div style="color:red">`, `<a onclick="x()">`, `<style>p{}</style>`, `<a href="javascript:x()">`} {
			if !inlineCode.MatchString(bad) {
				t.Errorf("scanner misses %q", bad)
			}
		}
		if inlineCode.MatchString(`<script src="/static/app.js" defer></script>`) {
			t.Errorf("scanner flags an external script")
		}
	})
}

func TestPublicTrackingIsRateLimitedPerAddress(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		e.Srv.trackLimit.now = func() time.Time { return now }
		get := func(path, realIP string) (*http.Response, []byte) {
			req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
			if realIP != "" {
				req.Header.Set("X-Real-IP", realIP) // trusted from loopback, as behind a proxy
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp, raw
		}
		const api = "/api/v1/track?no=990121-20260302-000001-4&code=000000"
		for i := 0; i < trackBurst; i++ {
			if resp, _ := get(api, "203.0.113.7"); resp.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("lookup %d within the burst: got 429", i+1)
			}
		}
		t.Run("the API answers 429 problem+json with Retry-After past the burst", func(t *testing.T) {
			resp, raw := get(api, "203.0.113.7")
			var p Problem
			_ = json.Unmarshal(raw, &p)
			if resp.StatusCode != http.StatusTooManyRequests || p.Code != "too_many_lookups" || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("got %d %q Retry-After=%q, want 429 too_many_lookups", resp.StatusCode, p.Code, resp.Header.Get("Retry-After"))
			}
		})
		t.Run("the page answers 429 with a Chinese message", func(t *testing.T) {
			resp, raw := get("/track?no=990121-20260302-000001-4&code=000000", "203.0.113.7")
			if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(raw), "查询过于频繁") {
				t.Fatalf("got %d, want 429 with 查询过于频繁", resp.StatusCode)
			}
		})
		t.Run("the empty tracking form is not limited", func(t *testing.T) {
			if resp, _ := get("/track", "203.0.113.7"); resp.StatusCode != http.StatusOK {
				t.Fatalf("got %d, want 200", resp.StatusCode)
			}
		})
		t.Run("another address is not affected", func(t *testing.T) {
			if resp, _ := get(api, "203.0.113.8"); resp.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("got 429 for a fresh address")
			}
		})
		t.Run("a token comes back after the refill interval", func(t *testing.T) {
			now = now.Add(trackEvery)
			if resp, _ := get(api, "203.0.113.7"); resp.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("got 429 after %v", trackEvery)
			}
			if resp, _ := get(api, "203.0.113.7"); resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("got %d for the second lookup after one refill, want 429", resp.StatusCode)
			}
		})
	})
}

func TestPageFormBodiesAreBounded(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		b := e.browser()
		_, page := b.get("/login")
		m := csrfRe.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no csrf token")
		}
		big := strings.Repeat("x", 2<<20)
		form := url.Values{"login": {big}, "password": {"x"}, csrfField: {m[1]}}
		resp, err := b.c.PostForm(e.HTTP.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "提交的内容过大") {
			t.Fatalf("2 MB url-encoded form: got %d, want 422 提交的内容过大", resp.StatusCode)
		}
	})
}
