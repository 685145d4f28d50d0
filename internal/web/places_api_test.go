package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// placesEnv is a server with the demo places and one user per relevant role.
type placesEnv struct {
	*testEnv
	demo places.Demo
	tok  map[string]string // bearer token by login
	ids  map[string]int64  // user id by login
}

func newPlacesEnv(t *testing.T, d *db.DB) *placesEnv {
	t.Helper()
	e := newTestEnv(t, d)
	var demo places.Demo
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		demo, err = places.SeedDemo(context.Background(), tx, e.Sim.Now())
		return err
	})
	if err != nil {
		t.Fatalf("seed places: %v", err)
	}
	pe := &placesEnv{testEnv: e, demo: demo, tok: map[string]string{}, ids: map[string]int64{}}
	for _, u := range []struct {
		login, region string
		role          auth.Role
	}{
		{"root", "", auth.Admin}, {"adm", "990121", auth.Admin}, {"ds-adm", "990122", auth.Admin},
		{"cat", "990121", auth.CatalogAdmin}, {"clk", "990121", auth.Clerk}, {"ds-clk", "990122", auth.Clerk},
	} {
		pe.ids[u.login] = e.mustUser(u.login, u.region, u.role).ID
		pe.tok[u.login] = e.mustToken(u.login)
	}
	return pe
}

// wantProblem fails unless the call answered status with a problem naming
// field (when given) or code (when given).
func wantProblem(t *testing.T, got int, p Problem, status int, field, code string) {
	t.Helper()
	if got != status {
		t.Fatalf("got %d %+v, want %d", got, p, status)
	}
	if code != "" && p.Code != code {
		t.Fatalf("got code %q (%s), want %q", p.Code, p.Detail, code)
	}
	if field == "" {
		return
	}
	for _, f := range p.Errors {
		if f.Field == field && f.Message != "" {
			return
		}
	}
	t.Fatalf("got errors %+v, want one on %q", p.Errors, field)
}

func TestPlacesAPIRegions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		var l list[places.Region]
		if got := e.apiCall("GET", "/api/v1/regions?within=990121", "", nil, &l); got != 200 || l.Total != 5 {
			t.Fatalf("anonymous list: got %d total %d, want 200 and 5", got, l.Total)
		}
		town := map[string]string{"code": "990121003", "name": "新城街道"}
		for _, tc := range []struct {
			name   string
			token  string
			body   any
			status int
			field  string
			code   string
		}{
			{"anonymous is 401", "", town, 401, "", "unauthenticated"},
			{"a clerk is 403", e.tok["clk"], town, 403, "", "forbidden"},
			{"东山县 admin is out of scope", e.tok["ds-adm"], town, 403, "", "out_of_scope"},
			{"a malformed code is 422 on code", e.tok["adm"], map[string]string{"code": "99012", "name": "甲"}, 422, "code", ""},
			{"an unknown parent is 422 on parent_code", e.tok["adm"], map[string]string{"code": "990121003", "name": "甲", "parent_code": "990121009"}, 422, "parent_code", ""},
			{"a wrong JSON type is 422 on its field", e.tok["adm"], map[string]any{"code": 990121003, "name": "甲"}, 422, "code", "bad_json"},
			{"an unknown JSON field is 422 on that field", e.tok["adm"], map[string]any{"code": "990121003", "name": "甲", "mayor": "x"}, 422, "mayor", "unknown_field"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var p Problem
				wantProblem(t, e.apiCall("POST", "/api/v1/regions", tc.token, tc.body, &p), p, tc.status, tc.field, tc.code)
			})
		}
		var reg places.Region
		if got := e.apiCall("POST", "/api/v1/regions", e.tok["adm"], town, &reg); got != 201 || reg.Level != "township" || reg.ParentCode != "990121" {
			t.Fatalf("create: got %d %+v", got, reg)
		}
		if got := e.apiCall("PUT", "/api/v1/regions/990121003", e.tok["adm"], map[string]string{"name": "新城镇"}, &reg); got != 200 || reg.Name != "新城镇" {
			t.Fatalf("rename: got %d %+v", got, reg)
		}
		var p Problem
		wantProblem(t, e.apiCall("DELETE", "/api/v1/regions/990121", e.tok["root"], nil, &p), p, 409, "", "in_use")
		if got := e.apiCall("DELETE", "/api/v1/regions/990121003", e.tok["adm"], nil, nil); got != 204 {
			t.Fatalf("delete: got %d, want 204", got)
		}
		wantProblem(t, e.apiCall("GET", "/api/v1/regions/990121003", "", nil, &p), p, 404, "", "region_not_found")
	})
}

