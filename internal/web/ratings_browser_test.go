package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/demo"
)

// In a real browser: the applicant rates a concluded case badly (level 1
// with reason tags), the responsible department calls back, fixes it and
// reports to the rater, and the rater sees the result and rates it.
func TestBrowserBadRatingRectified(t *testing.T) {
	ctx := browsertest.New(t)
	w := newRatingsWorld(t)
	login := func(user, password string) {
		// A navigation still in flight aborts the next one: retry once.
		if err := chromedp.Do(ctx, chromedp.Navigate(w.HTTP.URL+"/login")); err != nil {
			browsertest.Do(t, ctx, chromedp.Navigate(w.HTTP.URL+"/login"))
		}
		browsertest.Do(t, ctx,
			browsertest.Fill("#login", user),
			browsertest.Fill("#password", password),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#logout")))
	}
	logout := func() {
		browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitNotPresent(chromedp.CSS("#logout")))
	}
	login(w.applicant, demo.Password)
	browsertest.Do(t, ctx,
		chromedp.Navigate(w.HTTP.URL+"/my/cases/"+w.no+"/rate"),
		chromedp.WaitVisible(chromedp.CSS("#rate-submit")),
		chromedp.Click(chromedp.CSS("#level-1")),
		chromedp.Click(chromedp.CSS("#tag-1-0")),
		chromedp.Click(chromedp.CSS("#tag-1-1")),
		browsertest.Fill("#comment", "办事指南写的材料和窗口要求不一致"),
		chromedp.Click(chromedp.CSS("#rate-submit")),
		chromedp.WaitVisible(chromedp.CSS("#my-ratings")))
	if got := browsertest.Text(t, ctx, "#my-ratings"); !strings.Contains(got, "非常不满意") || !strings.Contains(got, "待回访核实") {
		t.Fatalf("my ratings after rating: %q", got)
	}
	logout()

	login(w.dept, "Passw0rd!")
	steps := []struct {
		name string
		do   []chromedp.Action[chromedp.Void]
	}{
		{"open the workbench", []chromedp.Action[chromedp.Void]{chromedp.Navigate(w.HTTP.URL + "/rectifications"), chromedp.WaitVisible(chromedp.CSS("#rect-table a")),
			chromedp.Click(chromedp.CSS("#rect-table a")), chromedp.WaitVisible(chromedp.CSS("#do-callback"))}},
		{"call back", []chromedp.Action[chromedp.Void]{browsertest.Fill("#cb-note", "已电话联系申请人，核实指南材料清单有误"), chromedp.Click(chromedp.CSS("#cb-verified")),
			chromedp.Click(chromedp.CSS("#do-callback")), chromedp.WaitVisible(chromedp.CSS("#do-fix"))}},
		{"fix", []chromedp.Action[chromedp.Void]{browsertest.Fill("#fix-note", "已更正办事指南材料清单"), chromedp.Click(chromedp.CSS("#do-fix")),
			chromedp.WaitVisible(chromedp.CSS("#do-report"))}},
		{"report", []chromedp.Action[chromedp.Void]{browsertest.Fill("#rp-note", "办事指南已更正，感谢您的监督"), chromedp.Click(chromedp.CSS("#do-report")),
			chromedp.WaitVisible(chromedp.CSS("#do-close"))}},
	}
	for _, st := range steps {
		c, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := chromedp.Do(c, st.do...)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v; page %s: %s", st.name, err, browsertest.Eval[string](t, ctx, "location.pathname"),
				browsertest.Eval[string](t, ctx, "document.querySelector('main').innerText"))
		}
	}
	if got := browsertest.Text(t, ctx, "#rect-status"); got != "已反馈评价人" {
		t.Fatalf("rectification status %q, want 已反馈评价人", got)
	}
	logout()

	login(w.applicant, demo.Password)
	browsertest.Do(t, ctx, chromedp.Navigate(w.HTTP.URL+"/my/ratings"), chromedp.WaitVisible(chromedp.CSS("#my-ratings .report-note")))
	if got := browsertest.Text(t, ctx, "#my-ratings .rect-result"); !strings.Contains(got, "办事指南已更正，感谢您的监督") || !strings.Contains(got, "已反馈评价人") {
		t.Fatalf("the rater sees %q", got)
	}
}
