package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A catalog admin opens a draft in a real browser, adds a material row with
// the "add row" button (no JavaScript needed), fills it, saves, submits the
// draft for review and publishes it.
func TestBrowserCatalogAdminEditSubmitPublish(t *testing.T) {
	ctx := browsertest.New(t)
	c := newCatEnv(t, newTestEnv(t, dbtest.SQLite(t)))
	if st := c.apiCall("POST", "/api/v1/items", c.Admin, c.validItem(testCode), nil); st != 201 {
		t.Fatalf("create draft: %d", st)
	}
	sel := func(name string) string { return `[name="` + name + `"]` }
	browsertest.Do(t, ctx,
		chromedp.Navigate(c.HTTP.URL+"/login"),
		browsertest.Fill("#login", "catadm"),
		browsertest.Fill("#password", "Passw0rd!"),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
		chromedp.Navigate(c.HTTP.URL+"/admin/items"),
		chromedp.Click(chromedp.CSS(`#items-table a[href="/admin/items/`+testCode+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#item-form")),
	)
	if got := browsertest.Text(t, ctx, "#item-status"); got != "草稿" {
		t.Fatalf("status %q, want 草稿", got)
	}
	// Two materials and two blank rows; "add row" gives a fifth.
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.CSS(`button[name="add"][value="materials"]`)),
		chromedp.WaitVisible(chromedp.CSS(sel("materials[4].id"))),
		browsertest.Fill(sel("materials[4].id"), "photo"),
		browsertest.Fill(sel("materials[4].name"), "经营者近期免冠照片"),
		chromedp.Click(chromedp.CSS(sel("materials[4].required"))),
		browsertest.Fill(sel("change_note"), "增加照片材料"),
		chromedp.Click(chromedp.CSS("#item-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if flash := browsertest.Text(t, ctx, ".flash"); !strings.Contains(flash, "已保存") {
		t.Fatalf("after save flash %q", flash)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('[name="materials[2].id"]').value`); got != "photo" {
		t.Fatalf("saved material row 2 is %q, want photo (blank rows dropped)", got)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#action-submit")), chromedp.WaitVisible(chromedp.CSS("#action-publish")))
	if got := browsertest.Text(t, ctx, "#item-status"); got != "审核中" {
		t.Fatalf("after submit status %q, want 审核中", got)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#action-publish")), chromedp.WaitVisible(chromedp.CSS("#action-suspend")))
	if got := browsertest.Text(t, ctx, "#item-status"); got != "已发布" {
		t.Fatalf("after publish status %q, want 已发布", got)
	}
	it, err := c.Srv.Catalog.Guide(t.Context(), testCode, 0)
	if err != nil || len(it.Materials) != 3 || it.Materials[2].ID != "photo" || !it.Materials[2].Required {
		t.Fatalf("public guide %+v %v, want the photo material", it, err)
	}
	// The versions page shows the change log with the note.
	browsertest.Do(t, ctx, chromedp.Navigate(c.HTTP.URL+"/admin/items/"+testCode+"/versions"), chromedp.WaitVisible(chromedp.CSS("#changes-table")))
	if log := browsertest.Text(t, ctx, "#changes-table"); !strings.Contains(log, "增加照片材料") {
		t.Fatalf("change log %q lacks the note", log)
	}
}
