package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// foodItem is the demo 食品经营许可 (承诺件: 受理 → 审查 → 决定).
const foodItem = "0100002000-990121-01"

// newCaseEnv starts the server with the demo seeded: places, accounts
// (clerk at window A01 with the 市场监管 authorization), catalog.
func newCaseEnv(t *testing.T, d *db.DB) *testEnv {
	t.Helper()
	e := newTestEnv(t, d)
	if err := demo.Seed(context.Background(), d, e.Auth, demo.Services{Catalog: e.Srv.Catalog}, e.Sim.Now()); err != nil {
		t.Fatalf("demo seed: %v", err)
	}
	return e
}

func demoPerson() string { return demo.Accounts()[0].Login }

// principalOf returns the principal of a demo login.
func (e *testEnv) principalOf(login string) *auth.Principal {
	e.t.Helper()
	u, err := e.Auth.UserByLogin(context.Background(), login)
	if err != nil {
		e.t.Fatalf("user %s: %v", login, err)
	}
	p := u.Principal()
	return p
}

// paperForm marks every checklist material of item as a paper original.
func (e *testEnv) paperForm(item string) url.Values {
	e.t.Helper()
	cl, err := e.Srv.Catalog.Checklist(context.Background(), item, 0, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	f := url.Values{}
	for _, m := range cl.Materials {
		f.Set("paper_"+m.ID, "1")
	}
	return f
}

var (
	caseNoRe = regexp.MustCompile(`id="case-no">([0-9X-]+)<`)
	codeRe   = regexp.MustCompile(`id="query-code" class="code">([A-Z0-9]+)<`)
)

func mustMatch(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in page: %s", re, firstLine(body, "<main"))
	}
	return m[1]
}

func TestCasePagesApplicantAppliesTracksAndSeesErrors(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCaseEnv(t, d)
		b := e.browser()
		b.login(demoPerson(), demo.Password)
		if _, body := b.get("/my"); !strings.Contains(body, `href="/my/cases"`) {
			t.Fatalf("applicant nav lacks 我的办件")
		}
		status, body := b.get("/apply/" + foodItem)
		if status != http.StatusOK || !strings.Contains(body, "食品经营许可申请书") || !strings.Contains(body, "使用电子证照") {
			t.Fatalf("apply form: status %d", status)
		}
		t.Run("missing materials re-render with the input and a Chinese error", func(t *testing.T) {
			status, body, _ := b.post("/apply/"+foodItem, "/apply/"+foodItem, url.Values{"form.contact": {"张三联系人"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "缺少必需的申请材料") || !strings.Contains(body, `value="张三联系人"`) {
				t.Fatalf("got status %d, want 422 with the error and the input kept", status)
			}
			if !strings.Contains(body, `aria-invalid="true"`) {
				t.Fatal("no field is marked invalid")
			}
		})
		f := e.paperForm(foodItem)
		f.Set("form.contact", "张三")
		status, body, _ = b.post("/apply/"+foodItem, "/apply/"+foodItem, f)
		if status != http.StatusOK {
			t.Fatalf("submit: status %d: %s", status, firstLine(body, "form-error"))
		}
		no, code := mustMatch(t, caseNoRe, body), mustMatch(t, codeRe, body)
		if _, body := b.get("/my/cases"); !strings.Contains(body, no) || !strings.Contains(body, "已申报（待受理）") {
			t.Fatalf("my cases lacks %s", no)
		}
		if _, body := b.get("/cases/" + no); !strings.Contains(body, "撤回申请") || strings.Contains(body, "act-accept") {
			t.Fatal("applicant's case page: want withdraw, not accept")
		}
		anon := e.browser()
		if status, body := anon.get("/track?no=" + url.QueryEscape(no) + "&code=" + code); status != http.StatusOK || !strings.Contains(body, "已申报（待受理）") {
			t.Fatalf("track: status %d", status)
		}
		if status, body := anon.get("/track?no=" + url.QueryEscape(no) + "&code=WRONG1"); status != http.StatusNotFound || !strings.Contains(body, "查询码不正确") {
			t.Fatalf("track with a wrong code: status %d", status)
		}
		if status, _ := anon.get("/cases/" + no); status != http.StatusUnauthorized {
			t.Fatalf("anonymous case page: status %d, want 401", status)
		}
		// Withdraw before the decision.
		status, body, path := b.post("/cases/"+no, "/cases/"+no+"/actions/withdraw", url.Values{})
		if status != http.StatusOK || path != "/cases/"+no || !strings.Contains(body, "办件已撤回") || !strings.Contains(body, "已撤回") {
			t.Fatalf("withdraw: status %d at %s", status, path)
		}
	})
}

