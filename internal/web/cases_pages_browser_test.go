package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// browserLogin logs the tab in as login (logging out whoever was in).
func browserLogin(t *testing.T, ctx context.Context, e *testEnv, login string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/"))
	if browsertest.Eval[bool](t, ctx, `!!document.querySelector('#logout')`) {
		browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS(`nav.main-nav a[href="/login"]`)))
	}
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/login"),
		browsertest.Fill("#login", login), browsertest.Fill("#password", demo.Password),
		chromedp.Click(chromedp.CSS("#login-submit")), chromedp.WaitVisible(chromedp.CSS("#logout")))
}

func clickAndWaitFlash(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	// Drop the previous page's flash so the wait sees the new page's.
	browsertest.Eval[bool](t, ctx, `(document.querySelectorAll('.flash').forEach(f => f.remove()), true)`)
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(css)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	return browsertest.Text(t, ctx, ".flash")
}

// An applicant applies online: one material uploaded as a PDF, the others
// marked as paper originals; the case shows in 我的办件.
func TestBrowserCasesOnlineApplication(t *testing.T) {
	ctx := browsertest.New(t)
	e := newCaseEnv(t, dbtest.SQLite(t))
	pdf := filepath.Join(t.TempDir(), "申请书.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cl, _ := e.Srv.Catalog.Checklist(context.Background(), foodItem, 0, nil)
	browserLogin(t, ctx, e, demoPerson())
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.HTTP.URL + "/apply/" + foodItem), chromedp.WaitVisible(chromedp.CSS("#apply-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#file_"+cl.Materials[0].ID), []string{pdf})}
	for _, m := range cl.Materials[1:] {
		steps = append(steps, chromedp.Click(chromedp.CSS("#paper_"+m.ID)))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#apply-submit")), chromedp.WaitVisible(chromedp.CSS("#query-code")))
	browsertest.Do(t, ctx, steps...)
	no := browsertest.Text(t, ctx, "#case-no")
	if code := browsertest.Text(t, ctx, "#query-code"); len(code) < 6 {
		t.Fatalf("query code %q", code)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`nav.main-nav a[href="/my/cases"]`)), chromedp.WaitVisible(chromedp.CSS("#my-cases")))
	if got := browsertest.Text(t, ctx, "#my-cases"); !strings.Contains(got, no) || !strings.Contains(got, "已申报（待受理）") {
		t.Fatalf("my cases %q lacks %s", got, no)
	}
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/cases/"+no), chromedp.WaitVisible(chromedp.CSS("#materials")))
	if got := browsertest.Text(t, ctx, "#materials"); !strings.Contains(got, "电子文件") || !strings.Contains(got, "纸质原件") {
		t.Fatalf("materials %q: want one file and paper originals", got)
	}
}

// A clerk loads the applicant, marks a material defective and issues the
// one correction notice; the applicant sees it and resubmits; the clerk accepts.
func TestBrowserCasesWindowCorrection(t *testing.T) {
	ctx := browsertest.New(t)
	e := newCaseEnv(t, dbtest.SQLite(t))
	cl, _ := e.Srv.Catalog.Checklist(context.Background(), foodItem, 0, nil)
	bad := cl.Materials[0].ID
	browserLogin(t, ctx, e, "clerk")
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`nav.main-nav a[href="/window"]`)), chromedp.WaitVisible(chromedp.CSS("#find-applicant")),
		browsertest.Fill("#id_number", demoPerson()), chromedp.Click(chromedp.CSS("#find-submit")),
		chromedp.WaitVisible(chromedp.CSS("#covered-items")),
		chromedp.Click(chromedp.CSS(`#covered-items a[href*="`+foodItem+`"]`)), chromedp.WaitVisible(chromedp.CSS("#window-form")))
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('#name').value`); got != "张三" {
		t.Fatalf("applicant name prefilled %q, want 张三", got)
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, m := range cl.Materials[1:] {
		steps = append(steps, chromedp.Click(chromedp.CSS("#ok_"+m.ID)))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#defective_"+bad)), browsertest.Fill("#reason_"+bad, "申请书未经申请人签字"),
		chromedp.Click(chromedp.CSS("#outcome-correction")), chromedp.Click(chromedp.CSS("#window-submit")), chromedp.WaitVisible(chromedp.CSS("#case-no")))
	browsertest.Do(t, ctx, steps...)
	no := browsertest.Text(t, ctx, "#case-no")
	if got := browsertest.Text(t, ctx, "#case-status"); got != "待补正" {
		t.Fatalf("status %q, want 待补正", got)
	}

	browserLogin(t, ctx, e, demoPerson())
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/cases/"+no), chromedp.WaitVisible(chromedp.CSS("#corrections")))
	if got := browsertest.Text(t, ctx, "#corrections"); !strings.Contains(got, "申请书未经申请人签字") {
		t.Fatalf("notice %q lacks the reason", got)
	}
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/cases/"+no), chromedp.WaitVisible(chromedp.CSS("#act-resubmit")),
		chromedp.Click(chromedp.CSS("#paper_"+bad)))
	if got := clickAndWaitFlash(t, ctx, "#resubmit-submit"); !strings.Contains(got, "补正材料已提交") {
		t.Fatalf("flash %q", got)
	}

	browserLogin(t, ctx, e, "clerk")
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/window"), chromedp.WaitVisible(chromedp.CSS("#queue")))
	if got := browsertest.Text(t, ctx, "#queue"); !strings.Contains(got, no) {
		t.Fatalf("queue %q lacks %s", got, no)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`#queue a[href="/cases/`+no+`"]`)), chromedp.WaitVisible(chromedp.CSS("#act-accept")),
		chromedp.Click(chromedp.CSS("#act-accept summary")))
	if got := clickAndWaitFlash(t, ctx, "#accept-submit"); !strings.Contains(got, "已受理") {
		t.Fatalf("flash %q", got)
	}
	if got := browsertest.Text(t, ctx, "#case-status"); got != "办理中" {
		t.Fatalf("status %q, want 办理中", got)
	}
}

