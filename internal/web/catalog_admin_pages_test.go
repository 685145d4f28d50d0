package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// editorForm is a filled editor form for a new item; edit adjusts it.
func (c *catEnv) editorForm(code string) url.Values {
	return url.Values{
		"code": {code}, "name": {"食品经营许可"}, "kind": {"license"}, "level": {"county"}, "org_id": {strconvI(c.OrgID)},
		"region_code": {"990121"}, "domain": {"卫生健康"}, "legal_basis[0].law": {"中华人民共和国食品安全法"}, "legal_basis[0].article": {"第三十五条"},
		"remedies.reconsideration": {"示范县人民政府"}, "remedies.litigation": {"示范县人民法院"},
		"legal_limit.days": {"20"}, "legal_limit.unit": {"working_day"}, "promised_limit.days": {"5"}, "promised_limit.unit": {"working_day"},
		"case_type": {"promised"}, "process.kind": {"promised"}, "trips": {"1"}, "online_depth": {"3"}, "scope": {"local"},
		"channels": {"window", "online"}, "service_objects": {"enterprise"},
		"materials[0].id": {"form"}, "materials[0].name": {"食品经营许可申请书"}, "materials[0].kind": {"form"}, "materials[0].required": {"1"},
		"materials[0].form": {"original"}, "materials[0].copies": {"1"}, "materials[0].medium": {"paper"}, "materials[0].source": {"applicant"},
		"materials[1].id": {""}, "materials[1].name": {""}, "materials[1].kind": {"other"}, // a blank row
		"materials[2].id": {"lease"}, "materials[2].name": {"经营场所使用证明"}, "materials[2].kind": {"proof"},
		"materials[2].condition": {`site == "rented"`}, "materials[2].e_license_type": {"real_estate_cert"},
		"situations[0].id": {"site"}, "situations[0].question": {"经营场所是自有还是租赁？"},
		"situations[0].answers[0].id": {"own"}, "situations[0].answers[0].label": {"自有"},
		"situations[0].answers[1].id": {"rented"}, "situations[0].answers[1].label": {"租赁"},
		"situations[0].answers[2].id": {""}, "situations[0].answers[2].label": {""},
	}
}

