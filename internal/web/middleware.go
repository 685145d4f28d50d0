package web

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
)

const (
	sessionCookie = "bh_session"
	csrfCookie    = "bh_csrf"
	elderlyCookie = "bh_elderly"
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
)

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverer turns a panic into a 500 and logs it once.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "method", r.Method, "path", logPath(r), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// observe logs each request (ids only, no personal data) and records metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		d := time.Since(start)
		s.metrics.observe(pattern, sw.status, d)
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			return
		}
		uid := int64(0)
		if p := principal(r); p != nil {
			uid = p.UserID
		}
		s.Log.Debug("request", "method", r.Method, "pattern", pattern, "status", sw.status, "ms", d.Milliseconds(), "user_id", uid)
	})
}

// securityHeaders sets a strict CSP (no inline script), frame denial and friends.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if s.Config.SecureCookie {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves a bearer token (API) or a session cookie.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.fail(w, r, auth.ErrBadToken)
				return
			}
			p, err := s.Auth.PrincipalByToken(r.Context(), strings.TrimSpace(tok))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, withPrincipal(r, p, nil))
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, err := s.Auth.SessionByToken(r.Context(), c.Value)
			if err == nil {
				next.ServeHTTP(w, withPrincipal(r, sess.Principal, &sess))
				return
			}
			// Expired or unknown session: drop the cookie and continue anonymously.
			http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookie})
		}
		next.ServeHTTP(w, r)
	})
}

// ErrCSRF is returned when a state-changing form lacks a valid token.
var ErrCSRF = errs.E(errs.Forbidden, "csrf", "页面已过期或请求来源不明，请刷新页面后重试")

// csrf checks the token of every state-changing request made with cookies:
// the session's token when logged in, a double-submit cookie otherwise (so
// login and registration forms are protected too). Bearer-token API calls
// carry no ambient credentials and need none.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("Authorization") != "" {
			next.ServeHTTP(w, r)
			return
		}
		sess := session(r)
		isAPI := strings.HasPrefix(r.URL.Path, "/api/")
		if isAPI && sess == nil {
			// No cookie credentials: nothing for a forged request to ride on.
			next.ServeHTTP(w, r)
			return
		}
		want := ""
		if sess != nil {
			want = sess.CSRF
		} else if c, err := r.Cookie(csrfCookie); err == nil {
			want = c.Value
		}
		got := r.Header.Get(csrfHeader)
		if got == "" && !isAPI {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				if err := r.ParseMultipartForm(int64(s.Config.MaxUploadMB) << 20); err != nil && isTooLarge(err) {
					s.fail(w, r, ErrFormTooLarge)
					return
				}
			} else if err := r.ParseForm(); err != nil && isTooLarge(err) {
				s.fail(w, r, ErrFormTooLarge)
				return
			}
			got = r.PostFormValue(csrfField)
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.fail(w, r, ErrCSRF)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csrfToken returns the token to embed in forms, setting the anonymous
// double-submit cookie when needed.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if sess := session(r); sess != nil {
		return sess.CSRF
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 16 {
		return c.Value
	}
	tok := newToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookie})
	// Make the token visible to the rest of this request's rendering.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// logPath is what logs say about a request's path: its route pattern when
// the mux has matched it, else the path with secret segments (the rating
// link's token) masked. Logs carry ids only, never tokens or personal data.
func logPath(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/rate/"); ok && !strings.HasPrefix(rest, "window/") && rest != "kiosk" && !strings.HasPrefix(rest, "kiosk/") {
		return "/rate/***"
	}
	return r.URL.Path
}

// clientIP is the peer address (a proxy in front should set X-Real-IP; we
// trust it only from loopback).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		if x := r.Header.Get("X-Real-IP"); x != "" {
			return x
		}
	}
	return host
}
