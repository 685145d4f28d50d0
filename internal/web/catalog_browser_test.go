package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A citizen searches "开饭店" on the portal, opens the food business
// license guide, answers the situation questions (the water question appears
// only after choosing catering) and gets a numbered checklist with exactly
// the materials that apply and a QR code that loads.
func TestBrowserSearchGuideChecklist(t *testing.T) {
	ctx := browsertest.New(t)
	e := newCatalogEnv(t, dbtest.SQLite(t))
	radio := func(id string) string { return `[id="` + id + `"]` }
	browsertest.Do(t, ctx,
		chromedp.Navigate(e.HTTP.URL+"/"),
		browsertest.Fill("#q", "开饭店"),
		chromedp.Click(chromedp.CSS("#search-submit")),
		chromedp.WaitVisible(chromedp.CSS("#hits")),
	)
	first := browsertest.Eval[string](t, ctx, `document.querySelector('#hits li h3 a').getAttribute('href')`)
	if first != "/items/"+foodCode {
		t.Fatalf("first hit %s, want /items/%s", first, foodCode)
	}
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.CSS(`#hits li h3 a`)),
		chromedp.WaitVisible(chromedp.CSS("#flow-diagram")),
	)
	if name := browsertest.Text(t, ctx, "#item-name"); name != "食品经营许可" {
		t.Fatalf("guide of %q", name)
	}
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.CSS("#start-checklist")),
		chromedp.WaitVisible(chromedp.CSS(radio("a.scope-catering"))),
		chromedp.Click(chromedp.CSS(radio("a.scope-catering"))),
		chromedp.Click(chromedp.CSS(radio("a.promise-no"))),
		chromedp.Click(chromedp.CSS(radio("a.agent-no"))),
		chromedp.Click(chromedp.CSS("#next-step")),
		chromedp.WaitVisible(chromedp.CSS(radio("a.water-own"))),
		chromedp.Click(chromedp.CSS(radio("a.water-own"))),
		chromedp.Click(chromedp.CSS("#next-step")),
		chromedp.WaitVisible(chromedp.CSS("#save-submit")),
		chromedp.Click(chromedp.CSS("#save-submit")),
		chromedp.WaitVisible(chromedp.CSS("#checklist-number")),
	)
	number := browsertest.Text(t, ctx, "#checklist-number")
	if !strings.HasPrefix(number, "QD") || len(number) != 10 {
		t.Fatalf("checklist number %q", number)
	}
	names := browsertest.Eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#materials .material-name')).map(e => e.textContent)`)
	want := []string{"食品经营许可申请书", "营业执照", "与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
		"食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录",
		"餐饮服务场所平面图（标明加工区域、设备布局）", "食品加工用水水质检验合格报告"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("checklist materials %v, want %v", names, want)
	}
	// The QR image really loads (decoded by the browser, not just referenced).
	deadline := time.Now().Add(10 * time.Second)
	for !browsertest.Eval[bool](t, ctx, `(() => { const i = document.getElementById('checklist-qr'); return i.complete && i.naturalWidth > 0 })()`) {
		if time.Now().After(deadline) {
			t.Fatal("QR image did not load")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := browsertest.Eval[bool](t, ctx, `document.querySelector('[data-print]') !== null`); !got {
		t.Fatal("no print button")
	}
}
