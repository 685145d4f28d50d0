package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A supervisor watches the dashboard; an admin moves the demo clock two
// days ahead and runs the lights job and the outbox; on reload the case is
// red on the dashboard, the department has a red card, and the red warning
// is in the supervisor's messages.
func TestBrowserSupervisorSeesCaseTurnRedAfterClockMoves(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t, dbtest.SQLite(t))
	w := newSuperviseWorld(t, e)
	browsertest.Do(t, ctx,
		chromedp.Navigate(e.HTTP.URL+"/login"),
		browsertest.Fill("#login", "sup"),
		browsertest.Fill("#password", "Passw0rd!"),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
		chromedp.Navigate(e.HTTP.URL+"/supervise"),
		chromedp.WaitVisible(chromedp.CSS("#lights-summary")),
	)
	if got := browsertest.Text(t, ctx, "#count-red"); got != "红 0" {
		t.Fatalf("before the clock moves red count %q, want 红 0", got)
	}
	if hint := browsertest.Text(t, ctx, "#demo-clock-hint"); !strings.Contains(hint, "时钟") {
		t.Fatalf("demo hint %q", hint)
	}
	if got := e.apiCall("POST", "/api/v1/admin/clock", w.adm, map[string]string{"advance": "48h"}, nil); got != 200 {
		t.Fatalf("advance clock: %d", got)
	}
	for _, job := range []string{"cases-lights", "outbox"} {
		if got := e.apiCall("POST", "/api/v1/admin/jobs/"+job+"/run", w.adm, nil, nil); got != 200 {
			t.Fatalf("run %s: %d", job, got)
		}
	}
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/supervise"), chromedp.WaitVisible(chromedp.CSS("#red-list")))
	if got := browsertest.Text(t, ctx, "#count-red"); got != "红 1" {
		t.Fatalf("after the clock moved red count %q, want 红 1", got)
	}
	if red := browsertest.Text(t, ctx, "#red-list"); !strings.Contains(red, w.caseNo) {
		t.Fatalf("red list %q lacks %s", red, w.caseNo)
	}
	if cards := browsertest.Text(t, ctx, "#org-cards"); !strings.Contains(cards, "示范县市场监督管理局") {
		t.Fatalf("department cards %q lack the department", cards)
	}
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/notifications"), chromedp.WaitVisible(chromedp.CSS("main")))
	if body := browsertest.Text(t, ctx, "main"); !strings.Contains(body, "办件已超期") || !strings.Contains(body, w.caseNo) {
		t.Fatalf("supervisor's messages %q lack the red warning", body)
	}
}