func TestPlacesAPIOrgs(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		good := map[string]any{"name": "示范县统计局", "uscc": places.DemoUSCC("11", "990121", "99121099"), "region_code": "990121", "kind": "department"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for k2, v2 := range good {
				m[k2] = v2
			}
			m[k] = v
			return m
		}
		uscc := good["uscc"].(string)
		badCheck := uscc[:17] + map[bool]string{true: "1", false: "0"}[uscc[17] == '0']
		for _, tc := range []struct {
			name   string
			token  string
			body   any
			status int
			field  string
		}{
			{"wrong USCC check character", e.tok["adm"], with("uscc", badCheck), 422, "uscc"},
			{"unknown region", e.tok["adm"], with("region_code", "990199"), 422, "region_code"},
			{"unknown kind", e.tok["adm"], with("kind", "ministry"), 422, "kind"},
			{"catalog admin may not", e.tok["cat"], good, 403, ""},
			{"anonymous", "", good, 401, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var p Problem
				wantProblem(t, e.apiCall("POST", "/api/v1/orgs", tc.token, tc.body, &p), p, tc.status, tc.field, "")
				if tc.field == "region_code" && !strings.Contains(p.Errors[0].Message, "990199") {
					t.Fatalf("message %q does not name the unknown code", p.Errors[0].Message)
				}
			})
		}
		var o places.Org
		if got := e.apiCall("POST", "/api/v1/orgs", e.tok["adm"], good, &o); got != 201 || o.ID == 0 {
			t.Fatalf("create: got %d %+v", got, o)
		}
		path := "/api/v1/orgs/" + itoa(o.ID)
		if got := e.apiCall("PATCH", path, e.tok["adm"], map[string]string{"phone": "0990-1234567"}, &o); got != 200 || o.Phone != "0990-1234567" || o.Name != "示范县统计局" {
			t.Fatalf("patch: got %d %+v, want phone changed and name kept", got, o)
		}
		var p Problem
		wantProblem(t, e.apiCall("PUT", path, e.tok["ds-adm"], good, &p), p, 403, "", "out_of_scope")
		wantProblem(t, e.apiCall("PUT", path, e.tok["adm"], map[string]any{"name": "x"}, &p), p, 422, "uscc", "")
		wantProblem(t, e.apiCall("DELETE", "/api/v1/orgs/"+itoa(e.demo.Orgs["示范县公安局"]), e.tok["adm"], nil, &p), p, 409, "", "in_use")
		wantProblem(t, e.apiCall("GET", "/api/v1/orgs/abc", "", nil, &p), p, 404, "", "org_not_found")
		var l list[places.Org]
		if got := e.apiCall("GET", "/api/v1/orgs?kind=bank", "", nil, &l); got != 200 || l.Total != 1 || l.Items[0].Name != "中国工商银行示范县支行" {
			t.Fatalf("banks: got %d %+v", got, l)
		}
		if got := e.apiCall("DELETE", path, e.tok["adm"], nil, nil); got != 204 {
			t.Fatalf("delete: got %d", got)
		}
	})
}