// A reviewer reviews and an approver grants; the applicant sees 已办结 and
// the decision letter with its QR code.
func TestBrowserCasesReviewAndDecide(t *testing.T) {
	ctx := browsertest.New(t)
	e := newCaseEnv(t, dbtest.SQLite(t))
	e.authorizeItem(rewardItem)
	no := acceptedCase(t, e, rewardItem)

	browserLogin(t, ctx, e, "reviewer")
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`nav.main-nav a[href="/inbox"]`)), chromedp.WaitVisible(chromedp.CSS("#inbox-table")),
		chromedp.Click(chromedp.CSS(`#inbox-table a[href="/cases/`+no+`"]`)), chromedp.WaitVisible(chromedp.CSS("#act-review")),
		browsertest.Fill("#review-opinion", "经审查，举报属实，符合奖励条件"))
	if got := clickAndWaitFlash(t, ctx, "#review-submit"); !strings.Contains(got, "下一环节") {
		t.Fatalf("flash %q", got)
	}

	browserLogin(t, ctx, e, "approver")
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/inbox"), chromedp.WaitVisible(chromedp.CSS("#inbox-table")),
		chromedp.Click(chromedp.CSS(`#inbox-table a[href="/cases/`+no+`"]`)), chromedp.WaitVisible(chromedp.CSS("#act-decide")),
		chromedp.Click(chromedp.CSS("#decide-grant")), browsertest.Fill("#decide-cert", "JL2026-0001"))
	if got := clickAndWaitFlash(t, ctx, "#decide-submit"); !strings.Contains(got, "已作出决定") {
		t.Fatalf("flash %q", got)
	}
	if got := clickAndWaitFlash(t, ctx, "#conclude-submit"); !strings.Contains(got, "已办结") {
		t.Fatalf("flash %q", got)
	}

	browserLogin(t, ctx, e, demoPerson())
	browsertest.Do(t, ctx, chromedp.Navigate(e.HTTP.URL+"/cases/"+no), chromedp.WaitVisible(chromedp.CSS("#case-status")))
	if got := browsertest.Text(t, ctx, "#case-status"); got != "已办结" {
		t.Fatalf("status %q, want 已办结", got)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`#documents a[href*="-JD"]`)), chromedp.WaitVisible(chromedp.CSS("#document")))
	if got := browsertest.Text(t, ctx, "#document"); !strings.Contains(got, "准予行政许可") || !strings.Contains(got, "JL2026-0001") || !strings.Contains(got, no) {
		t.Fatalf("decision letter %q", got)
	}
	pc, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(pc, chromedp.Poll[bool](`document.querySelector('#doc-qr').complete && document.querySelector('#doc-qr').naturalWidth > 0`)); err != nil {
		t.Fatalf("QR image never loaded: %v", err)
	}
	if w := browsertest.Eval[int](t, ctx, `document.querySelector('#doc-qr').naturalWidth`); w < 100 {
		t.Fatalf("QR image width %d", w)
	}
}
