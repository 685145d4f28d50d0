package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// In a real browser: a supervisor creates a reform task, the lead unit's
// approver reports progress, and the supervisor sees it in the monthly report.
func TestBrowserReformTaskFlow(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t, dbtest.SQLite(t))
	f := newReformFixture(t, e)
	login := func(name string) {
		browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/login"))
		browsertest.Do(t, ctx,
			browsertest.Fill("#login", name),
			browsertest.Fill("#password", "Passw0rd!"),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#logout")),
		)
	}
	logout := func() {
		browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`nav.main-nav a[href="/login"]`)))
	}

	login("sup")
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.CSS(`nav.main-nav a[href="/reform"]`)),
		chromedp.WaitVisible(chromedp.CSS("#reform-new")),
		chromedp.Click(chromedp.CSS("#reform-new")),
		browsertest.Fill("#title", "不动产登记5个工作日内办结"),
		browsertest.Fill("#source_doc", "示政办发〔2026〕3号"),
	)
	browsertest.Eval[bool](t, ctx, fmt.Sprintf(`(() => { document.querySelector('#lead_org_id').value = '%d';
		document.querySelector('input[name=responsible_org_ids][value="%d"]').checked = true;
		document.querySelector('#deadline').value = '2026-03-31'; return true })()`, f.land, f.market))
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#reform-submit")), chromedp.WaitVisible(chromedp.CSS("#task-light")))
	taskPath := browsertest.Eval[string](t, ctx, "location.pathname")
	if got := browsertest.Text(t, ctx, "#task-lead"); got != "示范县自然资源局" {
		t.Fatalf("lead unit %q", got)
	}
	logout()

	login("apland")
	browsertest.Do(t, ctx,
		chromedp.Navigate(e.HTTP.URL+taskPath),
		browsertest.Fill("#text", "已设置不动产登记“一窗受理”窗口5个"),
		browsertest.Fill("#percent", "40"),
		chromedp.Click(chromedp.CSS("#progress-submit")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := browsertest.Text(t, ctx, "#progress-table tbody"); !strings.Contains(got, "已设置不动产登记“一窗受理”窗口5个") || !strings.Contains(got, "40%") {
		t.Fatalf("progress table %q", got)
	}
	logout()

	login("sup")
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/reform/reports/monthly?month=2026-03"), chromedp.WaitVisible(chromedp.CSS("#report-table")))
	total := browsertest.Text(t, ctx, "#report-total")
	if f := strings.Fields(total); len(f) < 6 || f[1] != "1" || f[5] != "1" {
		t.Fatalf("report total %q, want 1 due and 1 in progress", total)
	}
	if got := browsertest.Text(t, ctx, "#report-tasks tbody"); !strings.Contains(got, "不动产登记5个工作日内办结") || !strings.Contains(got, "40%") {
		t.Fatalf("report tasks %q", got)
	}
}