// The editor re-renders with each service error next to its input, the
// indexes following the saved rows (the blank material row is dropped).
func TestCatalogAdminEditorInlineErrors(t *testing.T) {
	c := newCatEnv(t, newTestEnv(t, dbtest.SQLite(t)))
	b := c.browser()
	b.login("catadm", "Passw0rd!")
	code := "0100004000-990121-01"
	cases := []struct {
		name       string
		edit       map[string]string
		wantStatus int
		wantInput  string // name of the input that must be marked invalid
		wantText   string
	}{
		{"bad CEL is shown at the material's condition with its position", map[string]string{"materials[2].condition": `site == `}, 422, "materials[1].condition", "第 1 行第"},
		{"promised above legal is shown at the promised limit", map[string]string{"promised_limit.days": "30"}, 422, "promised_limit.days", "不能超过法定时限"},
		{"unknown e-license type is shown at the material", map[string]string{"materials[2].e_license_type": "moon_pass"}, 422, "materials[1].e_license_type", "moon_pass"},
		{"a non-number is shown at its own input", map[string]string{"legal_limit.days": "二十"}, 422, "legal_limit.days", "请填写数字"},
		{"an answer adding an unknown material is shown at its box", map[string]string{"situations[0].answers[1].add": "ghost"}, 422, "situations[0].answers[1].add", "ghost"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := c.editorForm(code)
			for k, v := range tc.edit {
				form.Set(k, v)
			}
			st, body, _ := b.post("/admin/items/new", "/admin/items", form)
			if st != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", st, tc.wantStatus, firstLine(body, "form-error"))
			}
			input := regexp.MustCompile(`name="` + regexp.QuoteMeta(tc.wantInput) + `"[^>]*aria-invalid="true" aria-describedby="` + regexp.QuoteMeta(tc.wantInput) + `-error"`)
			if !input.MatchString(body) {
				t.Fatalf("input %s not marked invalid: %s", tc.wantInput, firstLine(body, `name="`+tc.wantInput+`"`))
			}
			msg := regexp.MustCompile(`id="` + regexp.QuoteMeta(tc.wantInput) + `-error">([^<]*)<`).FindStringSubmatch(body)
			if msg == nil || !strings.Contains(msg[1], tc.wantText) {
				t.Fatalf("error next to %s = %v, want it to contain %q", tc.wantInput, msg, tc.wantText)
			}
			if !strings.Contains(body, "食品经营许可申请书") {
				t.Fatal("the user's input was not kept")
			}
		})
	}
	t.Run("add row re-renders with one more material row and saves nothing", func(t *testing.T) {
		form := c.editorForm(code)
		form.Set("add", "materials")
		st, body, _ := b.post("/admin/items/new", "/admin/items", form)
		if st != 200 || !strings.Contains(body, `name="materials[3].name"`) || strings.Contains(body, `name="materials[4].name"`) {
			t.Fatalf("add row: status %d, want rows 0–3", st)
		}
		if _, err := c.Srv.Catalog.Working(t.Context(), catalog.System, code); err == nil {
			t.Fatal("add row saved the item")
		}
	})
	t.Run("a valid form saves, submits and publishes through the page", func(t *testing.T) {
		st, body, path := b.post("/admin/items/new", "/admin/items", c.editorForm(code))
		if st != 200 || path != "/admin/items/"+code || !strings.Contains(body, "已保存为第 1 版草稿") {
			t.Fatalf("save: %d at %s: %s", st, path, firstLine(body, "form-error"))
		}
		for _, a := range []struct{ action, flash string }{{"submit", "已提交审核"}, {"publish", "已发布"}} {
			st, body, _ := b.post("/admin/items/"+code, "/admin/items/"+code+"/actions/"+a.action, nil)
			if st != 200 || !strings.Contains(body, a.flash) {
				t.Fatalf("%s: %d %s", a.action, st, firstLine(body, "flash"))
			}
		}
		it, err := c.Srv.Catalog.Version(t.Context(), catalog.System, code, 1)
		if err != nil || it.State != catalog.StatePublished || len(it.Materials) != 2 || it.Materials[1].ELicenseType != "real_estate_cert" {
			t.Fatalf("published item %+v %v", it, err)
		}
		st, body, _ = b.post("/admin/items/"+code, "/admin/items/"+code+"/actions/suspend", url.Values{"reason": {""}})
		if st != 422 {
			t.Fatalf("suspend without reason: %d, want 422", st)
		}
	})
	t.Run("list, versions and other admin pages render", func(t *testing.T) {
		for path, want := range map[string]string{
			"/admin/items?status=published": code, "/admin/items/" + code + "/versions": "变更记录",
			"/admin/adjustments": "权力清单调整", "/admin/adjustments/new": "entries[2].kind", "/admin/items/import": "下载导入模板",
			"/admin/synonyms": "检索词", "/admin/items/new": `name="situations[0].answers[1].id"`,
		} {
			if st, body := b.get(path); st != 200 || !strings.Contains(body, want) {
				t.Errorf("GET %s: %d, want 200 with %q", path, st, want)
			}
		}
		if _, body := b.get("/admin/items?status=draft"); strings.Contains(body, code) {
			t.Error("status filter kept a published item among drafts")
		}
	})
	t.Run("a clerk gets 403 and a supervisor a read-only editor", func(t *testing.T) {
		clerk := c.browser()
		clerk.login("clerk1", "Passw0rd!")
		if st, _ := clerk.get("/admin/items"); st != 403 {
			t.Fatalf("clerk: %d, want 403", st)
		}
		sup := c.browser()
		sup.login("sup1", "Passw0rd!")
		st, body := sup.get("/admin/items/" + code)
		if st != 200 || strings.Contains(body, `id="item-save"`) || !strings.Contains(body, "只有本区划的事项管理员可以修改") {
			t.Fatalf("supervisor editor: %d, want read-only", st)
		}
		if st, _, _ := sup.post("/admin/items/"+code, "/admin/items/"+code+"/actions/suspend", url.Values{"reason": {"测试"}}); st != 403 {
			t.Fatalf("supervisor suspend: %d, want 403", st)
		}
	})
}

