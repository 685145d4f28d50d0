package web

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/ratings"
)

// The authorization matrix: every registered route (pages and API) is
// requested by every principal below, on the demo seed (with its living
// cases), and the outcome is classified as allowed (any status but 401/403)
// or denied (401 for anonymous, 403 for everybody else). The expected
// classification is the table authzTable; a route without an entry, or an
// entry without a route, fails the test — a new route cannot slip in
// without someone deciding who may use it.
//
// Run with BANHAO_AUTHZ_DUMP=1 to print the observed table (to review and
// paste when a route is added).

// Principals of the matrix.
const (
	pAnon       = "anon"
	pPerson     = "person"
	pEnterprise = "enterprise"
	pClerk      = "clerk"
	pReviewer   = "reviewer"
	pApprover   = "approver"
	pSupervisor = "supervisor"
	pCatalog    = "catalog_admin"
	pHotline    = "hotline_agent"
	pAgency     = "agency"
	pAdmin      = "admin"
	pOtherStaff = "other_staff" // every staff role but admin, in 东山县 (990122)
	pOtherAdmin = "other_admin" // admin of 东山县 (990122)
)

var authzPrincipals = []string{pAnon, pPerson, pEnterprise, pClerk, pReviewer, pApprover, pSupervisor,
	pCatalog, pHotline, pAgency, pAdmin, pOtherStaff, pOtherAdmin}

// Shorthands of the table: a set of principals by name, or a group.
const (
	public   = "public"   // everybody, anonymous included
	loggedIn = "loggedin" // every principal but anonymous
)

// authzGroups expand the group names the table may use.
var authzGroups = map[string][]string{
	public:      authzPrincipals,
	loggedIn:    authzPrincipals[1:],
	"applicant": {pPerson, pEnterprise},
	"staff":     {pClerk, pReviewer, pApprover, pSupervisor, pCatalog, pHotline, pAgency, pAdmin, pOtherStaff, pOtherAdmin},
	"admins":    {pAdmin, pOtherAdmin},
}

// expandAuthz turns "clerk reviewer admins" into the set of principals.
func expandAuthz(spec string) map[string]bool {
	set := map[string]bool{}
	for _, f := range strings.Fields(spec) {
		if g, ok := authzGroups[f]; ok {
			for _, p := range g {
				set[p] = true
			}
			continue
		}
		set[f] = true
	}
	return set
}

// authzEnv is the server with the demo seed and a token per principal.
type authzEnv struct {
	*testEnv
	tok  map[string]string       // API: bearer token
	sess map[string]auth.Session // pages: session cookie and its CSRF token
	val  map[string]string       // resolved path parameters
}

