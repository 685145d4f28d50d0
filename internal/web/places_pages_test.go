package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// wantIn fails unless every fragment is in the (HTML-unescaped) body.
func wantIn(t *testing.T, what, body string, fragments ...string) {
	t.Helper()
	plain := html.UnescapeString(body)
	for _, f := range fragments {
		if !strings.Contains(plain, f) {
			t.Fatalf("%s: %q not on the page", what, f)
		}
	}
}

func TestPlacesPagesNeedTheRightRole(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		anon := e.browser()
		for _, path := range []string{"/admin/regions", "/admin/orgs", "/admin/halls", "/admin/authorizations"} {
			if status, _ := anon.get(path); status != http.StatusUnauthorized {
				t.Errorf("anonymous %s: got %d, want 401", path, status)
			}
		}
		clerk := e.browser()
		clerk.login("clk", "Passw0rd!")
		for _, path := range []string{"/admin/regions", "/admin/orgs", "/admin/halls", "/admin/authorizations", "/admin/windows/" + itoa(e.demo.Windows["A01"])} {
			status, body := clerk.get(path)
			if status != http.StatusForbidden || !strings.Contains(body, "没有执行该操作的权限") {
				t.Errorf("clerk %s: got %d, want 403 with a Chinese page", path, status)
			}
		}
		cat := e.browser()
		cat.login("cat", "Passw0rd!")
		if status, _ := cat.get("/admin/orgs"); status != http.StatusForbidden {
			t.Errorf("catalog admin /admin/orgs: got %d, want 403", status)
		}
		status, body := cat.get("/admin/halls/" + itoa(e.demo.HallID))
		if status != http.StatusOK || strings.Contains(body, `id="hall-submit"`) || !strings.Contains(body, `id="window-new"`) {
			t.Errorf("catalog admin hall page: got %d; want read-only hall with a new-window link", status)
		}
		status, body = anon.get("/halls")
		wantIn(t, "public halls", body, "示范县政务服务中心", "周一至周五", "A01", "商事登记综合窗口", "城关镇便民服务中心", "东关社区便民服务站")
		if status != http.StatusOK {
			t.Fatalf("public halls: got %d", status)
		}
	})
}

func TestPlacesRegionAndOrgForms(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		b := e.browser()
		b.login("adm", "Passw0rd!")
		status, body := b.get("/admin/regions")
		if status != http.StatusOK {
			t.Fatalf("regions page: %d", status)
		}
		wantIn(t, "regions list", body, "990121001", "城关镇", "乡镇（街道）")

		status, body, _ = b.post("/admin/regions/new", "/admin/regions", url.Values{"code": {"99012"}, "name": {"新城街道"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad region code: got %d, want 422", status)
		}
		wantIn(t, "region form error", body, `value="99012"`, `value="新城街道"`, `id="code-error"`, "9 位（乡镇）")

		status, body, path := b.post("/admin/regions/new", "/admin/regions", url.Values{"code": {"990121003"}, "name": {"新城街道"}})
		if status != http.StatusOK || path != "/admin/regions" {
			t.Fatalf("create region: got %d at %s", status, path)
		}
		wantIn(t, "after create", body, "已新增行政区划：新城街道（990121003）")

		uscc := places.DemoUSCC("11", "990121", "99121099")
		bad := uscc[:17] + map[bool]string{true: "1", false: "0"}[uscc[17] == '0']
		form := url.Values{"name": {"示范县统计局"}, "uscc": {bad}, "region_code": {"990121"}, "kind": {"department"}, "phone": {"0990-6012099"}}
		status, body, _ = b.post("/admin/orgs/new", "/admin/orgs", form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad USCC: got %d, want 422", status)
		}
		wantIn(t, "org form error", body, `value="示范县统计局"`, `value="`+bad+`"`, `id="uscc-error"`, "校验码不正确", `value="0990-6012099"`)
		form.Set("uscc", uscc)
		status, body, path = b.post("/admin/orgs/new", "/admin/orgs", form)
		if status != http.StatusOK || path != "/admin/orgs" {
			t.Fatalf("create org: got %d at %s", status, path)
		}
		wantIn(t, "orgs list", body, "已新增：示范县统计局", uscc)

		status, _, _ = b.post("/admin/orgs/new", "/admin/orgs/"+itoa(e.demo.Orgs["示范县公安局"])+"/delete", nil)
		if status != http.StatusConflict {
			t.Fatalf("delete an org with authorizations: got %d, want 409", status)
		}

		ds := e.browser()
		ds.login("ds-adm", "Passw0rd!")
		form.Set("name", "东山县的改名")
		status, _, _ = ds.post("/admin/orgs", "/admin/orgs/"+itoa(e.demo.Orgs["示范县公安局"]), form)
		if status != http.StatusForbidden {
			t.Fatalf("东山县 admin edits a 示范县 org: got %d, want 403", status)
		}
	})
}

