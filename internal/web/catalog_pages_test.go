package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/dbtest"
)

// wantContains fails unless body contains every want.
func wantContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestCatalogPagesHomeSearchBrowse(t *testing.T) {
	e := newCatalogEnv(t, dbtest.SQLite(t))
	b := e.browser()
	t.Run("the portal home has the search box and the browse entry points", func(t *testing.T) {
		st, body := b.get("/")
		if st != 200 {
			t.Fatalf("got %d", st)
		}
		wantContains(t, "home", body, `action="/search"`, `id="q"`, `href="/browse?event=%e5%87%ba%e7%94%9f"`, "开办", "注销", `href="/browse"`, "办事指南", "事项统计")
	})
	t.Run("a search lists the right item with its name highlighted", func(t *testing.T) {
		st, body := b.get("/search?q=" + url.QueryEscape("食品经营"))
		if st != 200 {
			t.Fatalf("got %d", st)
		}
		wantContains(t, "results", body, `href="/items/`+foodCode+`"`, "<mark>食品经营</mark>许可", `id="result-count"`, `id="f-kind"`, `id="f-org"`, `id="f-theme"`)
	})
	t.Run("a colloquial search finds the food license first", func(t *testing.T) {
		_, body := b.get("/search?q=" + url.QueryEscape("开饭店"))
		first := regexp.MustCompile(`<li class="hit panel">\s*<h3><a href="/items/([^"]+)"`).FindStringSubmatch(body)
		if first == nil || first[1] != foodCode {
			t.Fatalf("got first hit %v, want %s", first, foodCode)
		}
	})
	t.Run("a hit found through a synonym or pinyin initials says how it matched", func(t *testing.T) {
		_, body := b.get("/search?q=" + url.QueryEscape("开饭店"))
		wantContains(t, "开饭店 results", body, `<p class="hint hit-match">匹配：开饭店 → 食品经营（同义词）</p>`)
		_, py := b.get("/search?q=yyzz")
		wantContains(t, "yyzz results", py, `匹配：yyzz → 营业执照（拼音首字母）`)
		_, direct := b.get("/search?q=" + url.QueryEscape("食品经营许可"))
		if strings.Contains(direct[:strings.Index(direct, "</li>")], "hit-match") {
			t.Error("a name match carries a match note")
		}
	})
	t.Run("a kind filter keeps the query and narrows the list", func(t *testing.T) {
		_, body := b.get("/search?q=" + url.QueryEscape("登记") + "&kind=confirmation")
		if strings.Contains(body, `href="/items/`+companyCode+`"`) || !strings.Contains(body, `href="/items/`+transferCode+`"`) {
			t.Fatal("kind filter did not narrow to 行政确认")
		}
	})
	t.Run("a long list is paginated", func(t *testing.T) {
		_, body := b.get("/search")
		wantContains(t, "all items", body, `aria-label="分页"`, `id="next-page"`)
		_, p2 := b.get("/search?page=2")
		if !strings.Contains(p2, `<span aria-current="page" class="current">2</span>`) {
			t.Fatal("page 2 is not marked current")
		}
	})
	t.Run("nothing found offers help and suggestions", func(t *testing.T) {
		_, body := b.get("/search?q=" + url.QueryEscape("饭馆子"))
		wantContains(t, "no results", body, `id="no-results"`, "没有找到", "12345", `class="suggestion"`, "开饭馆")
	})
	t.Run("a bad page number is a 422 with the message", func(t *testing.T) {
		st, body := b.get("/search?q=x&page=0")
		if st != 422 || !strings.Contains(body, "页码须为正整数") {
			t.Fatalf("got %d", st)
		}
	})
	t.Run("browse shows every category and a chosen life event's items", func(t *testing.T) {
		_, body := b.get("/browse")
		wantContains(t, "browse", body, `id="by-event"`, `id="by-lifecycle"`, `id="by-org"`, `id="by-theme"`, `id="by-kind"`, "身后", "投资建设", "示范县市场监督管理局")
		_, ev := b.get("/browse?event=" + url.QueryEscape("出生"))
		wantContains(t, "browse 出生", ev, `id="browse-results"`, `href="/items/`+birthCode+`"`)
	})
}