func TestPlacesAPIHallsAndAreas(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		var p Problem
		wantProblem(t, e.apiCall("POST", "/api/v1/halls", e.tok["adm"], map[string]string{"name": "河西乡便民服务中心", "region_code": "990121099"}, &p), p, 422, "region_code", "")
		wantProblem(t, e.apiCall("POST", "/api/v1/halls", e.tok["clk"], map[string]string{"name": "x", "region_code": "990121002"}, &p), p, 403, "", "forbidden")
		var h places.Hall
		if got := e.apiCall("POST", "/api/v1/halls", e.tok["adm"], map[string]string{"name": "河西乡便民服务中心", "region_code": "990121002", "hours": "周一至周五"}, &h); got != 201 {
			t.Fatalf("create hall: got %d", got)
		}
		base := "/api/v1/halls/" + itoa(h.ID)
		if got := e.apiCall("PATCH", base, e.tok["adm"], map[string]string{"address": "河西乡政府一楼"}, &h); got != 200 || h.Address != "河西乡政府一楼" || h.Hours != "周一至周五" {
			t.Fatalf("patch hall: got %d %+v", got, h)
		}
		wantProblem(t, e.apiCall("POST", base+"/areas", e.tok["adm"], map[string]string{"name": "综合区", "domain": "外交"}, &p), p, 422, "domain", "")
		wantProblem(t, e.apiCall("POST", "/api/v1/halls/999999/areas", e.tok["adm"], map[string]string{"name": "综合区"}, &p), p, 404, "", "hall_not_found")
		var a places.ServiceArea
		if got := e.apiCall("POST", base+"/areas", e.tok["adm"], map[string]string{"name": "综合区", "domain": "综合"}, &a); got != 201 || a.HallID != h.ID {
			t.Fatalf("create area: got %d %+v", got, a)
		}
		var l list[places.ServiceArea]
		if got := e.apiCall("GET", base+"/areas", "", nil, &l); got != 200 || l.Total != 1 {
			t.Fatalf("list areas: got %d %+v", got, l)
		}
		wantProblem(t, e.apiCall("DELETE", base, e.tok["adm"], nil, &p), p, 409, "", "in_use")
		if got := e.apiCall("DELETE", "/api/v1/areas/"+itoa(a.ID), e.tok["adm"], nil, nil); got != 204 {
			t.Fatalf("delete area: got %d", got)
		}
		if got := e.apiCall("DELETE", base, e.tok["adm"], nil, nil); got != 204 {
			t.Fatalf("delete hall: got %d", got)
		}
	})
}