func newAuthzEnv(t *testing.T, d *db.DB) *authzEnv {
	t.Helper()
	e := newTestEnv(t, d)
	ctx := context.Background()
	if err := demo.Seed(ctx, d, e.Auth, demo.Services{Catalog: e.Srv.Catalog, Cases: e.Srv.Cases, Blobs: e.Srv.Blobs}, e.Sim.Now()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	ae := &authzEnv{testEnv: e, tok: map[string]string{}, sess: map[string]auth.Session{}, val: map[string]string{}}
	logins := map[string]string{pPerson: demo.Accounts()[0].Login, pEnterprise: demo.Accounts()[1].Login, pClerk: "clerk",
		pReviewer: "reviewer", pApprover: "approver", pSupervisor: "supervisor", pCatalog: "catalog", pHotline: "hotline",
		pAgency: "agency", pAdmin: "admin", pOtherStaff: "ds-staff", pOtherAdmin: "ds-admin"}
	e.mustUser("ds-staff", "990122", auth.Clerk, auth.Reviewer, auth.Approver, auth.Supervisor, auth.CatalogAdmin, auth.HotlineAgent)
	e.mustUser("ds-admin", "990122", auth.Admin)
	for _, p := range authzPrincipals[1:] { // fixed order: token ids are deterministic
		ae.tok[p] = e.mustToken(logins[p])
		pw := demo.Password
		if strings.HasPrefix(logins[p], "ds-") {
			pw = "Passw0rd!"
		}
		sess, err := e.Auth.Login(ctx, logins[p], pw, "127.0.0.1")
		if err != nil {
			t.Fatalf("login %s: %v", logins[p], err)
		}
		ae.sess[p] = sess
	}
	// A spare token of the person, for the token revocation routes.
	e.mustToken(logins[pPerson])
	// A complaint by the enterprise about a demo item, so the complaint
	// routes have a record whose access depends on who asks.
	ent, err := e.Auth.UserByLogin(ctx, logins[pEnterprise])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Srv.Ratings.FileComplaint(ctx, ent.Principal(), ratings.ComplaintRequest{Subject: "item",
		ItemCode: "0100001000-990121-01", Content: "网上申请时材料清单说明不清楚，请核查"}); err != nil {
		t.Fatalf("file complaint: %v", err)
	}
	ae.resolveValues(t)
	return ae
}

// resolveValues picks real ids from the seeded database for path parameters.
func (e *authzEnv) resolveValues(t *testing.T) {
	t.Helper()
	q := func(key, query, fallback string) {
		var v sql.NullString
		err := e.DB.R.QueryRowContext(context.Background(), query).Scan(&v)
		if err != nil || !v.Valid || v.String == "" {
			e.val[key] = fallback
			return
		}
		e.val[key] = v.String
	}
	q("no", `SELECT MIN(no) FROM cases`, "X")
	q("hash", `SELECT MIN(m.blob_hash) FROM case_materials m JOIN cases c ON c.id = m.case_id WHERE m.blob_hash <> '' AND c.no = (SELECT MIN(no) FROM cases)`, "0")
	q("doc", `SELECT MIN(number) FROM case_documents`, "X")
	q("code", `SELECT MIN(code) FROM items WHERE code LIKE '0100001000-990121-01'`, "X")
	q("number", `SELECT MIN(number) FROM checklists`, "X")
	q("region", `SELECT '990121'`, "990121")
	q("regions", `SELECT '990121001001'`, "990121001001")
	q("orgs", `SELECT CAST(MIN(id) AS TEXT) FROM orgs WHERE region_code = '990121'`, "1")
	q("halls", `SELECT CAST(MIN(id) AS TEXT) FROM halls`, "1")
	q("areas", `SELECT CAST(MIN(id) AS TEXT) FROM service_areas`, "1")
	q("windows", `SELECT CAST(MIN(id) AS TEXT) FROM windows`, "1")
	q("window-authorizations", `SELECT CAST(MIN(id) AS TEXT) FROM window_authorizations`, "1")
	q("authorizations", `SELECT CAST(MIN(id) AS TEXT) FROM window_authorizations`, "1")
	q("users", `SELECT CAST(MIN(id) AS TEXT) FROM users WHERE login = 'reviewer'`, "1")
	q("user", `SELECT CAST(MIN(id) AS TEXT) FROM users WHERE login = 'clerk'`, "1")
	q("tokens", `SELECT CAST(MAX(id) AS TEXT) FROM api_tokens`, "1")
	q("notifications", `SELECT CAST(MIN(id) AS TEXT) FROM notifications`, "1")
	q("outbox", `SELECT CAST(MIN(id) AS TEXT) FROM outbox`, "1")
	q("adjustments", `SELECT CAST(MIN(id) AS TEXT) FROM adjustment_batches`, "1")
	q("ratings", `SELECT CAST(MIN(id) AS TEXT) FROM ratings`, "1")
	q("rectifications", `SELECT CAST(MIN(id) AS TEXT) FROM rectifications`, "1")
	q("appeals", `SELECT CAST(MIN(id) AS TEXT) FROM rating_appeals`, "1")
	q("complaints", `SELECT CAST(MIN(id) AS TEXT) FROM complaints`, "1")
	q("findings", `SELECT CAST(MIN(id) AS TEXT) FROM supervise_findings`, "1")
	q("tasks", `SELECT CAST(MIN(id) AS TEXT) FROM reform_tasks`, "1")
	q("letters", `SELECT CAST(MIN(id) AS TEXT) FROM reform_letters`, "1")
	q("window_id", `SELECT CAST(MIN(id) AS TEXT) FROM windows`, "1")
}

// fill replaces every {param} of path with a real value; {id} is resolved
// by the path segment before it (".../windows/{id}" → a window id).
func (e *authzEnv) fill(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		name := strings.Trim(s, "{}$.")
		switch name {
		case "id":
			prev := segs[i-1]
			v, ok := e.val[prev]
			if !ok {
				v = "1"
			}
			segs[i] = v
		case "code":
			if segs[i-1] == "regions" {
				segs[i] = e.val["regions"]
			} else {
				segs[i] = e.val["code"]
			}
		case "action":
			segs[i] = authzAction(path)
		case "date":
			segs[i] = "2026-10-01"
		case "year":
			segs[i] = "2026"
		case "version":
			segs[i] = "1"
		case "name":
			segs[i] = "outbox"
		case "token":
			segs[i] = "bogus-token"
		case "":
			segs[i] = ""
		default:
			if v, ok := e.val[name]; ok {
				segs[i] = v
			} else {
				segs[i] = "1"
			}
		}
	}
	return strings.Join(segs, "/")
}