func TestPlacesHallWindowAndStaffForms(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		b := e.browser()
		b.login("adm", "Passw0rd!")
		hall := "/admin/halls/" + itoa(e.demo.HallID)
		status, body := b.get(hall)
		if status != http.StatusOK {
			t.Fatalf("hall page: %d", status)
		}
		wantIn(t, "hall page", body, "商事登记区", "A01", "公安户籍窗口", "示范县公安局", "绿色通道窗口")

		status, body, _ = b.post(hall+"/areas/new", hall+"/areas", url.Values{"name": {"商事登记区"}, "domain": {"商事登记"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("duplicate area: got %d, want 422", status)
		}
		wantIn(t, "area error", body, "该大厅已有名为「商事登记区」的服务区")

		newWin := "/admin/windows/new?hall_id=" + itoa(e.demo.HallID)
		form := url.Values{"hall_id": {itoa(e.demo.HallID)}, "number": {"A01"}, "kind": {"comprehensive"}, "domains": {"税务", "商事登记"}, "active": {"1"}, "items": {"MS-001, MS-002"}}
		status, body, _ = b.post(newWin, "/admin/windows", form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("duplicate window number: got %d, want 422", status)
		}
		wantIn(t, "window form error", body, "该大厅已有 A01 号窗口", `value="税务" checked`, "MS-001, MS-002")
		form.Set("number", "a09")
		status, body, path := b.post(newWin, "/admin/windows", form)
		if status != http.StatusOK || !strings.HasPrefix(path, "/admin/windows/") {
			t.Fatalf("create window: got %d at %s", status, path)
		}
		wantIn(t, "window page", body, "已新增窗口：A09", "MS-002")

		a01 := "/admin/windows/" + itoa(e.demo.Windows["A01"])
		status, body, _ = b.post(a01, a01+"/staff", url.Values{"user_id": {itoa(e.ids["ds-clk"])}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("assign out-of-region staff: got %d, want 422", status)
		}
		wantIn(t, "staff error", body, "不属于示范县政务服务中心所在的行政区域", `value="A01"`)
		status, body, path = b.post(a01, a01+"/staff", url.Values{"user_id": {itoa(e.ids["clk"])}})
		if status != http.StatusOK || path != a01 {
			t.Fatalf("assign: got %d at %s", status, path)
		}
		wantIn(t, "staff table", body, "已安排工作人员", "测试clk")
		if ws, err := e.Srv.Places.WindowsOfUser(t.Context(), e.ids["clk"]); err != nil || len(ws) != 1 || ws[0].Number != "A01" {
			t.Fatalf("WindowsOfUser after the form: got %+v, %v", ws, err)
		}
	})
}

func TestPlacesAuthorizationForms(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newPlacesEnv(t, d)
		b := e.browser()
		b.login("cat", "Passw0rd!")
		status, body := b.get("/admin/authorizations")
		if status != http.StatusOK {
			t.Fatalf("list: %d", status)
		}
		wantIn(t, "authorizations list", body, "示市监授〔2025〕1号", "示范县政务服务中心 · A01 商事登记综合窗口", "受理、当场决定", "有效")

		a01 := itoa(e.demo.Windows["A01"])
		market := itoa(e.demo.Orgs["示范县市场监督管理局"])
		form := url.Values{"window_id": {a01}, "org_id": {market}, "doc_no": {"示市监授〔2026〕9号"}, "can_accept": {"1"},
			"valid_from": {"2026-03-01"}, "valid_to": {"2026-12-31"}, "domains": {"商事登记"}}
		status, body, _ = b.post("/admin/authorizations/new", "/admin/authorizations", form)
		if status != http.StatusConflict {
			t.Fatalf("overlapping authorization: got %d, want 409", status)
		}
		wantIn(t, "overlap error", body, "重叠", "示市监授〔2025〕1号", `value="示市监授〔2026〕9号"`)

		form.Set("valid_to", "2026-02-01")
		status, body, _ = b.post("/admin/authorizations/new", "/admin/authorizations", form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("valid_to before valid_from: got %d, want 422", status)
		}
		wantIn(t, "date error", body, `id="valid_to-error"`, "早于起始日期")

		form.Set("domains", "税务")
		form.Set("valid_to", "2026-12-31")
		status, body, path := b.post("/admin/authorizations/new", "/admin/authorizations", form)
		if status != http.StatusOK || !strings.HasPrefix(path, "/admin/authorizations/") {
			t.Fatalf("create: got %d at %s", status, path)
		}
		wantIn(t, "authorization page", body, "已登记授权书：示市监授〔2026〕9号", `id="authorization-revoke"`)

		status, body, _ = b.post(path, path+"/revoke", url.Values{"reason": {""}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("revoke without reason: got %d, want 422", status)
		}
		wantIn(t, "revoke error", body, "请填写撤销原因", `value="示市监授〔2026〕9号"`)
		status, body, _ = b.post(path, path+"/revoke", url.Values{"reason": {"机构调整"}})
		if status != http.StatusOK {
			t.Fatalf("revoke: got %d", status)
		}
		wantIn(t, "revoked page", body, "授权书已撤销", "原因：机构调整")
		if strings.Contains(body, `id="authorization-submit"`) {
			t.Fatal("a revoked authorization still offers a save button")
		}
	})
}

func TestPlacesFormsNeedCSRF(t *testing.T) {
	e := newPlacesEnv(t, dbtest.SQLite(t))
	b := e.browser()
	b.login("adm", "Passw0rd!")
	resp, err := b.c.PostForm(e.HTTP.URL+"/admin/orgs", url.Values{"name": {"甲"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without csrf token: got %d, want 403", resp.StatusCode)
	}
}