func TestPlacesAPIWindowsAndStaff(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		hall := e.demo.HallID
		var p Problem
		win := map[string]any{"hall_id": hall, "number": "A09", "kind": "comprehensive", "domains": []string{"税务"}}
		wantProblem(t, e.apiCall("POST", "/api/v1/windows", e.tok["clk"], win, &p), p, 403, "", "forbidden")
		wantProblem(t, e.apiCall("POST", "/api/v1/windows", "", win, &p), p, 401, "", "unauthenticated")
		wantProblem(t, e.apiCall("POST", "/api/v1/windows", e.tok["cat"], map[string]any{"hall_id": hall, "number": "A01", "kind": "comprehensive", "domains": []string{"税务"}}, &p), p, 422, "number", "")
		wantProblem(t, e.apiCall("POST", "/api/v1/windows", e.tok["cat"], map[string]any{"hall_id": hall, "number": "B02", "kind": "single", "domains": []string{"税务"}}, &p), p, 422, "org_id", "")
		var w places.Window
		if got := e.apiCall("POST", "/api/v1/windows", e.tok["cat"], win, &w); got != 201 || !w.Active {
			t.Fatalf("create window: got %d %+v", got, w)
		}
		path := "/api/v1/windows/" + itoa(w.ID)
		if got := e.apiCall("PATCH", path, e.tok["cat"], map[string]any{"active": false}, &w); got != 200 || w.Active || w.Number != "A09" {
			t.Fatalf("deactivate: got %d %+v", got, w)
		}
		var l list[places.Window]
		if got := e.apiCall("GET", "/api/v1/windows?domain=%E7%A8%8E%E5%8A%A1&active=true&hall_id="+itoa(hall), "", nil, &l); got != 200 || l.Total != 3 {
			t.Fatalf("open 税务 windows: got %d total %d, want 3", got, l.Total)
		}
		wantProblem(t, e.apiCall("GET", "/api/v1/windows?hall_id=x", "", nil, &p), p, 422, "hall_id", "")

		a01 := "/api/v1/windows/" + itoa(e.demo.Windows["A01"])
		wantProblem(t, e.apiCall("POST", a01+"/staff", e.tok["adm"], map[string]any{"user_id": e.ids["ds-clk"]}, &p), p, 422, "user_id", "user_out_of_region")
		wantProblem(t, e.apiCall("POST", a01+"/staff", e.tok["cat"], map[string]any{"user_id": e.ids["clk"]}, &p), p, 403, "", "forbidden")
		var m places.StaffMember
		if got := e.apiCall("POST", a01+"/staff", e.tok["adm"], map[string]any{"user_id": e.ids["clk"]}, &m); got != 201 || m.Login != "clk" {
			t.Fatalf("assign: got %d %+v", got, m)
		}
		var sl list[places.StaffMember]
		if got := e.apiCall("GET", a01+"/staff", e.tok["clk"], nil, &sl); got != 200 || sl.Total != 1 {
			t.Fatalf("staff list by a clerk: got %d %+v", got, sl)
		}
		wantProblem(t, e.apiCall("GET", a01+"/staff", e.tok["ds-clk"], nil, &p), p, 403, "", "out_of_scope")
		wantProblem(t, e.apiCall("GET", a01+"/staff", "", nil, &p), p, 401, "", "")
		if got := e.apiCall("DELETE", a01+"/staff/"+itoa(e.ids["clk"]), e.tok["adm"], nil, nil); got != 204 {
			t.Fatalf("unassign: got %d", got)
		}
		wantProblem(t, e.apiCall("DELETE", a01+"/staff/"+itoa(e.ids["clk"]), e.tok["adm"], nil, &p), p, 404, "", "window_staff_not_found")
	})
}

