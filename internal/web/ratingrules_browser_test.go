package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// In a real browser: a supervisor opens 评价规则 from the navigation,
// lengthens the county's rating window and sees it in force; a window out
// of range is refused with the Chinese message next to the field and the
// saved window stays.
func TestBrowserRatingRulesWindow(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("sup", "990121", auth.Supervisor)
	browsertest.Do(t, ctx,
		chromedp.Navigate(e.HTTP.URL+"/login"),
		browsertest.Fill("#login", "sup"),
		browsertest.Fill("#password", "Passw0rd!"),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
		chromedp.Click(chromedp.CSS(`nav.main-nav a[href="/supervise/rating-rules"]`)),
		chromedp.WaitVisible(chromedp.CSS("#rating-rules-save")),
	)
	if got := browsertest.Text(t, ctx, "#rules-source"); got != "默认规则" {
		t.Fatalf("rules source %q, want 默认规则", got)
	}

	browsertest.Do(t, ctx,
		browsertest.Fill("#window_days", "9"),
		chromedp.Click(chromedp.CSS("#rating-rules-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := browsertest.Text(t, ctx, ".flash"); !strings.Contains(got, "已保存 990121 的评价规则") {
		t.Fatalf("flash %q, want the saved message", got)
	}
	if got := browsertest.Text(t, ctx, "#in-force-window"); got != "9 个工作日" {
		t.Fatalf("window in force %q, want 9 个工作日", got)
	}
	if got := browsertest.Text(t, ctx, "#rules-source"); got != "本地区单独设置" {
		t.Fatalf("rules source %q, want 本地区单独设置", got)
	}
	rules, err := e.Srv.Ratings.RulesFor(context.Background(), "990121")
	if err != nil || rules.RegionCode != "990121" || rules.WindowDays != 9 {
		t.Fatalf("stored rules %+v %v, want 990121's window of 9 days", rules, err)
	}

	browsertest.Do(t, ctx,
		browsertest.Fill("#window_days", "61"),
		chromedp.Click(chromedp.CSS("#rating-rules-save")),
		chromedp.WaitVisible(chromedp.CSS("#window_days-error")),
	)
	if got := browsertest.Text(t, ctx, "#window_days-error"); got != "须在 1 至 60 个工作日之间" {
		t.Fatalf("field error %q, want 须在 1 至 60 个工作日之间", got)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector("#window_days").getAttribute("aria-invalid") + " " + document.querySelector("#window_days").value`); got != "true 61" {
		t.Fatalf("window input %q, want it marked invalid and keeping 61", got)
	}
	if got := browsertest.Text(t, ctx, "#in-force-window"); got != "9 个工作日" {
		t.Fatalf("window in force %q after the bad value, want 9 个工作日", got)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`nav.main-nav a[href="/login"]`)))
}
