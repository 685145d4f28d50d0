package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

const testCode = "0100001000-990121-01"

// A malformed item is rejected with the field and the reason.
func TestCatalogAdminAPIRejectsBadItems(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c := newCatEnv(t, newTestEnv(t, d))
		if st := c.apiCall("POST", "/api/v1/items", c.Admin, c.validItem(testCode), nil); st != 201 {
			t.Fatalf("create valid item: %d, want 201", st)
		}
		cases := []struct {
			name       string
			edit       func(*catalog.Item)
			wantStatus int
			wantField  string
			wantText   string
		}{
			{"promised limit above the legal limit is 422 on promised_limit", func(it *catalog.Item) { it.PromisedLimit.Days = 20 }, 422, "promised_limit", "不能超过法定时限"},
			{"unknown e-license type is 422 on the material", func(it *catalog.Item) { it.Materials[0].ELicenseType = "moon_pass" }, 422, "materials[0].e_license_type", "moon_pass"},
			{"unparsable CEL is 422 with line and column", func(it *catalog.Item) { it.Materials[1].Condition = `site == ` }, 422, "materials[1].condition", "第 1 行第"},
			{"CEL naming an unknown answer is 422 with its position", func(it *catalog.Item) { it.Materials[1].Condition = `site == "leased"` }, 422, "materials[1].condition", "第 1 行第 9 列"},
			{"a bad code structure is 422 on code", func(it *catalog.Item) { it.Code = "123" }, 422, "code", "事项编码格式"},
			{"a duplicate code is 409", func(*catalog.Item) {}, 409, "", "事项编码已存在"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				it := c.validItem("0100002000-990121-01")
				if tc.wantStatus == 409 {
					it.Code = testCode
				}
				tc.edit(&it)
				var p Problem
				st := c.apiCall("POST", "/api/v1/items", c.Admin, it, &p)
				if st != tc.wantStatus {
					t.Fatalf("got %d %+v, want %d", st, p, tc.wantStatus)
				}
				msg := p.Detail
				if tc.wantField != "" {
					var ok bool
					if msg, ok = problemFields(p)[tc.wantField]; !ok {
						t.Fatalf("errors %+v lack field %s", p.Errors, tc.wantField)
					}
				}
				if !strings.Contains(msg, tc.wantText) {
					t.Fatalf("message %q, want it to contain %q", msg, tc.wantText)
				}
			})
		}
		t.Run("update with a bad CEL condition is 422 and keeps the draft", func(t *testing.T) {
			it := c.validItem(testCode)
			it.Situations[0].When = `size(site) >`
			var p Problem
			if st := c.apiCall("PUT", "/api/v1/items/"+testCode, c.Admin, it, &p); st != 422 || !strings.Contains(problemFields(p)["situations[0].when"], "行") {
				t.Fatalf("got %d %+v, want 422 on situations[0].when", st, p.Errors)
			}
		})
		t.Run("an unknown JSON field is rejected", func(t *testing.T) {
			var p Problem
			if st := c.apiCall("POST", "/api/v1/items", c.Admin, map[string]any{"code": "x", "colour": "red"}, &p); st != 422 || p.Code != "unknown_field" {
				t.Fatalf("got %d %s, want 422 unknown_field", st, p.Code)
			}
		})
	})
}

// Only the catalog admin of the item's region may change it.
func TestCatalogAdminAPIForbidden(t *testing.T) {
	c := newCatEnv(t, newTestEnv(t, dbtest.SQLite(t)))
	c.mustPublished(testCode)
	it := c.validItem(testCode)
	cases := []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"anonymous create is 401", "POST", "/api/v1/items", "", c.validItem("0100002000-990121-01"), 401},
		{"clerk create is 403", "POST", "/api/v1/items", c.Clerk, c.validItem("0100002000-990121-01"), 403},
		{"supervisor create is 403", "POST", "/api/v1/items", c.Sup, c.validItem("0100002000-990121-01"), 403},
		{"other-region catalog admin create is 403", "POST", "/api/v1/items", c.East, c.validItem("0100002000-990121-01"), 403},
		{"other-region catalog admin update is 403", "PUT", "/api/v1/items/" + testCode, c.East, it, 403},
		{"other-region catalog admin suspend is 403", "POST", "/api/v1/items/" + testCode + "/actions/suspend", c.East, map[string]string{"reason": "x"}, 403},
		{"clerk admin list is 403", "GET", "/api/v1/admin/items", c.Clerk, nil, 403},
		{"anonymous import is 401", "POST", "/api/v1/admin/items/import", "", nil, 401},
		{"supervisor synonyms write is 403", "PUT", "/api/v1/admin/synonyms", c.Sup, catalog.Synonym{Term: "开店", Expansions: []string{"个体"}}, 403},
		{"supervisor reads the admin list", "GET", "/api/v1/admin/items", c.Sup, nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if st := c.apiCall(tc.method, tc.path, tc.token, tc.body, nil); st != tc.want {
				t.Fatalf("got %d, want %d", st, tc.want)
			}
		})
	}
	var v catalog.Item
	if st := c.apiCall("GET", "/api/v1/items/"+testCode+"/versions/1", "", nil, &v); st != 200 || v.Name != "个体工商户登记" {
		t.Fatalf("item after forbidden calls: %d %q, want unchanged version 1", st, v.Name)
	}
}