// authzAction is an existing action name per resource (the first path
// segment after /api/v1/ and /admin/); services decide authorization
// before the state check, so the action's state need not fit.
func authzAction(path string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "/api/v1"), "/admin")
	resource, _, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	switch resource {
	case "supervise":
		return "acknowledge"
	case "rectifications", "items":
		return "submit"
	case "complaints":
		return "assign"
	}
	return "accept"
}

// authzRequest performs one cheap request as principal p and returns the status.
func (e *authzEnv) authzRequest(t *testing.T, pattern, method, path, p string) int {
	t.Helper()
	var body io.Reader
	ct := ""
	isAPI := strings.HasPrefix(path, "/api/")
	csrf := "authz-matrix-csrf-token" // the anonymous double-submit token
	if s, ok := e.sess[p]; ok {
		csrf = s.CSRF
	}
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if isAPI {
			body, ct = strings.NewReader(`{}`), "application/json"
		} else {
			form := authzForms[pattern]
			if form != "" {
				form += "&"
			}
			body, ct = strings.NewReader(form+csrfField+"="+csrf), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	switch {
	case p == pAnon:
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrf})
	case isAPI:
		req.Header.Set("Authorization", "Bearer "+e.tok[p])
	default:
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sess[p].Token})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, path, p, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestAuthorizationMatrix(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newAuthzEnv(t, d)
		routes := e.Srv.Routes()
		seen := map[string]bool{}
		for _, r := range routes {
			seen[r.Pattern] = true
			if _, ok := authzTable[r.Pattern]; !ok {
				t.Errorf("route %q has no entry in authzTable: decide who may use it", r.Pattern)
			}
		}
		for pattern := range authzTable {
			if !seen[pattern] {
				t.Errorf("authzTable names %q, which is no longer a route", pattern)
			}
		}
		// State-changing routes run last, destructive ones (DELETE, revoke,
		// logout) at the very end, so earlier requests see the seed intact.
		sort.SliceStable(routes, func(i, j int) bool { return authzRank(routes[i].Pattern) < authzRank(routes[j].Pattern) })
		dump := os.Getenv("BANHAO_AUTHZ_DUMP") != ""
		var lines []string
		cells := 0
		for _, r := range routes {
			method, path, _ := strings.Cut(r.Pattern, " ")
			url := e.fill(path)
			want := expandAuthz(authzTable[r.Pattern])
			var got, statuses []string
			// Denied principals first: an allowed request may change state.
			order := slices.Clone(authzPrincipals)
			sort.SliceStable(order, func(i, j int) bool { return !want[order[i]] && want[order[j]] })
			for _, p := range order {
				status := e.authzRequest(t, r.Pattern, method, url, p)
				cells++
				statuses = append(statuses, fmt.Sprintf("%s=%d", p, status))
				allowed := status != http.StatusUnauthorized && status != http.StatusForbidden
				if allowed {
					got = append(got, p)
				}
				if dump {
					continue
				}
				switch {
				case want[p] && !allowed:
					t.Errorf("%s (%s) as %s: got %d, want allowed", r.Pattern, url, p, status)
				case !want[p] && allowed:
					t.Errorf("%s (%s) as %s: got %d, want denied", r.Pattern, url, p, status)
				case !want[p] && p == pAnon && status != http.StatusUnauthorized:
					t.Errorf("%s (%s) as anonymous: got %d, want 401", r.Pattern, url, status)
				case !want[p] && p != pAnon && status != http.StatusForbidden:
					t.Errorf("%s (%s) as %s: got %d, want 403", r.Pattern, url, p, status)
				}
			}
			if dump {
				if os.Getenv("BANHAO_AUTHZ_DUMP") == "status" {
					fmt.Printf("# %s %s: %s\n", r.Pattern, url, strings.Join(statuses, " "))
				}
				lines = append(lines, fmt.Sprintf("\t%q: %q,", r.Pattern, compactAuthz(got)))
			}
		}
		if dump {
			sort.Strings(lines)
			fmt.Println(strings.Join(lines, "\n"))
		}
		t.Logf("authorization matrix: %d routes × %d principals = %d requests", len(routes), len(authzPrincipals), cells)
	})
}

