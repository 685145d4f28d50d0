package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/ratings"
)

// ratingsWorld is a test server with the demo seed (places, accounts,
// catalog) and one concluded case of the demo applicant.
type ratingsWorld struct {
	*testEnv
	no, code                                    string
	orgID                                       int64
	applicant, dept, supervisor, hotline, clerk string // logins
}

// newRatingsWorld files a demo item online as the demo person, decides it
// at window A01 and concludes it, through the real case service.
func newRatingsWorld(t *testing.T) *ratingsWorld {
	t.Helper()
	ctx := context.Background()
	d := dbtest.SQLite(t)
	e := newTestEnv(t, d)
	if _, err := d.W.ExecContext(ctx, `DELETE FROM regions`); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, d, e.Auth, demo.Services{Catalog: e.Srv.Catalog}, e.Sim.Now()); err != nil {
		t.Fatalf("demo seed: %v", err)
	}
	who := func(login string) *auth.Principal {
		u, err := e.Auth.UserByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		p := u.Principal()
		p.Phone, p.IDNumber = u.Phone, u.IDNumber
		return p
	}
	person := demo.Accounts()[0].Login
	applicant, clerk := who(person), who("clerk")
	var win int64
	if err := d.R.QueryRowContext(ctx, `SELECT window_id FROM window_staff WHERE user_id = $1`, clerk.UserID).Scan(&win); err != nil {
		t.Fatal(err)
	}
	item := immediateDemoItem(t, e.Srv.Catalog, ctx, e)
	var mats []cases.MaterialInput
	for _, m := range item.Checklist {
		mats = append(mats, cases.MaterialInput{MaterialID: m.ID, Paper: true})
	}
	res, err := e.Srv.Cases.Submit(ctx, applicant, cases.SubmitRequest{Item: item.Code, Channel: cases.Online, Materials: mats})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	no := res.Case.No
	if _, err := e.Srv.Cases.DecideOnSpot(ctx, clerk, no, cases.DecideRequest{WindowRef: cases.WindowRef{WindowID: win}, Outcome: "grant",
		Result: &cases.GrantResult{CertificateNo: "DEMO-1"}}); err != nil {
		t.Fatalf("decide on spot: %v", err)
	}
	if _, err := e.Srv.Cases.Conclude(ctx, clerk, no); err != nil {
		t.Fatalf("conclude: %v", err)
	}
	w := &ratingsWorld{testEnv: e, no: no, code: res.QueryCode, orgID: res.Case.OrgID, applicant: person, supervisor: "supervisor",
		hotline: "hotline", clerk: "clerk", dept: "dept"}
	if _, err := e.Auth.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Kind: auth.KindStaff, Login: "dept", Name: "部门整改员",
		Password: "Passw0rd!", RegionCode: res.Case.RegionCode, OrgID: res.Case.OrgID, Roles: []auth.Role{auth.Reviewer}}); err != nil {
		t.Fatal(err)
	}
	return w
}

// immediateDemoItem picks a published immediate demo item the demo clerk's
// window may accept and decide.
func immediateDemoItem(t *testing.T, cat *catalog.Service, ctx context.Context, e *testEnv) cases.ItemSnapshot {
	t.Helper()
	clerk, _ := e.Auth.UserByLogin(ctx, "clerk")
	adapter := cases.CatalogItems{Catalog: cat}
	sums, err := cat.Summaries(ctx, "990121")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range sums {
		if it.CaseType != "immediate" {
			continue
		}
		snap, err := adapter.Item(ctx, it.Code, 0, nil)
		if err != nil || !snap.Published {
			continue
		}
		authz := cases.PlacesAuthorizer{DB: e.DB}
		if w, err := authz.WindowPowers(ctx, clerk.ID, 0, snap.OrgID, snap.Code, snap.Domain, "2026-03-02"); err == nil && w.CanDecide {
			return snap
		}
	}
	t.Fatal("no immediate demo item the demo clerk may decide")
	return cases.ItemSnapshot{}
}