// Publishing freezes a version: a later update opens version 2, version 1
// stays as it was, drafts are visible to staff only, and the diff shows
// exactly what changed.
func TestCatalogAdminAPIVersionsAndDiff(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c := newCatEnv(t, newTestEnv(t, d))
		c.mustPublished(testCode)
		it := c.validItem(testCode)
		it.Name = "个体工商户设立登记"
		it.PromisedLimit.Days = 1
		it.Materials[1].Notes = "租期不少于一年"
		it.Materials = append(it.Materials, catalog.Material{ID: "photo", Name: "经营者照片", Kind: "photo", Required: true})
		it.Materials = it.Materials[1:] // drop "form"
		it.Materials[0].Required = false
		var saved catalog.Item
		if st := c.apiCall("PUT", "/api/v1/items/"+testCode, c.Admin, it, &saved); st != 200 || saved.Version != 2 || saved.State != catalog.StateDraft {
			t.Fatalf("update published item: %d version %d state %s, want 200 version 2 draft", st, saved.Version, saved.State)
		}
		var v1 catalog.Item
		if st := c.apiCall("GET", "/api/v1/items/"+testCode+"/versions/1", "", nil, &v1); st != 200 || v1.Name != "个体工商户登记" || len(v1.Materials) != 2 {
			t.Fatalf("version 1 after update: %d %q %d materials, want the published original", st, v1.Name, len(v1.Materials))
		}
		if st := c.apiCall("GET", "/api/v1/items/"+testCode+"/versions/2", "", nil, nil); st != 404 {
			t.Fatalf("anonymous draft version: %d, want 404", st)
		}
		if st := c.apiCall("GET", "/api/v1/items/"+testCode+"/versions/2", c.Sup, nil, nil); st != 200 {
			t.Fatalf("supervisor draft version: %d, want 200", st)
		}
		var p Problem
		if st := c.apiCall("POST", "/api/v1/items/"+testCode+"/actions/publish", c.Admin, nil, &p); st != 409 {
			t.Fatalf("publish an unsubmitted draft: %d, want 409", st)
		}
		if st := c.apiCall("POST", "/api/v1/items/"+testCode+"/actions/reject", c.Admin, map[string]string{}, &p); st != 422 || problemFields(p)["reason"] == "" {
			t.Fatalf("reject without reason: %d %+v, want 422 on reason", st, p.Errors)
		}
		var diff ItemDiff
		if st := c.apiCall("GET", "/api/v1/items/"+testCode+"/diff?from=1&to=2", c.Admin, nil, &diff); st != 200 {
			t.Fatalf("diff: %d", st)
		}
		fields := map[string]DiffRow{}
		for _, r := range diff.Elements {
			fields[r.Field] = r
		}
		if r := fields["name"]; r.From != "个体工商户登记" || r.To != "个体工商户设立登记" {
			t.Errorf("name diff %+v", r)
		}
		if r := fields["promised_limit"]; r.From != "3个工作日" || r.To != "1个工作日" {
			t.Errorf("promised limit diff %+v", r)
		}
		if len(diff.Elements) != 2 {
			t.Errorf("changed elements %+v, want only name and promised_limit", diff.Elements)
		}
		if len(diff.Materials.Added) != 1 || diff.Materials.Added[0].ID != "photo" || len(diff.Materials.Removed) != 1 || diff.Materials.Removed[0].ID != "form" {
			t.Errorf("materials added %+v removed %+v, want photo added and form removed", diff.Materials.Added, diff.Materials.Removed)
		}
		if len(diff.Materials.Changed) != 1 || diff.Materials.Changed[0].ID != "lease" || diff.Materials.Changed[0].Changes[0].Field != "notes" {
			t.Errorf("materials changed %+v, want lease notes", diff.Materials.Changed)
		}
		page := c.browser()
		page.login("sup1", "Passw0rd!")
		_, body := page.get("/admin/items/" + testCode + "/versions?from=1&to=2")
		for _, want := range []string{"第 1 版 → 第 2 版", "新增：经营者照片（photo）", "删除：个体工商户登记申请书（form）", "租期不少于一年", "个体工商户设立登记"} {
			if !strings.Contains(body, want) {
				t.Errorf("versions page lacks %q", want)
			}
		}
		if st := c.apiCall("GET", "/api/v1/items/"+testCode+"/diff?from=1&to=2", "", nil, nil); st != 404 {
			t.Fatalf("anonymous diff against a draft: %d, want 404", st)
		}
		for _, a := range []string{"submit", "publish"} {
			if st := c.apiCall("POST", "/api/v1/items/"+testCode+"/actions/"+a, c.Admin, nil, &saved); st != 200 {
				t.Fatalf("%s version 2: %d", a, st)
			}
		}
		if saved.Version != 2 || saved.State != catalog.StatePublished {
			t.Fatalf("after publish: version %d state %s", saved.Version, saved.State)
		}
		var list struct {
			Items []catalog.ItemSummary `json:"items"`
			Total int                   `json:"total"`
		}
		if st := c.apiCall("GET", "/api/v1/admin/items?status=published&q=设立", c.Admin, nil, &list); st != 200 || list.Total != 1 || list.Items[0].Version != 2 {
			t.Fatalf("admin list: %d %+v", st, list)
		}
		if st := c.apiCall("GET", "/api/v1/admin/items?status=draft", c.Admin, nil, &list); st != 200 || list.Total != 0 {
			t.Fatalf("admin list of drafts: %d %+v, want none", st, list)
		}
		for _, step := range []struct {
			action, reason, want string
			status               int
		}{{"suspend", "", "", 422}, {"suspend", "系统升级", "suspended", 200}, {"resume", "升级完成", "published", 200}, {"abolish", "依文件取消", "abolished", 200}, {"frobnicate", "x", "", 404}} {
			var got map[string]any
			if st := c.apiCall("POST", "/api/v1/items/"+testCode+"/actions/"+step.action, c.Admin, map[string]string{"reason": step.reason}, &got); st != step.status || (st == 200 && got["status"] != step.want) {
				t.Fatalf("%s: %d status %v, want %d %s", step.action, st, got["status"], step.status, step.want)
			}
		}
	})
}