// authzForms are the minimal form fields some page routes need before
// their service can decide authorization (the region a batch is for).
var authzForms = map[string]string{
	"POST /admin/adjustments": "region_code=990121",
	// Whole numbers but no stage: the demo county's supervisor and admin get
	// the stage error, 东山县's are refused by the service's scope check.
	"POST /supervise/rating-rules": "region_code=990121&window_days=5&callback_days=1&rectify_days=15&complaint_days=5",
}

// authzRank orders routes: reads, then writes, then destructive writes.
func authzRank(pattern string) int {
	method, path, _ := strings.Cut(pattern, " ")
	switch {
	case method == http.MethodGet:
		return 0
	case path == "/logout": // ends the principal's session: the very last
		return 3
	case method == http.MethodDelete, strings.HasSuffix(path, "/delete"), strings.HasSuffix(path, "/revoke"),
		strings.HasSuffix(path, "/remove"):
		return 2
	}
	return 1
}

// compactAuthz writes a principal set with the table's shorthands.
func compactAuthz(got []string) string {
	set := map[string]bool{}
	for _, p := range got {
		set[p] = true
	}
	var out []string
	for _, g := range []string{public, loggedIn, "staff", "applicant", "admins"} {
		members := authzGroups[g]
		all := true
		for _, m := range members {
			if !set[m] {
				all = false
				break
			}
		}
		if all {
			out = append(out, g)
			for _, m := range members {
				delete(set, m)
			}
		}
	}
	for _, p := range authzPrincipals {
		if set[p] {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// authzTable is who may use each route (see expandAuthz for the
// shorthands; "" is nobody, used when the minimal request cannot get past
// the service's own checks for anyone). Region-scoped staff routes let in
// the demo county's staff and refuse 东山县's (other_staff, other_admin);
// list routes let both in and filter by region. A 404 for a principal
// counts as allowed here (the record is hidden from them, which leaks
// nothing either).
var authzTable = map[string]string{
	"GET /supervise/light-rules":                            "supervisor admin other_staff other_admin",
	"POST /supervise/light-rules":                           "supervisor admin other_staff other_admin",
	"GET /api/v1/light-rules":                               "supervisor admin other_staff other_admin",
	"PUT /api/v1/light-rules/{region}":                      "supervisor admin",
	"GET /supervise/rating-rules":                           "supervisor admin other_staff other_admin",
	"POST /supervise/rating-rules":                          "supervisor admin",
	"GET /verifications":                                    "reviewer approver other_staff",
	"GET /api/v1/verifications":                             "reviewer approver supervisor other_staff",
	"POST /verifications/{id}/close":                        "reviewer approver other_staff",
	"POST /api/v1/verifications/{id}/close":                 "reviewer approver other_staff",
	"DELETE /api/v1/areas/{id}":                             "admin",
	"DELETE /api/v1/calendar/days/{date}":                   "admins",
	"DELETE /api/v1/halls/{id}":                             "admin",
	"DELETE /api/v1/rating-rules/{region}":                  "supervisor admin",
	"DELETE /api/v1/orgs/{id}":                              "admin",
	"DELETE /api/v1/regions/{code}":                         "admin",
	"DELETE /api/v1/tokens/{id}":                            "admins person",
	"DELETE /api/v1/windows/{id}":                           "catalog_admin admin",
	"DELETE /api/v1/windows/{id}/staff/{user}":              "admin",
	"GET /account":                                          "loggedin",
	"GET /adjustments":                                      "public",
	"GET /adjustments/{id}":                                 "public",
	"GET /admin/adjustments":                                "supervisor catalog_admin other_staff",
	"GET /admin/adjustments/new":                            "supervisor catalog_admin other_staff",
	"GET /admin/adjustments/{id}":                           "supervisor catalog_admin other_staff",
	"GET /admin/areas/{id}":                                 "admins",
	"GET /admin/authorizations":                             "admins catalog_admin other_staff",
	"GET /admin/authorizations/new":                         "admins catalog_admin other_staff",
	"GET /admin/authorizations/{id}":                        "catalog_admin admin",
	"GET /admin/calendar":                                   "admins",
	"GET /admin/clock":                                      "admins",
	"GET /admin/halls":                                      "admins catalog_admin other_staff",
	"GET /admin/halls/new":                                  "admins",
	"GET /admin/halls/{id}":                                 "admins catalog_admin other_staff",
	"GET /admin/halls/{id}/areas/new":                       "admins",
	"GET /admin/items":                                      "supervisor catalog_admin other_staff",
	"GET /admin/items/export":                               "supervisor catalog_admin other_staff",
	"GET /admin/items/import":                               "supervisor catalog_admin other_staff",
	"GET /admin/items/new":                                  "supervisor catalog_admin other_staff",
	"GET /admin/items/template":                             "supervisor catalog_admin other_staff",
	"GET /admin/items/{code}":                               "supervisor catalog_admin",
	"GET /admin/items/{code}/versions":                      "supervisor catalog_admin",
	"GET /admin/jobs":                                       "admins",
	"GET /admin/messages":                                   "admins",
	"GET /admin/orgs":                                       "admins",
	"GET /admin/orgs/new":                                   "admins",
	"GET /admin/orgs/{id}":                                  "admins",
	"GET /admin/outbox":                                     "admins",
	"GET /admin/regions":                                    "admins",
	"GET /admin/regions/new":                                "admins",
	"GET /admin/regions/{code}":                             "admins",
	"GET /admin/synonyms":                                   "supervisor catalog_admin other_staff",
	"GET /admin/users":                                      "admins",
	"GET /admin/users/new":                                  "admins",
	"GET /admin/users/{id}":                                 "admin",
	"GET /admin/windows/new":                                "admins catalog_admin other_staff",
	"GET /admin/windows/{id}":                               "catalog_admin admin",
	"GET /api/v1/adjustments":                               "public",
	"GET /api/v1/adjustments/{id}":                          "public",
	"GET /api/v1/admin/clock":                               "admins",
	"GET /api/v1/admin/dev-messages":                        "admins",
	"GET /api/v1/admin/items":                               "supervisor catalog_admin other_staff",
	"GET /api/v1/admin/items/export":                        "supervisor catalog_admin other_staff",
	"GET /api/v1/admin/items/template":                      "supervisor catalog_admin other_staff",
	"GET /api/v1/admin/jobs":                                "admins",
	"GET /api/v1/admin/outbox":                              "admins",
	"GET /api/v1/admin/synonyms":                            "supervisor catalog_admin other_staff",
	"GET /api/v1/appeals":                                   "clerk reviewer approver supervisor other_staff",
	"GET /api/v1/areas/{id}":                                "public",
	"GET /api/v1/calendar/add-working-days":                 "public",
	"GET /api/v1/calendar/deadline":                         "public",
	"GET /api/v1/calendar/years":                            "public",
	"GET /api/v1/calendar/years/{year}":                     "public",
	"GET /api/v1/calendar/{date}":                           "public",
	"GET /api/v1/cases":                                     "loggedin",
	"GET /api/v1/cases/{no}":                                "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /api/v1/cases/{no}/files/{hash}":                   "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /api/v1/cases/{no}/timeline":                       "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /api/v1/checklists/{number}":                       "public",
	"GET /api/v1/complaints":                                "applicant admins clerk reviewer approver supervisor other_staff",
	"GET /api/v1/complaints/{id}":                           "loggedin",
	"GET /api/v1/halls":                                     "public",
	"GET /api/v1/halls/{id}":                                "public",
	"GET /api/v1/halls/{id}/areas":                          "public",
	"GET /api/v1/items":                                     "public",
	"GET /api/v1/items/facets":                              "public",
	"GET /api/v1/items/{code}":                              "public",
	"GET /api/v1/items/{code}/changes":                      "public",
	"GET /api/v1/items/{code}/diff":                         "public",
	"GET /api/v1/items/{code}/versions":                     "public",
	"GET /api/v1/items/{code}/versions/{version}":           "public",
	"GET /api/v1/me":                                        "loggedin",
	"GET /api/v1/notifications":                             "loggedin",
	"GET /api/v1/openapi.json":                              "public",
	"GET /api/v1/orgs":                                      "public",
	"GET /api/v1/orgs/{id}":                                 "public",
	"GET /api/v1/rating-rules":                              "supervisor admin other_staff other_admin",
	"GET /api/v1/rating-rules/{region}":                     "loggedin",
	"GET /api/v1/ratings":                                   "applicant admins clerk reviewer approver supervisor other_staff",
	"GET /api/v1/ratings/aggregate":                         "public",
	"GET /api/v1/ratings/tags":                              "public",
	"GET /api/v1/ratings/{id}":                              "loggedin",
	"GET /api/v1/rectifications":                            "clerk reviewer approver supervisor other_staff",
	"GET /api/v1/rectifications/{id}":                       "loggedin",
	"GET /api/v1/reform/letters":                            "staff",
	"GET /api/v1/reform/reports/monthly":                    "supervisor other_staff",
	"GET /api/v1/reform/tasks":                              "staff",
	"GET /api/v1/reform/tasks/{id}":                         "reviewer approver supervisor",
	"GET /api/v1/regions":                                   "public",
	"GET /api/v1/regions/{code}":                            "public",
	"GET /api/v1/reports/monthly":                           "public",
	"GET /api/v1/scoreboard":                                "public",
	"GET /api/v1/stats/cases":                               "admins supervisor other_staff",
	"GET /api/v1/stats/catalog":                             "public",
	"GET /api/v1/supervise/cards":                           "admins supervisor other_staff",
	"GET /api/v1/supervise/dashboard":                       "admins supervisor other_staff",
	"GET /api/v1/supervise/findings":                        "admins supervisor other_staff",
	"GET /api/v1/supervise/findings/{id}":                   "admins supervisor other_staff",
	"GET /api/v1/tokens":                                    "loggedin",
	"GET /api/v1/track":                                     "public",
	"GET /api/v1/users":                                     "admins",
	"GET /api/v1/users/{id}":                                "admin",
	"GET /api/v1/window-authorizations":                     "staff",
	"GET /api/v1/window-authorizations/{id}":                "clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /api/v1/windows":                                   "public",
	"GET /api/v1/windows/{id}":                              "public",
	"GET /api/v1/windows/{id}/authorization":                "staff",
	"GET /api/v1/windows/{id}/staff":                        "clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /appeals":                                          "clerk reviewer approver supervisor other_staff",
	"GET /apply/{code}":                                     "applicant",
	"GET /browse":                                           "public",
	"GET /calendar":                                         "public",
	"GET /cases/{no}":                                       "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /cases/{no}/documents/{doc}":                       "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /cases/{no}/qr.png":                                "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"GET /catalog/metrics":                                  "public",
	"GET /checklists":                                       "public",
	"GET /checklists/{number}":                              "public",
	"GET /checklists/{number}/qr.png":                       "public",
	"GET /complaints":                                       "applicant admins clerk reviewer approver supervisor other_staff",
	"GET /complaints/new":                                   "public",
	"GET /complaints/{id}":                                  "loggedin",
	"GET /files/{hash}":                                     "public",
	"GET /halls":                                            "public",
	"GET /healthz":                                          "public",
	"GET /inbox":                                            "reviewer approver other_staff",
	"GET /items/{code}":                                     "public",
	"GET /items/{code}/changes":                             "public",
	"GET /items/{code}/checklist":                           "public",
	"GET /login":                                            "public",
	"GET /metrics":                                          "public",
	"GET /my":                                               "applicant",
	"GET /my/cases":                                         "applicant",
	"GET /my/cases/{no}":                                    "public",
	"GET /my/cases/{no}/rate":                               "enterprise",
	"GET /my/ratings":                                       "applicant",
	"GET /notifications":                                    "loggedin",
	"GET /rate/kiosk":                                       "public",
	"GET /rate/window/{window_id}":                          "public",
	"GET /rate/{token}":                                     "public",
	"GET /ratings":                                          "public",
	"GET /readyz":                                           "public",
	"GET /rectifications":                                   "clerk reviewer approver supervisor other_staff",
	"GET /rectifications/{id}":                              "clerk reviewer approver supervisor other_staff",
	"GET /reform":                                           "staff",
	"GET /reform/letters":                                   "staff",
	"GET /reform/letters/{id}":                              "clerk supervisor catalog_admin hotline_agent",
	"GET /reform/reports/monthly":                           "supervisor other_staff",
	"GET /reform/tasks/new":                                 "supervisor other_staff",
	"GET /reform/tasks/{id}":                                "reviewer approver supervisor",
	"GET /reform/tasks/{id}/edit":                           "supervisor",
	"GET /reform/tasks/{id}/files/{hash}":                   "reviewer approver supervisor",
	"GET /register":                                         "public",
	"GET /scoreboard":                                       "public",
	"GET /search":                                           "public",
	"GET /supervise":                                        "admins supervisor other_staff",
	"GET /supervise/reports/monthly":                        "admins supervisor other_staff",
	"GET /track":                                            "public",
	"GET /window":                                           "clerk other_staff",
	"GET /window/new":                                       "clerk other_staff",
	"GET /workbench":                                        "staff",
	"GET /{$}":                                              "public",
	"PATCH /api/v1/areas/{id}":                              "admin",
	"PATCH /api/v1/halls/{id}":                              "admin",
	"PATCH /api/v1/orgs/{id}":                               "admin",
	"PATCH /api/v1/window-authorizations/{id}":              "catalog_admin admin",
	"PATCH /api/v1/windows/{id}":                            "catalog_admin admin",
	"POST /account/tokens":                                  "loggedin",
	"POST /account/tokens/{id}/revoke":                      "admins person",
	"POST /admin/adjustments":                               "catalog_admin",
	"POST /admin/adjustments/{id}/publish":                  "supervisor catalog_admin other_staff",
	"POST /admin/areas/{id}":                                "admin",
	"POST /admin/areas/{id}/delete":                         "admin",
	"POST /admin/authorizations":                            "admins catalog_admin other_staff",
	"POST /admin/authorizations/{id}":                       "catalog_admin admin",
	"POST /admin/authorizations/{id}/revoke":                "catalog_admin admin",
	"POST /admin/calendar/days":                             "admins",
	"POST /admin/calendar/days/{date}/delete":               "admins",
	"POST /admin/calendar/import":                           "admins",
	"POST /admin/calendar/years/{year}/loaded":              "admins",
	"POST /admin/clock":                                     "admins",
	"POST /admin/halls":                                     "admins",
	"POST /admin/halls/{id}":                                "admin",
	"POST /admin/halls/{id}/areas":                          "admin",
	"POST /admin/halls/{id}/delete":                         "admin",
	"POST /admin/items":                                     "supervisor catalog_admin other_staff",
	"POST /admin/items/import":                              "supervisor catalog_admin other_staff",
	"POST /admin/items/{code}":                              "supervisor catalog_admin",
	"POST /admin/items/{code}/actions/{action}":             "catalog_admin",
	"POST /admin/jobs/{name}/run":                           "admins",
	"POST /admin/orgs":                                      "admins",
	"POST /admin/orgs/{id}":                                 "admin",
	"POST /admin/orgs/{id}/delete":                          "admin",
	"POST /admin/outbox/{id}/retry":                         "admins",
	"POST /admin/regions":                                   "admins",
	"POST /admin/regions/{code}":                            "admin",
	"POST /admin/regions/{code}/delete":                     "admin",
	"POST /admin/synonyms":                                  "catalog_admin other_staff",
	"POST /admin/users":                                     "admins",
	"POST /admin/users/{id}":                                "admin",
	"POST /admin/windows":                                   "admins catalog_admin other_staff",
	"POST /admin/windows/{id}":                              "catalog_admin admin",
	"POST /admin/windows/{id}/delete":                       "catalog_admin admin",
	"POST /admin/windows/{id}/staff":                        "admin",
	"POST /admin/windows/{id}/staff/{user}/remove":          "admin",
	"POST /api/v1/adjustments":                              "catalog_admin other_staff",
	"POST /api/v1/adjustments/{id}/publish":                 "supervisor catalog_admin other_staff",
	"POST /api/v1/admin/clock":                              "admins",
	"POST /api/v1/admin/items/import":                       "catalog_admin other_staff",
	"POST /api/v1/admin/jobs/{name}/run":                    "admins",
	"POST /api/v1/admin/outbox/{id}/retry":                  "admins",
	"POST /api/v1/appeals/{id}/decide":                      "supervisor other_staff",
	"POST /api/v1/calendar/import":                          "admins",
	"POST /api/v1/calendar/years/{year}/loaded":             "admins",
	"POST /api/v1/cases":                                    "applicant clerk other_staff",
	"POST /api/v1/cases/{no}/actions/{action}":              "applicant clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"POST /api/v1/cases/{no}/ratings":                       "enterprise hotline_agent",
	"POST /api/v1/complaints":                               "public",
	"POST /api/v1/complaints/{id}/actions/{action}":         "reviewer approver supervisor",
	"POST /api/v1/files":                                    "loggedin",
	"POST /api/v1/halls":                                    "admins",
	"POST /api/v1/halls/{id}/areas":                         "admin",
	"POST /api/v1/items":                                    "supervisor catalog_admin other_staff",
	"POST /api/v1/items/{code}/actions/{action}":            "catalog_admin",
	"POST /api/v1/items/{code}/checklist":                   "public",
	"POST /api/v1/notifications/read-all":                   "loggedin",
	"POST /api/v1/notifications/{id}/read":                  "loggedin",
	"POST /api/v1/orgs":                                     "admins",
	"POST /api/v1/ratings/{id}/appeal":                      "clerk reviewer approver other_staff",
	"POST /api/v1/rectifications/{id}/actions/{action}":     "loggedin",
	"POST /api/v1/rectifications/{id}/rating":               "loggedin",
	"POST /api/v1/reform/tasks":                             "supervisor other_staff",
	"POST /api/v1/reform/tasks/{id}/complete":               "supervisor",
	"POST /api/v1/reform/tasks/{id}/progress":               "reviewer approver",
	"POST /api/v1/regions":                                  "admins",
	"POST /api/v1/register":                                 "public",
	"POST /api/v1/supervise/fee-charges":                    "admins clerk other_staff",
	"POST /api/v1/supervise/findings/{id}/actions/{action}": "supervisor other_staff",
	"POST /api/v1/tokens":                                   "loggedin",
	"POST /api/v1/users":                                    "admins",
	"POST /api/v1/window-authorizations":                    "admins catalog_admin other_staff",
	"POST /api/v1/window-authorizations/{id}/revoke":        "catalog_admin admin",
	"POST /api/v1/windows":                                  "admins catalog_admin other_staff",
	"POST /api/v1/windows/{id}/staff":                       "admin",
	"POST /appeals/{id}/decide":                             "supervisor other_staff",
	"POST /apply/{code}":                                    "applicant",
	"POST /cases/{no}/actions/{action}":                     "person clerk reviewer approver supervisor catalog_admin hotline_agent agency admin",
	"POST /complaints/new":                                  "public",
	"POST /complaints/{id}/actions/{action}":                "reviewer approver supervisor",
	"POST /items/{code}/checklist":                          "public",
	"POST /login":                                           "public",
	"POST /logout":                                          "public",
	"POST /my/cases/{no}/rate":                              "enterprise",
	"POST /my/ratings/rectifications/{id}/rate":             "applicant",
	"POST /notifications/read-all":                          "loggedin",
	"POST /notifications/{id}/read":                         "loggedin",
	"POST /prefs/elderly":                                   "public",
	"POST /rate/kiosk":                                      "public",
	"POST /rate/kiosk/check":                                "public",
	"POST /rate/window/{window_id}":                         "public",
	"POST /rate/window/{window_id}/check":                   "public",
	"POST /rate/{token}":                                    "public",
	"POST /ratings/{id}/appeal":                             "clerk reviewer approver other_staff",
	"POST /rectifications/{id}/actions/{action}":            "clerk reviewer approver supervisor other_staff",
	"POST /reform/tasks":                                    "supervisor other_staff",
	"POST /reform/tasks/{id}":                               "supervisor",
	"POST /reform/tasks/{id}/complete":                      "supervisor",
	"POST /reform/tasks/{id}/progress":                      "reviewer approver",
	"POST /register":                                        "public",
	"POST /supervise/findings/{id}/{action}":                "supervisor other_staff",
	"POST /window/new":                                      "clerk other_staff",
	"PUT /api/v1/admin/synonyms":                            "catalog_admin other_staff",
	"PUT /api/v1/areas/{id}":                                "admin",
	"PUT /api/v1/calendar/days/{date}":                      "admins",
	"PUT /api/v1/halls/{id}":                                "admin",
	"PUT /api/v1/items/{code}":                              "supervisor catalog_admin other_staff",
	"PUT /api/v1/orgs/{id}":                                 "admin",
	"PUT /api/v1/rating-rules/{region}":                     "supervisor admin",
	"PUT /api/v1/reform/tasks/{id}":                         "supervisor",
	"PUT /api/v1/regions/{code}":                            "admin",
	"PUT /api/v1/users/{id}":                                "admin",
	"PUT /api/v1/window-authorizations/{id}":                "catalog_admin admin",
	"PUT /api/v1/windows/{id}":                              "catalog_admin admin",
}