func TestCasePagesWindowCorrectionAcceptAndIllegalTransition(t *testing.T) {
	e := newCaseEnv(t, dbtest.SQLite(t))
	clerk := e.browser()
	clerk.login("clerk", demo.Password)
	if _, body := clerk.get("/window"); !strings.Contains(body, "查找申请人") || !strings.Contains(body, `href="/window"`) {
		t.Fatal("window page or nav missing")
	}
	t.Run("a citizen ID failing its check is refused", func(t *testing.T) {
		status, body := clerk.get("/window/new?kind=person&id_number=110105194912310021")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="id_number-error"`) {
			t.Fatalf("got status %d, want 422 with the id_number error", status)
		}
	})
	person := demoPerson()
	status, body := clerk.get("/window/new?kind=person&id_number=" + person)
	if status != http.StatusOK || !strings.Contains(body, "食品经营许可") || strings.Contains(body, "不动产") {
		t.Fatalf("covered items: status %d", status)
	}
	from := "/window/new?kind=person&id_number=" + person + "&item=" + foodItem
	cl, _ := e.Srv.Catalog.Checklist(context.Background(), foodItem, 0, nil)
	form := url.Values{"kind": {"person"}, "id_number": {person}, "item": {foodItem}, "name": {"张三"}, "outcome": {"correction"}}
	for _, m := range cl.Materials {
		form.Set("check_"+m.ID, "ok")
	}
	bad := cl.Materials[0].ID
	form.Set("check_"+bad, "defective")
	t.Run("a correction without a reason re-renders with the input", func(t *testing.T) {
		status, body, _ := clerk.post(from, "/window/new", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "请写明需补正的具体理由") || !strings.Contains(body, `value="defective" id="defective_`+bad+`" checked`) {
			t.Fatalf("got status %d, want 422 with the reason error and the checks kept", status)
		}
	})
	form.Set("reason_"+bad, "申请书未签字")
	status, body, _ = clerk.post(from, "/window/new", form)
	if status != http.StatusOK || !strings.Contains(body, "待补正") {
		t.Fatalf("window correction: status %d: %s", status, firstLine(body, "form-error"))
	}
	no := mustMatch(t, caseNoRe, body)
	if !strings.Contains(body, "补正材料一次性告知书") {
		t.Fatal("confirmation lacks the correction notice")
	}
	app := e.browser()
	app.login(person, demo.Password)
	_, body = app.get("/cases/" + no)
	if !strings.Contains(body, "申请书未签字") || !strings.Contains(body, "提交补正材料") {
		t.Fatal("applicant does not see the notice and the resubmit form")
	}
	if _, body := app.get("/my/cases"); strings.Contains(body, "/my/cases/"+no+"/rate") {
		t.Fatal("my cases offers rating a case not yet accepted")
	}
	status, body, _ = app.post("/cases/"+no, "/cases/"+no+"/actions/resubmit", url.Values{"paper_" + bad: {"1"}})
	if status != http.StatusOK || !strings.Contains(body, "补正材料已提交") {
		t.Fatalf("resubmit: status %d: %s", status, firstLine(body, "form-error"))
	}
	status, body, _ = clerk.post("/cases/"+no, "/cases/"+no+"/actions/accept", url.Values{})
	if status != http.StatusOK || !strings.Contains(body, "已受理") || !strings.Contains(body, "受理通知书") {
		t.Fatalf("accept: status %d", status)
	}
	t.Run("the accepted case waits at the window's own step", func(t *testing.T) {
		_, body := clerk.get("/window")
		i := strings.Index(body, `id="clerk-steps"`)
		if i < 0 || !strings.Contains(body[i:], no) {
			t.Fatal("window page lacks the case at the clerk's step")
		}
	})
	t.Run("an action out of order shows the allowed actions", func(t *testing.T) {
		status, body, _ := clerk.post("/cases/"+no, "/cases/"+no+"/actions/refuse", url.Values{"reason": {"x"}, "legal_basis": {"y"}})
		if status != http.StatusConflict || !strings.Contains(body, `id="allowed-actions"`) || !strings.Contains(body, "不能执行") {
			t.Fatalf("got status %d, want 409 with the allowed actions", status)
		}
	})
	if _, body := app.get("/cases/" + no); !strings.Contains(body, "办理中") || !strings.Contains(body, "期限如何计算") {
		t.Fatal("applicant's page lacks the status or the deadline derivation")
	}
	t.Run("an accepted case links to rating it from my cases and the case page", func(t *testing.T) {
		rate := `href="/my/cases/` + no + `/rate"`
		if _, body := app.get("/my/cases"); !strings.Contains(body, rate) {
			t.Error("my cases lacks the rating link")
		}
		if _, body := app.get("/cases/" + no); !strings.Contains(body, `id="rate-link"`) || !strings.Contains(body, rate) {
			t.Error("case page lacks the rating link")
		}
		if _, body := clerk.get("/cases/" + no); strings.Contains(body, `id="rate-link"`) {
			t.Error("staff see the applicant's rating link")
		}
		if status, _ := app.get("/my/cases/" + no + "/rate"); status != http.StatusOK {
			t.Errorf("rating page got status %d, want 200", status)
		}
	})
}

// rewardItem is the demo 食品安全违法行为举报奖励, a 承诺件 with the built-in
// template 受理 (clerk) → 审查 (reviewer) → 决定 (approver).
const rewardItem = "0800001000-990121-01"

// authorizeItem lets the demo clerk's window accept item (the demo grants
// only the 商事登记 domain to window A01).
func (e *testEnv) authorizeItem(item string) {
	e.t.Helper()
	ctx := context.Background()
	it, err := e.Srv.Catalog.Guide(ctx, item, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	ws, err := e.Srv.Places.WindowsOfUser(ctx, e.principalOf("clerk").UserID)
	if err != nil || len(ws) == 0 {
		e.t.Fatalf("clerk windows: %v %v", ws, err)
	}
	_, err = e.Srv.Places.CreateAuthorization(ctx, auth.SystemPrincipal(), places.Authorization{WindowID: ws[0].ID, OrgID: it.OrgID,
		DocNo: "测试授〔2026〕1号", CanAccept: true, ValidFrom: "2026-01-01", ValidTo: "2026-12-31", Items: []string{item}})
	if err != nil {
		e.t.Fatalf("authorize %s: %v", item, err)
	}
}

// acceptedCase files a case of item online, accepts it and finishes the
// clerk's 受理 step, so it waits in the reviewer's inbox.
func acceptedCase(t *testing.T, e *testEnv, item string) string {
	t.Helper()
	ctx := context.Background()
	cl, _ := e.Srv.Catalog.Checklist(ctx, item, 0, nil)
	var ms []cases.MaterialInput
	for _, m := range cl.Materials {
		ms = append(ms, cases.MaterialInput{MaterialID: m.ID, Paper: true})
	}
	res, err := e.Srv.Cases.Submit(ctx, e.principalOf(demoPerson()), cases.SubmitRequest{Item: item, Channel: cases.Online, Materials: ms})
	if err != nil {
		t.Fatal(err)
	}
	clerk := e.principalOf("clerk")
	if _, err := e.Srv.Cases.Accept(ctx, clerk, res.Case.No, cases.AcceptRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Srv.Cases.Review(ctx, clerk, res.Case.No, cases.OpinionRequest{Opinion: "材料齐全"}); err != nil {
		t.Fatal(err)
	}
	return res.Case.No
}

func TestCasePagesBackOfficeReviewDecideDeliverAndDocuments(t *testing.T) {
	e := newCaseEnv(t, dbtest.SQLite(t))
	e.authorizeItem(rewardItem)
	no := acceptedCase(t, e, rewardItem)
	rev := e.browser()
	rev.login("reviewer", demo.Password)
	_, body := rev.get("/inbox")
	if !strings.Contains(body, no) || !strings.Contains(body, "绿灯·正常") || !strings.Contains(body, `href="/inbox"`) {
		t.Fatal("reviewer inbox lacks the case, its light or the nav")
	}
	if _, body := rev.get("/inbox?light=red"); strings.Contains(body, no) {
		t.Fatal("red filter shows a green case")
	}
	status, body, _ := rev.post("/cases/"+no, "/cases/"+no+"/actions/review", url.Values{"opinion": {"经审查符合条件"}})
	if status != http.StatusOK || !strings.Contains(body, "转入下一环节") {
		t.Fatalf("review: status %d", status)
	}
	apr := e.browser()
	apr.login("approver", demo.Password)
	t.Run("a denial without reasons is refused with the form kept", func(t *testing.T) {
		status, body, _ := apr.post("/cases/"+no, "/cases/"+no+"/actions/decide", url.Values{"outcome": {"deny"}, "remedies": {""}, "certificate_no": {"keep-me"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "不予许可决定须说明理由") || !strings.Contains(body, `value="keep-me"`) {
			t.Fatalf("got status %d, want 422 with the reasons error", status)
		}
	})
	t.Run("a stop without days is refused", func(t *testing.T) {
		status, body, _ := apr.post("/cases/"+no, "/cases/"+no+"/actions/stop-clock", url.Values{"kind": {"expert_review"}, "reason": {"专家评审"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "预计所需的工作日数") {
			t.Fatalf("got status %d", status)
		}
	})
	status, body, _ = apr.post("/cases/"+no, "/cases/"+no+"/actions/decide", url.Values{"outcome": {"grant"}, "certificate_no": {"JY13399012100001"}, "valid_to": {"2031-03-01"}})
	if status != http.StatusOK || !strings.Contains(body, "准予许可") {
		t.Fatalf("decide: status %d: %s", status, firstLine(body, "form-error"))
	}
	if !strings.Contains(body, `id="deadline-delivery"`) || !strings.Contains(body, "第四十四条") {
		t.Fatal("a granted case's page lacks the art. 44 delivery deadline with its derivation")
	}
	status, body, _ = apr.post("/cases/"+no, "/cases/"+no+"/actions/conclude", url.Values{})
	if status != http.StatusOK || !strings.Contains(body, "已办结") {
		t.Fatalf("conclude: status %d", status)
	}
	clerk := e.browser()
	clerk.login("clerk", demo.Password)
	if _, body := clerk.get("/window"); !strings.Contains(body, no) {
		t.Fatal("hand-out queue lacks the concluded case")
	}
	status, body, _ = clerk.post("/cases/"+no, "/cases/"+no+"/actions/deliver", url.Values{"method": {"window"}, "pickup_code": {"000000"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "取件码不正确") {
		t.Fatalf("deliver with a wrong code: status %d", status)
	}
	app := e.browser()
	app.login(demoPerson(), demo.Password)
	_, body = app.get("/cases/" + no)
	code := mustMatch(t, regexp.MustCompile(`id="pickup-code" class="code">([A-Z0-9]+)<`), body)
	status, body, _ = clerk.post("/cases/"+no, "/cases/"+no+"/actions/deliver", url.Values{"method": {"window"}, "pickup_code": {code}})
	if status != http.StatusOK || !strings.Contains(body, "已送达") {
		t.Fatalf("deliver: status %d: %s", status, firstLine(body, "form-error"))
	}
	c, err := e.Srv.Cases.Get(context.Background(), e.principalOf(demoPerson()), no)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, d := range c.Documents {
		kinds[d.Kind] = d.Number
	}
	for kind, want := range map[string]string{cases.DocAcceptance: "受理通知书", cases.DocDecision: "JY13399012100001", cases.DocDelivery: "送达回证"} {
		num, ok := kinds[kind]
		if !ok {
			t.Fatalf("no %s document", kind)
		}
		status, body := app.get("/cases/" + no + "/documents/" + num)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "示范县市场监督管理局") ||
			!strings.Contains(body, `src="/cases/`+no+`/qr.png"`) || !strings.Contains(body, "data-print") {
			t.Fatalf("document %s: status %d", kind, status)
		}
	}
	resp, err := app.c.Get(e.HTTP.URL + "/cases/" + no + "/qr.png")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 8)
	_, _ = resp.Body.Read(head)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || string(head[1:4]) != "PNG" {
		t.Fatalf("qr: status %d type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if status, _ := app.get("/cases/" + no + "/documents/NOPE"); status != http.StatusNotFound {
		t.Fatalf("unknown document: status %d", status)
	}
}