// A published adjustment batch changes nothing before its effective date and
// applies on it (demo clock), marking the batch applied.
func TestCatalogAdminAdjustmentAppliesOnItsDate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c := newCatEnv(t, newTestEnv(t, d))
		c.mustPublished(testCode)
		added := c.validItem("0100003000-990121-01")
		added.Name = "个体工商户歇业备案"
		batch := catalog.Batch{Title: "关于调整示范县行政权力事项的通知", DocNo: "示政发〔2026〕3号", EffectiveDate: "2026-03-05",
			Entries: []catalog.Entry{{Kind: catalog.AdjCancel, Code: testCode, Note: "并入一件事"}, {Kind: catalog.AdjAdd, Item: &added}}}
		var p Problem
		if st := c.apiCall("POST", "/api/v1/adjustments", c.Admin, catalog.Batch{Title: "x", EffectiveDate: "5 March", Entries: []catalog.Entry{{Kind: "rename"}}}, &p); st != 422 {
			t.Fatalf("bad batch: %d", st)
		} else if f := problemFields(p); f["doc_no"] == "" || f["effective_date"] == "" || f["entries[0].kind"] == "" {
			t.Fatalf("bad batch errors %+v, want doc_no, effective_date and entries[0].kind", p.Errors)
		}
		foreign := batch
		foreign.RegionCode = "990121"
		if st := c.apiCall("POST", "/api/v1/adjustments", c.East, foreign, nil); st != 403 {
			t.Fatalf("other region's batch: %d, want 403", st)
		}
		var b catalog.Batch
		if st := c.apiCall("POST", "/api/v1/adjustments", c.Admin, batch, &b); st != 201 || b.Status != "draft" || b.RegionCode != "990121" {
			t.Fatalf("create batch: %d %+v", st, b)
		}
		if st := c.apiCall("POST", "/api/v1/adjustments/"+strconvI(b.ID)+"/publish", c.Admin, nil, &b); st != 200 || b.Status != "published" {
			t.Fatalf("publish batch: %d %s", st, b.Status)
		}
		if st := c.apiCall("POST", "/api/v1/adjustments/"+strconvI(b.ID)+"/publish", c.Admin, nil, nil); st != 409 {
			t.Fatalf("publish twice: %d, want 409", st)
		}
		ctx := context.Background()
		cat := c.Srv.Catalog
		status := func(code string) catalog.Status {
			it, err := cat.Working(ctx, catalog.System, code)
			if err != nil {
				return ""
			}
			return it.Status
		}
		c.Sim.Advance(48 * time.Hour) // 2026-03-04 09:00, the day before
		if ids, err := cat.ApplyDueAdjustments(ctx, c.Sim.Now()); err != nil || len(ids) != 0 || status(testCode) != catalog.StatusPublished {
			t.Fatalf("day before: applied %v %v, item %s, want nothing applied", ids, err, status(testCode))
		}
		c.Sim.Advance(15 * time.Hour) // 2026-03-05 00:00 Beijing
		ids, err := cat.ApplyDueAdjustments(ctx, c.Sim.Now())
		if err != nil || len(ids) != 1 {
			t.Fatalf("effective date: applied %v %v, want the batch", ids, err)
		}
		if got := status(testCode); got != catalog.StatusAbolished {
			t.Errorf("cancelled item status %s, want abolished", got)
		}
		if got := status(added.Code); got != catalog.StatusPublished {
			t.Errorf("added item status %s, want published", got)
		}
		page := c.browser()
		page.login("catadm", "Passw0rd!")
		if _, body := page.get("/admin/adjustments/" + strconvI(b.ID)); !strings.Contains(body, "已生效") || !strings.Contains(body, "2026-03-05 00:00") {
			t.Errorf("batch page lacks applied status and time: %s", firstLine(body, "batch-facts"))
		}
	})
}
