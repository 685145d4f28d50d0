package web

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/supervise"
)

var applyLinkRe = regexp.MustCompile(`id="apply-online" href="([^"]+)"`)

// applyLinkOf returns the "在线申报" link of a page, or "".
func applyLinkOf(body string) string {
	if m := applyLinkRe.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// The guide and the checklist lead to applying: online when the item is
// published with online depth ≥ 3, and at the windows serving its domain.
func TestCatalogPagesLeadToApplying(t *testing.T) {
	e := newCaseEnv(t, dbtest.SQLite(t))
	b := e.browser()
	const bankCode = "2000001000-990121-01" // 企业银行基本存款账户开立, online depth 2
	t.Run("a guide of a depth-3 published item links to the online application", func(t *testing.T) {
		_, body := b.get("/items/" + foodCode)
		if got, want := applyLinkOf(body), "/apply/"+foodCode; got != want {
			t.Fatalf("got apply link %q, want %q", got, want)
		}
	})
	t.Run("a guide names the halls and windows serving the item's domain", func(t *testing.T) {
		_, body := b.get("/items/" + foodCode)
		list := regexp.MustCompile(`(?s)<ul class="hall-places" id="windows".*?</ul>`).FindString(body)
		wantContains(t, "guide", body, `<h3 id="windows-h">到窗口办理</h3>`)
		wantContains(t, "windows", list, "示范县政务服务中心", "A01 商事登记综合窗口", "办公时间")
	})
	t.Run("a guide of a depth-2 item has no online application", func(t *testing.T) {
		_, body := b.get("/items/" + bankCode)
		if got := applyLinkOf(body); got != "" {
			t.Fatalf("got apply link %q, want none", got)
		}
		wantContains(t, "bank guide", body, "本事项暂不支持在线申报，请到窗口办理")
	})
	answers := "?a.scope=catering&a.water=own&a.promise=no&a.agent=no"
	wantLink := "/apply/" + foodCode + "?agent=no&promise=no&scope=catering&water=own"
	t.Run("the checklist preview applies with the answers", func(t *testing.T) {
		_, body := b.get("/items/" + foodCode + "/checklist" + answers)
		if got := applyLinkOf(body); got != wantLink {
			t.Fatalf("got apply link %q, want %q", got, wantLink)
		}
	})
	var number string
	t.Run("the saved checklist applies with the answers and lists the windows", func(t *testing.T) {
		form := url.Values{"a.scope": {"catering"}, "a.water": {"own"}, "a.promise": {"no"}, "a.agent": {"no"}}
		base := "/items/" + foodCode + "/checklist"
		st, body, path := b.post(base+answers, base, form)
		if st != 200 || !strings.HasPrefix(path, "/checklists/") {
			t.Fatalf("got %d at %s", st, path)
		}
		number = strings.TrimPrefix(path, "/checklists/")
		if got := applyLinkOf(body); got != wantLink {
			t.Fatalf("got apply link %q, want %q", got, wantLink)
		}
		wantContains(t, "checklist", body, `id="windows"`, "示范县政务服务中心")
		if strings.Contains(body, `id="file-at-window"`) {
			t.Error("the public sees the counter link")
		}
	})
	t.Run("window staff loading the number get a link to file it at the counter", func(t *testing.T) {
		clerk := e.browser()
		clerk.login("clerk", demo.Password)
		_, body := clerk.get("/checklists?number=" + number)
		m := regexp.MustCompile(`id="file-at-window" href="([^"]+)"`).FindStringSubmatch(body)
		if m == nil || html.UnescapeString(m[1]) != "/window?checklist="+number {
			t.Fatalf("got window link %v, want /window?checklist=%s", m, number)
		}
		if st, form := clerk.get(html.UnescapeString(m[1])); st != 200 || !strings.Contains(form, `name="checklist" value="`+number+`"`) {
			t.Fatalf("counter form from the checklist: got %d without the number filled in", st)
		}
		st, form := clerk.get("/window/new?kind=person&id_number=" + demoPerson() + "&checklist=" + number)
		if st != 200 || !strings.Contains(form, "食品加工用水水质检验合格报告") {
			t.Fatalf("counter filing with the checklist: got %d without its materials", st)
		}
	})
	t.Run("the applicant following the link gets the form with the checklist's materials", func(t *testing.T) {
		app := e.browser()
		app.login(demoPerson(), demo.Password)
		st, body := app.get(wantLink)
		if st != 200 {
			t.Fatalf("got %d", st)
		}
		wantContains(t, "apply form", body, `id="apply-form"`, "食品加工用水水质检验合格报告", "餐饮服务场所平面图")
		if strings.Contains(body, "委托代理人身份证明") {
			t.Error("apply form asks for a material the answers exclude")
		}
	})
}

// The spec shows catalog metrics on the supervisor dashboard too.
func TestSupervisorDashboardShowsCatalogMetrics(t *testing.T) {
	e := newCaseEnv(t, dbtest.SQLite(t))
	b := e.browser()
	b.login("supervisor", demo.Password)
	st, body := b.get("/supervise")
	if st != 200 {
		t.Fatalf("got %d", st)
	}
	m, err := e.Srv.Catalog.Metrics(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	card := regexp.MustCompile(`(?s)<div class="card" id="catalog-metrics">.*?</div>`).FindString(body)
	wantContains(t, "catalog card", card, "事项目录", fmt.Sprintf("<dd>%d</dd>", m.Items), `id="catalog-compression">`+supervise.Pct(m.CompressionRate), "可用电子证照替代的材料",
		fmt.Sprintf("%d 项", m.ELicenseMaterials), `href="/catalog/metrics"`)
}
