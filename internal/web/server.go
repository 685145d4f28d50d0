// Package web serves banhao over HTTP: the public portal, the staff
// workbench, the JSON API under /api/v1 and the operational endpoints.
//
// Each area adds its routes in its own files (pages in area.go, API in
// area_api.go, templates area*.html, its OpenAPI fragment in
// openapi/area.json) through Server.page / Server.api, and its navigation
// entries through Server.nav. Handlers are thin: parse → validate → call the
// area service → respond. Errors are mapped once, in fail().
package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/jobs"
	"banhao.dev/banhao/internal/platform/outbox"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/reform"
	"banhao.dev/banhao/internal/supervise"
)

// Deps are the services the web layer calls. Areas add fields here.
type Deps struct {
	Config config.Config
	DB     *db.DB
	Clock  clock.Clock
	Sim    *clock.Sim // non-nil only in demo mode
	Auth   *auth.Service
	Places *places.Service // built from DB and Clock when nil
	Log    *slog.Logger
	// Platform services.
	Calendar *calendar.Calendar
	Outbox   *outbox.Dispatcher
	Jobs     *jobs.Runner
	Blobs    blob.Store
	// Areas.
	Catalog   *catalog.Service
	Cases     *cases.Service
	Reform    *reform.Service
	Supervise *supervise.Service
	Ratings   *ratings.Service
	// Version is printed in the footer and /healthz.
	Version string
}

// Route is one registered pattern, kept for the OpenAPI and authorization tests.
type Route struct {
	Pattern string // "GET /api/v1/calendar/{date}"
	API     bool
}

// NavItem is an entry of the role navigation.
type NavItem struct {
	Label string
	Href  string
	Roles []auth.Role // empty: anonymous visitors (public nav)
	Order int
}

// Server is the HTTP server.
type Server struct {
	Deps
	mux        *http.ServeMux
	routes     []Route
	navs       []NavItem
	tmpl       *templates
	static     *staticFiles
	once       sync.Once
	metrics    *metrics
	trackLimit *limiter // public progress tracking, per client address
}

// New builds the server and registers every area's routes.
func New(deps Deps) (*Server, error) {
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	s := &Server{Deps: deps, mux: http.NewServeMux()}
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.tmpl, err = parseTemplates(s.funcs()); err != nil {
		return nil, err
	}
	s.metrics = newMetrics()
	s.trackLimit = newLimiter(trackBurst, trackEvery)
	s.registerOps()
	s.registerAuth()
	s.registerHome()
	s.registerUsers()
	s.registerAdmin()
	s.registerCalendar()
	s.registerPlatform()
	s.registerPlaces()
	s.registerCasePages()
	s.registerReform()
	s.registerCasesAPI()
	s.registerSupervise()
	s.registerLightRules()
	s.registerRatingRules()
	s.registerRatings()
	s.registerCatalogAdmin()
	s.registerCatalog()
	return s, nil
}

// Handler returns the root handler with middleware applied.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.observe(s.securityHeaders(s.throttleTracking(s.trackLimit, s.limitForms(s.authenticate(s.csrf(s.mux)))))))
}

// Routes lists every registered pattern.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// page registers a UI route.
func (s *Server) page(pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern})
	s.mux.HandleFunc(pattern, h)
}

// api registers a JSON API route (documented in the OpenAPI document).
func (s *Server) api(pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, API: true})
	s.mux.HandleFunc(pattern, h)
}

// nav adds a navigation entry for roles (none: public).
func (s *Server) nav(order int, label, href string, roles ...auth.Role) {
	s.navs = append(s.navs, NavItem{Label: label, Href: href, Roles: roles, Order: order})
}

type ctxKey int

const (
	principalKey ctxKey = iota
	sessionKey
)

// principal returns the authenticated caller of r, or nil.
func principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey).(*auth.Principal)
	return p
}

func withPrincipal(r *http.Request, p *auth.Principal, sess *auth.Session) *http.Request {
	ctx := context.WithValue(r.Context(), principalKey, p)
	if sess != nil {
		ctx = context.WithValue(ctx, sessionKey, sess)
	}
	return r.WithContext(ctx)
}

func session(r *http.Request) *auth.Session {
	s, _ := r.Context().Value(sessionKey).(*auth.Session)
	return s
}