func TestCatalogPagesGuide(t *testing.T) {
	e := newCatalogEnv(t, dbtest.SQLite(t))
	b := e.browser()
	st, body := b.get("/items/" + foodCode)
	if st != 200 {
		t.Fatalf("got %d", st)
	}
	t.Run("every element is shown", func(t *testing.T) {
		wantContains(t, "guide", body, "食品经营许可", "行政许可", "中华人民共和国食品安全法", "受理条件", "禁止性要求",
			"食品经营许可申请书", "餐饮服务场所平面图", "容缺受理", "可告知承诺", "可用电子证照替代：营业执照", "视情形提交",
			"10 个工作日", "5 个工作日", "承诺件", "最多跑一次", "三级", "窗口办理", "本地办理", "只卖预包装食品还需要许可证吗？",
			"行政复议", "第 1 版", `href="/items/`+foodCode+`/checklist"`, `href="/items/`+foodCode+`/changes"`, "data-print")
	})
	t.Run("the flow diagram is inline SVG with the clock-stopping step marked", func(t *testing.T) {
		svg := regexp.MustCompile(`(?s)<svg class="flow".*?</svg>`).FindString(body)
		if svg == "" {
			t.Fatal("no flow svg")
		}
		wantContains(t, "flow svg", svg, "受理", "现场勘查", `class="flow-step stops-clock"`, "不计入办理时限", "审查", "决定", "制证", "综合窗口人员")
		if n := strings.Count(svg, `class="flow-step`); n != 7 {
			t.Fatalf("got %d boxes, want 5 steps + start + end", n)
		}
	})
	t.Run("template and sample download with a docx type and file name", func(t *testing.T) {
		hrefs := regexp.MustCompile(`href="/files/([0-9a-f]{64})"`).FindAllStringSubmatch(body, -1)
		if len(hrefs) < 2 {
			t.Fatalf("got %d download links", len(hrefs))
		}
		resp, err := http.Get(e.HTTP.URL + "/files/" + hrefs[0][1])
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		cd := resp.Header.Get("Content-Disposition")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.wordprocessingml") ||
			!strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".docx") || !bytes.HasPrefix(data, []byte("PK")) {
			t.Fatalf("got %d %q %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), cd, len(data))
		}
		if st, _ := b.get("/files/" + strings.Repeat("a", 64)); st != 404 {
			t.Fatalf("unknown file: got %d, want 404", st)
		}
		if st, _ := b.get("/files/nothex"); st != 422 {
			t.Fatalf("malformed hash: got %d, want 422", st)
		}
	})
	t.Run("an uploaded file no published item refers to is not served to the public", func(t *testing.T) {
		ref, err := e.Srv.Blobs.Put(context.Background(), strings.NewReader("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "样表.pdf")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(e.HTTP.URL + "/files/" + ref.Hash)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The blob store also holds applicants' materials: /files/ serves
		// only catalog templates and samples.
		if resp.StatusCode != 404 {
			t.Fatalf("got %d, want 404", resp.StatusCode)
		}
	})
	t.Run("fees are listed with amount and basis", func(t *testing.T) {
		_, mort := b.get("/items/0700002001-990121-01")
		wantContains(t, "mortgage guide", mort, `id="fees"`, "不动产登记费（住宅）", "80 元", "发改价格规〔2016〕2559号")
	})
	t.Run("an old version stays viewable and the change log lists the batch", func(t *testing.T) {
		publishV2(t, e)
		_, cur := b.get("/items/" + foodCode)
		_, old := b.get("/items/" + foodCode + "?version=1")
		if !strings.Contains(cur, "食品经营许可（含小餐饮）") || !strings.Contains(old, `id="old-version"`) || !strings.Contains(old, "5 个工作日") {
			t.Fatal("current / old version pages wrong")
		}
		if applyLinkOf(cur) == "" || applyLinkOf(old) != "" {
			t.Errorf("got apply links %q (current) and %q (old), want one on the current version only", applyLinkOf(cur), applyLinkOf(old))
		}
		_, ch := b.get("/items/" + foodCode + "/changes")
		wantContains(t, "changes", ch, "变更", "压缩承诺时限", `href="/adjustments/`)
		_, adj := b.get("/adjustments")
		wantContains(t, "adjustments", adj, "示范县2026年第1批权责清单调整", "示政审〔2026〕1号", "已生效", foodCode)
	})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/items/9999999999-990121-01", 404}, {"/items/" + foodCode + "?version=9", 404}, {"/items/" + foodCode + "?version=x", 422},
	} {
		t.Run(fmt.Sprintf("%s is %d", tc.path, tc.status), func(t *testing.T) {
			if st, body := b.get(tc.path); st != tc.status || !strings.Contains(body, "form-error") && !strings.Contains(body, "<h1") {
				t.Fatalf("got %d", st)
			}
		})
	}
}

func TestCatalogPagesChecklistFlow(t *testing.T) {
	e := newCatalogEnv(t, dbtest.SQLite(t))
	b := e.browser()
	base := "/items/" + foodCode + "/checklist"
	t.Run("the first form hides the question that depends on another answer", func(t *testing.T) {
		_, body := b.get(base)
		wantContains(t, "form", body, `name="a.scope"`, `name="a.promise"`, `name="a.agent"`, `id="next-step"`)
		if strings.Contains(body, `name="a.water"`) || strings.Contains(body, `id="save-checklist"`) {
			t.Fatal("water question or save form shown before the scope is answered")
		}
	})
	t.Run("answering catering reveals the water question", func(t *testing.T) {
		_, body := b.get(base + "?a.scope=catering")
		wantContains(t, "form", body, `name="a.water"`, `id="a.scope-catering" value="catering" checked`)
	})
	t.Run("an unknown answer is 422 with the message on the question", func(t *testing.T) {
		st, body := b.get(base + "?a.scope=bakery")
		wantContains(t, "bad answer", body, `id="a.scope-error"`, "没有答案 bakery")
		if st != 422 {
			t.Fatalf("got %d, want 422", st)
		}
	})
	answers := "?a.scope=catering&a.water=own&a.promise=no&a.agent=no"
	_, preview := b.get(base + answers)
	t.Run("complete answers preview exactly the materials that apply", func(t *testing.T) {
		got := regexp.MustCompile(`id="material-([a-z]+)"`).FindAllStringSubmatch(regexp.MustCompile(`(?s)<section class="panel" id="preview">.*?</section>`).FindString(preview), -1)
		var ids []string
		for _, m := range got {
			ids = append(ids, m[1])
		}
		if strings.Join(ids, ",") != "application,license,layout,rules,kitchen,water" {
			t.Fatalf("got preview materials %v", ids)
		}
	})
	var number string
	t.Run("saving gives a numbered printable checklist with a QR code", func(t *testing.T) {
		form := url.Values{"a.scope": {"catering"}, "a.water": {"own"}, "a.promise": {"no"}, "a.agent": {"no"}}
		st, body, path := b.post(base+answers, base, form)
		if st != 200 || !strings.HasPrefix(path, "/checklists/QD") {
			t.Fatalf("got %d at %s", st, path)
		}
		number = strings.TrimPrefix(path, "/checklists/")
		wantContains(t, "checklist", body, `id="checklist-number">`+number, `src="/checklists/`+number+`/qr.png"`, "data-print",
			"餐饮服务场所平面图", "食品加工用水水质检验合格报告", "经营项目", "餐饮服务（热食类、冷食类等）")
		if strings.Contains(body, "委托代理人身份证明") || strings.Contains(body, "告知承诺书</strong>") {
			t.Fatal("checklist lists materials that do not apply")
		}
		resp, err := http.Get(e.HTTP.URL + "/checklists/" + number + "/qr.png")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		png, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Fatalf("qr: got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("a window loads the checklist by its number", func(t *testing.T) {
		_, body := b.get("/checklists?number=" + strings.ToLower(number))
		wantContains(t, "lookup", body, `id="checklist-number">`+number)
		st, miss := b.get("/checklists?number=QDNOPE2345")
		if st != 404 || !strings.Contains(miss, `id="number-error"`) {
			t.Fatalf("unknown number: got %d", st)
		}
		if st, _ := b.get("/checklists/QDNOPE2345/qr.png"); st != 404 {
			t.Fatalf("qr of unknown number: got %d", st)
		}
	})
}

func TestCatalogPagesMetrics(t *testing.T) {
	e := newCatalogEnv(t, dbtest.SQLite(t))
	st, body := e.browser().get("/catalog/metrics")
	if st != 200 {
		t.Fatalf("got %d", st)
	}
	m, err := e.Srv.Catalog.Metrics(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "metrics", body, `id="chart-kinds"`, `id="chart-rates"`, `id="chart-org-online"`, `id="chart-org-compression"`,
		"进驻率", "网上可办率", "全程网办率", "即办件占比", "零跑动占比", "最多跑一次占比", "时限压缩率", "可用电子证照替代的材料",
		fmt.Sprintf(`id="m-items">%d 项`, m.Items), fmt.Sprintf(`id="m-compression">%.2f%%`, m.CompressionPct), "示范县市场监督管理局", "示范县")
	if st, _ := e.browser().get("/catalog/metrics?region=abc"); st != 422 {
		t.Fatalf("bad region: got %d, want 422", st)
	}
}
