package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/reform"
	"banhao.dev/banhao/internal/supervise"
)

// testEnv is a running server on a fresh database.
type testEnv struct {
	t    *testing.T
	DB   *db.DB
	Srv  *Server
	HTTP *httptest.Server
	Auth *auth.Service
	Sim  *clock.Sim
}

// testRegions are inserted by newTestEnv so users and places can refer to them.
var testRegions = [][4]string{
	{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"},
	{"990121", "示范县", "county", "990100"}, {"990122", "东山县", "county", "990100"},
}

// newTestEnv starts the server in demo mode (movable clock frozen at a
// Monday) on d, with cheap password hashing.
func newTestEnv(t *testing.T, d *db.DB) *testEnv {
	t.Helper()
	ctx := context.Background()
	sim := clock.NewFrozen(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)) // 2026-03-02 09:00 Beijing, a Monday
	for _, r := range testRegions {
		var parent any
		if r[3] != "" {
			parent = r[3]
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`, r[0], r[1], r[2], parent, sim.Now()); err != nil {
			t.Fatalf("insert region: %v", err)
		}
	}
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, sim.Now()) }); err != nil {
		t.Fatalf("seed calendar: %v", err)
	}
	a := auth.NewService(d, sim, auth.TestHash)
	cfg := config.Default()
	cfg.Demo = true
	cfg.BlobDir = t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	out := outbox.NewDispatcher(d)
	sink := notify.NewDevSink(d.W, sim)
	out.HandleTx(notify.TopicSMS, sink.SMSTxHandler())
	out.HandleTx(notify.TopicEmail, sink.EmailTxHandler())
	runner := jobs.New(d, "test", log)
	runner.Register("outbox", time.Second, func(ctx context.Context) error {
		_, _, err := out.DeliverBatch(ctx, sim.Now(), 100)
		return err
	})
	blobs, err := blob.NewDir(cfg.BlobDir, 5<<20, blob.DefaultAllowed)
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.New(d, sim)
	cat := catalog.NewService(d, sim)
	if err := cat.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cs := cases.NewService(cases.Deps{DB: d, Clock: sim, Items: cases.CatalogItems{Catalog: cat}, Calendar: cases.CalendarAdapter{Cal: cal},
		Authorizer: cases.PlacesAuthorizer{DB: d}, Notifier: cases.NotifyAdapter{}})
	rat := ratings.NewService(ratings.Deps{DB: d, Clock: sim, Calendar: ratings.WorkingCalendar{Cal: cal}, BaseURL: "http://127.0.0.1",
		Directory: ratings.CasesDirectory{Cases: cs, Catalog: cat, Places: places.NewService(d, sim), Auth: a}})
	sup := supervise.NewService(supervise.Deps{DB: d, Clock: sim, Calendar: cal, Fees: supervise.CatalogFees{Catalog: cat}, Ratings: supervise.RatingsStats{Ratings: rat}})
	sup.Register(out)
	srv, err := New(Deps{Config: cfg, DB: d, Clock: sim, Sim: sim, Auth: a, Log: log, Version: "test",
		Calendar: cal, Outbox: out, Jobs: runner, Blobs: blobs, Catalog: cat, Cases: cs, Reform: reform.NewService(d, sim, cal), Supervise: sup,
		Ratings: rat})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, DB: d, Srv: srv, HTTP: hs, Auth: a, Sim: sim}
}

// mustUser creates a staff user with roles in region (password "Passw0rd!").
func (e *testEnv) mustUser(login, region string, roles ...auth.Role) auth.User {
	e.t.Helper()
	u, err := e.Auth.CreateUser(context.Background(), auth.SystemPrincipal(), auth.NewUser{Kind: auth.KindStaff, Login: login, Name: "测试" + login,
		Password: "Passw0rd!", RegionCode: region, Roles: roles})
	if err != nil {
		e.t.Fatalf("create user %s: %v", login, err)
	}
	return u
}

// mustToken returns a bearer token for login.
func (e *testEnv) mustToken(login string) string {
	e.t.Helper()
	secret, _, err := e.Auth.CreateToken(context.Background(), auth.SystemPrincipal(), login, "test")
	if err != nil {
		e.t.Fatalf("token for %s: %v", login, err)
	}
	return secret
}

// apiCall performs a JSON API request with an optional bearer token and
// decodes the response body into out (if non-nil); it returns the status.
func (e *testEnv) apiCall(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// browser is a cookie-keeping HTTP client for page tests.
type browser struct {
	t *testing.T
	e *testEnv
	c *http.Client
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// get fetches a page and returns status and body.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.e.HTTP.URL + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// post submits a form from page `from` (to pick up its CSRF token) and
// follows redirects; it returns the final status, body and URL path.
func (b *browser) post(from, action string, form url.Values) (int, string, string) {
	b.t.Helper()
	_, page := b.get(from)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf token on %s", from)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", m[1])
	resp, err := b.c.PostForm(b.e.HTTP.URL+action, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", action, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Request.URL.Path
}

// login logs the browser in.
func (b *browser) login(login, password string) {
	b.t.Helper()
	status, body, path := b.post("/login", "/login", url.Values{"login": {login}, "password": {password}})
	if status != http.StatusOK || path == "/login" {
		b.t.Fatalf("login %s: status %d at %s: %s", login, status, path, firstLine(body, "form-error"))
	}
}

func firstLine(body, marker string) string {
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	end := i + 300
	if end > len(body) {
		end = len(body)
	}
	return body[i:end]
}

func strconvI(n int64) string { return strings.TrimSpace(strings.Replace(jsonNum(n), "\n", "", -1)) }

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