func TestPlacesAPIAuthorizations(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		var w places.Window
		if got := e.apiCall("POST", "/api/v1/windows", e.tok["cat"], map[string]any{"hall_id": e.demo.HallID, "number": "A30", "kind": "comprehensive", "domains": []string{"商事登记"}}, &w); got != 201 {
			t.Fatalf("create window: %d", got)
		}
		market := e.demo.Orgs["示范县市场监督管理局"]
		body := func(from, to string) map[string]any {
			return map[string]any{"window_id": w.ID, "org_id": market, "doc_no": "示市监授〔2026〕8号", "can_accept": true, "can_decide": true,
				"valid_from": from, "valid_to": to, "domains": []string{"商事登记"}, "items": []string{}}
		}
		var p Problem
		wantProblem(t, e.apiCall("POST", "/api/v1/window-authorizations", e.tok["cat"], body("2026-06-01", "2026-01-01"), &p), p, 422, "valid_to", "")
		bad := body("2026-01-01", "2026-12-31")
		bad["can_accept"], bad["can_decide"] = false, false
		wantProblem(t, e.apiCall("POST", "/api/v1/window-authorizations", e.tok["cat"], bad, &p), p, 422, "can_accept", "")
		wantProblem(t, e.apiCall("POST", "/api/v1/window-authorizations", e.tok["clk"], body("2026-01-01", "2026-12-31"), &p), p, 403, "", "forbidden")
		var a places.Authorization
		if got := e.apiCall("POST", "/api/v1/window-authorizations", e.tok["cat"], body("2026-01-01", "2026-06-30"), &a); got != 201 || a.ID == 0 {
			t.Fatalf("create: got %d %+v", got, a)
		}
		wantProblem(t, e.apiCall("POST", "/api/v1/window-authorizations", e.tok["cat"], body("2026-06-01", "2026-12-31"), &p), p, 409, "valid_from", "authorization_overlap")
		if id, _ := p.Extra["existing_id"].(float64); int64(id) != a.ID {
			t.Fatalf("overlap extra: got %v, want existing_id %d", p.Extra, a.ID)
		}
		var later places.Authorization
		if got := e.apiCall("POST", "/api/v1/window-authorizations", e.tok["cat"], body("2026-07-01", "2026-12-31"), &later); got != 201 {
			t.Fatalf("non-overlapping: got %d", got)
		}
		var got places.Authorization
		if st := e.apiCall("GET", "/api/v1/windows/"+itoa(w.ID)+"/authorization?domain=%E5%95%86%E4%BA%8B%E7%99%BB%E8%AE%B0&day=2026-08-01", e.tok["clk"], nil, &got); st != 200 || got.ID != later.ID {
			t.Fatalf("authorization for 商事登记 on 2026-08-01: got %d %+v, want %d", st, got, later.ID)
		}
		wantProblem(t, e.apiCall("GET", "/api/v1/windows/"+itoa(w.ID)+"/authorization?domain=%E7%A8%8E%E5%8A%A1", e.tok["clk"], nil, &p), p, 403, "", "no_window_authorization")
		wantProblem(t, e.apiCall("GET", "/api/v1/window-authorizations", "", nil, &p), p, 401, "", "unauthenticated")
		var l list[places.Authorization]
		if st := e.apiCall("GET", "/api/v1/window-authorizations?window_id="+itoa(w.ID), e.tok["clk"], nil, &l); st != 200 || l.Total != 2 {
			t.Fatalf("list: got %d total %d, want 2", st, l.Total)
		}
		if st := e.apiCall("GET", "/api/v1/window-authorizations", e.tok["ds-clk"], nil, &l); st != 200 || l.Total != 0 {
			t.Fatalf("东山县 clerk: got %d total %d, want none", st, l.Total)
		}
		path := "/api/v1/window-authorizations/" + itoa(a.ID)
		if st := e.apiCall("PATCH", path, e.tok["cat"], map[string]any{"doc_no": "示市监授〔2026〕8号（更正）"}, &got); st != 200 || got.DocNo != "示市监授〔2026〕8号（更正）" || got.ValidTo != "2026-06-30" {
			t.Fatalf("patch: got %d %+v", st, got)
		}
		wantProblem(t, e.apiCall("POST", path+"/revoke", e.tok["cat"], map[string]string{"reason": ""}, &p), p, 422, "reason", "")
		if st := e.apiCall("POST", path+"/revoke", e.tok["cat"], map[string]string{"reason": "机构调整"}, &got); st != 200 || got.RevokedAt == nil {
			t.Fatalf("revoke: got %d %+v", st, got)
		}
		wantProblem(t, e.apiCall("POST", path+"/revoke", e.tok["cat"], map[string]string{"reason": "再次"}, &p), p, 409, "", "authorization_revoked")
	})
}

// TestPlacesRoutesAreInOpenAPI checks that every places API route is documented with its method.
func TestPlacesRoutesAreInOpenAPI(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	raw, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range e.Srv.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if !r.API || !placesAPIPath(path) {
			continue
		}
		n++
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("%s is not in the OpenAPI document", r.Pattern)
		}
	}
	if n < 30 {
		t.Fatalf("checked %d places routes, want at least 30", n)
	}
}

func placesAPIPath(path string) bool {
	for _, pre := range []string{"/api/v1/regions", "/api/v1/orgs", "/api/v1/halls", "/api/v1/areas", "/api/v1/windows", "/api/v1/window-authorizations"} {
		if strings.HasPrefix(path, pre) {
			return true
		}
	}
	return false
}