// postFile submits a multipart form with one file from page from.
func (b *browser) postFile(from, action, field, name string, data []byte, extra url.Values) (int, string) {
	b.t.Helper()
	_, page := b.get(from)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf token on %s", from)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", m[1])
	for k, vs := range extra {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.e.HTTP.URL+action, mw.FormDataContentType(), &buf)
	if err != nil {
		b.t.Fatalf("POST %s: %v", action, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// exportWorkbook downloads the region's workbook through the API.
func (c *catEnv) exportWorkbook(t *testing.T) []byte {
	req, _ := http.NewRequest("GET", c.HTTP.URL+"/api/v1/admin/items/export", nil)
	req.Header.Set("Authorization", "Bearer "+c.Admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return raw
}

// breakWorkbook sets the 实施主体 of row 2 to an unknown org and its
// promised limit to a word: two errors in two cells.
func breakWorkbook(t *testing.T, good []byte) []byte {
	f, err := excelize.OpenReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(catalog.SheetItems)
	for i, h := range rows[0] {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		switch h {
		case "实施主体":
			_ = f.SetCellValue(catalog.SheetItems, cell, "不存在的管理局")
		case "承诺办结时限":
			_ = f.SetCellValue(catalog.SheetItems, cell, "三天")
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func (c *catEnv) postWorkbook(t *testing.T, data []byte, out any) int {
	req, _ := http.NewRequest("POST", c.HTTP.URL+"/api/v1/admin/items/import", bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+c.Admin)
	req.Header.Set("Content-Type", xlsxType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// A broken workbook is rejected whole with every error listed (API and
// page) and changes nothing; the exported workbook imports back.
func TestCatalogAdminExcelImport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c := newCatEnv(t, newTestEnv(t, d))
		c.mustPublished(testCode)
		good := c.exportWorkbook(t)
		broken := breakWorkbook(t, good)
		workingVersion := func() int {
			list, err := c.Srv.Catalog.AdminList(t.Context(), catalog.System)
			if err != nil || len(list) != 1 {
				t.Fatalf("admin list %v %v", list, err)
			}
			return list[0].WorkingVersion
		}
		var p Problem
		if st := c.postWorkbook(t, broken, &p); st != 422 || p.Code != "import_invalid" {
			t.Fatalf("broken workbook: %d %s, want 422 import_invalid", st, p.Code)
		}
		list, _ := p.Extra["errors"].([]any)
		headers := map[string]bool{}
		for _, e := range list {
			m := e.(map[string]any)
			if m["sheet"] != catalog.SheetItems || m["row"] != float64(2) || m["column"] == "" || m["message"] == "" {
				t.Errorf("error %v lacks its place", m)
			}
			headers[m["header"].(string)] = true
		}
		if !headers["实施主体"] || !headers["承诺办结时限"] {
			t.Fatalf("errors %v, want both broken cells listed", list)
		}
		if v := workingVersion(); v != 0 {
			t.Fatalf("broken import wrote working version %d", v)
		}
		b := c.browser()
		b.login("catadm", "Passw0rd!")
		st, body := b.postFile("/admin/items/import", "/admin/items/import", "file", "broken.xlsx", broken, nil)
		if st != 422 || !strings.Contains(body, `id="import-errors"`) || !strings.Contains(body, "不存在的管理局") && !strings.Contains(body, "实施主体") {
			t.Fatalf("import page with a broken workbook: %d %s", st, firstLine(body, "form-error"))
		}
		if got := strings.Count(body, "<td>"+catalog.SheetItems+"</td>"); got != len(list) {
			t.Fatalf("page lists %d errors, API %d", got, len(list))
		}
		if v := workingVersion(); v != 0 {
			t.Fatalf("broken page import wrote working version %d", v)
		}
		var rep catalog.ImportReport
		if st := c.postWorkbook(t, good, &rep); st != 200 || rep.Updated != 1 || rep.Codes[0] != testCode {
			t.Fatalf("good workbook: %d %+v", st, rep)
		}
		if v := workingVersion(); v != 2 {
			t.Fatalf("good import: working version %d, want 2", v)
		}
		st, body = b.postFile("/admin/items/import", "/admin/items/import", "file", "good.xlsx", good, url.Values{"submit": {"1"}})
		if st != 200 || !strings.Contains(body, "导入成功") {
			t.Fatalf("page import of a good workbook: %d %s", st, firstLine(body, "form-error"))
		}
		it, err := c.Srv.Catalog.Working(t.Context(), catalog.System, testCode)
		if err != nil || it.State != catalog.StateReview {
			t.Fatalf("after import with submit: %+v %v, want under review", it, err)
		}
		if st, body := b.get("/admin/items/template"); st != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("template download: %d", st)
		}
	})
}

// Adjustment batches and synonyms through the pages.
func TestCatalogAdminAdjustmentAndSynonymPages(t *testing.T) {
	c := newCatEnv(t, newTestEnv(t, dbtest.SQLite(t)))
	c.mustPublished(testCode)
	b := c.browser()
	b.login("catadm", "Passw0rd!")
	form := url.Values{"title": {"关于取消部分事项的通知"}, "doc_no": {""}, "effective_date": {"2026-04-01"}, "region_code": {"990121"},
		"entries[0].kind": {"cancel"}, "entries[0].code": {testCode}, "entries[1].kind": {"change"}, "entries[1].code": {""},
		"entries[2].kind": {"merge"}, "entries[2].sources": {"0100009000-990121-01"}, "entries[2].from": {testCode}, "entries[2].new_code": {"0100008000-990121-01"}}
	st, body, _ := b.post("/admin/adjustments/new", "/admin/adjustments", form)
	if st != 422 || !strings.Contains(body, `id="doc_no-error"`) || !strings.Contains(body, `id="entries[2].sources-error"`) {
		t.Fatalf("bad batch: %d, want 422 with doc_no and the merge row's sources marked: %s", st, firstLine(body, "form-error"))
	}
	form.Set("doc_no", "示政发〔2026〕9号")
	form.Del("entries[2].kind")
	form.Del("entries[2].sources")
	form.Del("entries[2].from")
	form.Del("entries[2].new_code")
	st, body, path := b.post("/admin/adjustments/new", "/admin/adjustments", form)
	if st != 200 || !strings.HasPrefix(path, "/admin/adjustments/") || !strings.Contains(body, "草稿") {
		t.Fatalf("create batch: %d at %s: %s", st, path, firstLine(body, "form-error"))
	}
	st, body, _ = b.post(path, path+"/publish", nil)
	if st != 200 || !strings.Contains(body, "已发布，待生效") {
		t.Fatalf("publish batch: %d", st)
	}
	if _, body := b.get("/admin/adjustments"); !strings.Contains(body, "2026-04-01") || !strings.Contains(body, "已发布，待生效") {
		t.Fatal("batch list lacks the batch")
	}
	st, body, _ = b.post("/admin/synonyms", "/admin/synonyms", url.Values{"term": {"开小店"}, "expansions": {"个体工商户、营业执照"}})
	if st != 200 || !strings.Contains(body, "个体工商户、营业执照") {
		t.Fatalf("save synonym: %d", st)
	}
	st, body, _ = b.post("/admin/synonyms", "/admin/synonyms", url.Values{"term": {""}, "expansions": {"x"}})
	if st != 422 || !strings.Contains(body, `id="term-error"`) {
		t.Fatalf("empty synonym term: %d, want 422 at term", st)
	}
	var list struct {
		Items []catalog.Synonym `json:"items"`
	}
	if st := c.apiCall("PUT", "/api/v1/admin/synonyms", c.Admin, catalog.Synonym{Term: "开小店"}, &list); st != 200 || len(list.Items) != 0 {
		t.Fatalf("delete synonym through the API: %d %+v", st, list)
	}
}