func (w *ratingsWorld) token(login string) string { return w.mustToken(login) }

func TestRatingsAPI(t *testing.T) {
	w := newRatingsWorld(t)
	app, dept, sup, hot, clerk := w.token(w.applicant), w.token(w.dept), w.token(w.supervisor), w.token(w.hotline), w.token(w.clerk)
	path := "/api/v1/cases/" + w.no + "/ratings"
	t.Run("anonymous gets 401", func(t *testing.T) {
		if got := w.apiCall("POST", path, "", map[string]any{"level": 5}, nil); got != http.StatusUnauthorized {
			t.Fatalf("got %d, want 401", got)
		}
		if got := w.apiCall("GET", "/api/v1/ratings", "", nil, nil); got != http.StatusUnauthorized {
			t.Fatalf("list: got %d, want 401", got)
		}
	})
	t.Run("staff get 403", func(t *testing.T) {
		var p Problem
		if got := w.apiCall("POST", path, clerk, map[string]any{"level": 5}, &p); got != http.StatusForbidden || p.Code != "staff_cannot_rate" {
			t.Fatalf("got %d %s, want 403 staff_cannot_rate", got, p.Code)
		}
	})
	t.Run("bad input gets 422 with the field", func(t *testing.T) {
		for _, body := range []map[string]any{{"level": 9}, {"level": 1, "tags": []string{"服务态度热情"}}, {"level": 1}} {
			var p Problem
			if got := w.apiCall("POST", path, app, body, &p); got != http.StatusUnprocessableEntity || len(p.Errors) == 0 {
				t.Fatalf("%v: got %d %+v, want 422 with a field", body, got, p)
			}
		}
	})
	var r ratings.Rating
	tag := ratings.Tags(ratings.TagsOnline, 1)[0]
	if got := w.apiCall("POST", path, app, map[string]any{"level": 1, "tags": []string{tag}, "comment": "指南写错了"}, &r); got != http.StatusCreated || !r.Bad {
		t.Fatalf("rate: got %d %+v", got, r)
	}
	if got := w.apiCall("POST", path, app, map[string]any{"stage": "conclude", "level": 5}, nil); got != http.StatusConflict {
		t.Fatalf("second rating: got %d, want 409", got)
	}
	t.Run("12345 agent records the answer with the call recording", func(t *testing.T) {
		var p Problem
		if got := w.apiCall("POST", path, hot, map[string]any{"level": 4, "stage": "accept"}, &p); got != http.StatusUnprocessableEntity || p.Code != "call_record_required" {
			t.Fatalf("got %d %s", got, p.Code)
		}
		var hr ratings.Rating
		if got := w.apiCall("POST", path, hot, map[string]any{"level": 4, "stage": "accept", "call_record": "REC-1"}, &hr); got != http.StatusCreated || hr.Channel != "hotline" {
			t.Fatalf("got %d %+v", got, hr)
		}
	})
	var list struct {
		Items []ratings.Rating `json:"items"`
		Total int              `json:"total"`
	}
	if got := w.apiCall("GET", "/api/v1/ratings?bad=true", dept, nil, &list); got != http.StatusOK || list.Total != 1 {
		t.Fatalf("department list: got %d %+v", got, list)
	}
	if got := w.apiCall("GET", "/api/v1/ratings?level=0", dept, nil, nil); got != http.StatusUnprocessableEntity {
		t.Fatalf("bad level filter: got %d", got)
	}
	t.Run("public aggregate never reveals raters", func(t *testing.T) {
		req, _ := http.NewRequest("GET", w.HTTP.URL+"/api/v1/ratings/aggregate?month=2026-03", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := new(strings.Builder)
		_, _ = ioCopy(buf, resp)
		if resp.StatusCode != 200 || !strings.Contains(buf.String(), `"total":2`) || strings.Contains(buf.String(), "rater") || strings.Contains(buf.String(), "张三") {
			t.Fatalf("aggregate %d %s", resp.StatusCode, buf.String())
		}
		if got := w.apiCall("GET", "/api/v1/ratings/aggregate?month=2026-13", "", nil, nil); got != http.StatusUnprocessableEntity {
			t.Fatalf("bad month: got %d", got)
		}
	})
	// Rectification: close without callback is refused; then the flow.
	var x ratings.Rectification
	rid := strconvI(r.Rectification.ID)
	act := func(tok, action string, body map[string]any, out any) int {
		return w.apiCall("POST", "/api/v1/rectifications/"+rid+"/actions/"+action, tok, body, out)
	}
	var p Problem
	if got := act(dept, "close", map[string]any{"note": "结案"}, &p); got != http.StatusConflict || p.Code != "rectification_callback_missing" {
		t.Fatalf("close without callback: %d %s", got, p.Code)
	}
	if got := act(app, "callback", map[string]any{"note": "x"}, nil); got != http.StatusForbidden {
		t.Fatalf("applicant acting: %d, want 403", got)
	}
	if got := act("", "callback", map[string]any{"note": "x"}, nil); got != http.StatusUnauthorized {
		t.Fatalf("anonymous acting: %d, want 401", got)
	}
	for _, a := range []string{"callback", "fix", "report", "close"} {
		if got := act(dept, a, map[string]any{"note": "处理：" + a}, &x); got != http.StatusOK {
			t.Fatalf("%s: got %d", a, got)
		}
	}
	if x.Status != "closed" {
		t.Fatalf("status %s", x.Status)
	}
	// Appeals: reasons required; supervisor decides.
	if got := w.apiCall("POST", "/api/v1/ratings/"+strconvI(r.ID)+"/appeal", dept, map[string]any{"reasons": ""}, &p); got != http.StatusUnprocessableEntity || p.Code != "appeal_reasons_required" {
		t.Fatalf("appeal without reasons: %d %s", got, p.Code)
	}
	var ap ratings.Appeal
	if got := w.apiCall("POST", "/api/v1/ratings/"+strconvI(r.ID)+"/appeal", dept, map[string]any{"reasons": "评价与办件无关"}, &ap); got != http.StatusCreated {
		t.Fatalf("appeal: %d", got)
	}
	if got := w.apiCall("POST", "/api/v1/appeals/"+strconvI(ap.ID)+"/decide", dept, map[string]any{"uphold": true, "note": "x"}, nil); got != http.StatusForbidden {
		t.Fatalf("department deciding: %d, want 403", got)
	}
	if got := w.apiCall("POST", "/api/v1/appeals/"+strconvI(ap.ID)+"/decide", sup, map[string]any{"uphold": true, "note": "经核实属误评"}, &ap); got != http.StatusOK || ap.Status != "upheld" {
		t.Fatalf("decide: %d %+v", got, ap)
	}
	var agg ratings.Aggregate
	w.apiCall("GET", "/api/v1/ratings/aggregate?month=2026-03", "", nil, &agg)
	if agg.Total != 1 || agg.Excluded != 1 || agg.Bad != 0 {
		t.Fatalf("aggregate after the upheld appeal %+v", agg)
	}
	// Complaints: anonymous with phone; 422 without.
	if got := w.apiCall("POST", "/api/v1/complaints", "", map[string]any{"subject": "case", "case_no": w.no, "name": "王五", "content": "跑了三次"}, &p); got != http.StatusUnprocessableEntity {
		t.Fatalf("complaint without phone: %d", got)
	}
	var c ratings.Complaint
	if got := w.apiCall("POST", "/api/v1/complaints", "", map[string]any{"kind": "cannot_do", "subject": "case", "case_no": w.no, "name": "王五", "phone": "13900000009",
		"content": "跑了三次还是办不成"}, &c); got != http.StatusCreated || c.OrgID != w.orgID {
		t.Fatalf("complaint: %d %+v", got, c)
	}
	if got := w.apiCall("GET", "/api/v1/complaints", "", nil, nil); got != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", got)
	}
	if got := w.apiCall("POST", "/api/v1/complaints/"+strconvI(c.ID)+"/actions/answer", dept, map[string]any{"note": "已核实并办结"}, &c); got != http.StatusOK || c.Status != "answered" {
		t.Fatalf("answer: %d %+v", got, c)
	}
	if got := w.apiCall("PUT", "/api/v1/rating-rules/990121", app, map[string]any{"stages": []string{"conclude"}, "window_days": 5, "callback_days": 1, "rectify_days": 15, "complaint_days": 5}, nil); got != http.StatusForbidden {
		t.Fatalf("applicant setting rules: %d", got)
	}
	if got := w.apiCall("PUT", "/api/v1/rating-rules/990121", sup, map[string]any{"stages": []string{"conclude"}, "window_days": 0, "callback_days": 1, "rectify_days": 15, "complaint_days": 5}, &p); got != http.StatusUnprocessableEntity {
		t.Fatalf("bad rules: %d", got)
	}
}

func TestRatingsPages(t *testing.T) {
	w := newRatingsWorld(t)
	b := w.browser()
	if st, body := b.get("/ratings"); st != 200 || !strings.Contains(body, "好差评结果公开") {
		t.Fatalf("public page %d", st)
	}
	if st, body := b.get("/complaints/new"); st != 200 || !strings.Contains(body, "办不成事") {
		t.Fatalf("complaint form %d", st)
	}
	st, body, _ := b.post("/complaints/new", "/complaints/new", url.Values{"subject": {"case"}, "case_no": {w.no}, "name": {"王五"}, "phone": {"12"}, "content": {"跑了三次还是办不成"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="phone-error"`) || !strings.Contains(body, `aria-invalid="true" aria-describedby="phone-error"`) {
		t.Fatalf("complaint with a bad phone: %d %s", st, firstLine(body, "form-error"))
	}
	st, body, _ = b.post("/complaints/new", "/complaints/new", url.Values{"subject": {"case"}, "case_no": {w.no}, "name": {"王五"}, "phone": {"13900000009"}, "content": {"跑了三次还是办不成"}})
	if st != 200 || !strings.Contains(body, "已受理") {
		t.Fatalf("complaint: %d %s", st, firstLine(body, "flash"))
	}
	// Window evaluator: wrong code, then the rating.
	wp := "/rate/window/1"
	st, body, _ = b.post(wp, wp+"/check", url.Values{"no": {w.no}, "code": {"WRONG"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "查询码不正确") || !strings.Contains(body, `id="no-error"`) {
		t.Fatalf("wrong code: %d", st)
	}
	st, body, _ = b.post(wp, wp+"/check", url.Values{"no": {w.no}, "code": {w.code}})
	if st != 200 || !strings.Contains(body, `name="tags_5"`) {
		t.Fatalf("check: %d %s", st, firstLine(body, "form-error"))
	}
	st, body, _ = b.post(wp, wp, url.Values{"no": {w.no}, "code": {w.code}, "level": {"5"}, "tags_5": {ratings.Tags(ratings.TagsOnline, 5)[0]}})
	if st != 200 || !strings.Contains(body, `id="rating-done"`) {
		t.Fatalf("window rating: %d %s", st, firstLine(body, "form-error"))
	}
	// Staff logged in on the tablet cannot rate.
	sb := w.browser()
	sb.login(w.clerk, "Banhao2026")
	st, _, _ = sb.post(wp, wp, url.Values{"no": {w.no}, "code": {w.code}, "level": {"5"}})
	if st != http.StatusForbidden && st != http.StatusConflict {
		t.Fatalf("staff on the tablet: %d", st)
	}
}

func ioCopy(dst *strings.Builder, resp *http.Response) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		dst.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, nil
		}
	}
}
