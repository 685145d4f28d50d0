package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestWindowCorrection_namesAMaterialNeverPresentedWithoutRecordingIt(t *testing.T) {
	e := newCaseEnv(t, dbtest.SQLite(t))
	clerk := e.browser()
	clerk.login("clerk", demo.Password)
	person := demoPerson()
	from := "/window/new?kind=person&id_number=" + person + "&item=" + foodItem
	clerk.get(from)
	cl, _ := e.Srv.Catalog.Checklist(context.Background(), foodItem, 0, nil)
	form := url.Values{"kind": {"person"}, "id_number": {person}, "item": {foodItem}, "name": {"张三"}, "outcome": {"correction"}}
	for _, m := range cl.Materials {
		form.Set("check_"+m.ID, "ok")
	}
	missing := cl.Materials[0].ID
	form.Set("check_"+missing, "missing")
	form.Set("reason_"+missing, "未提交")
	status, body, _ := clerk.post(from, "/window/new", form)
	if status != http.StatusOK || !strings.Contains(body, "待补正") {
		t.Fatalf("window correction: status %d: %s", status, firstLine(body, "form-error"))
	}
	no := mustMatch(t, caseNoRe, body)
	c, err := e.Srv.Cases.Get(context.Background(), e.principalOf("clerk"), no)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Materials {
		if m.MaterialID == missing && (m.Source != cases.SourceNone || m.Status != cases.MatDefective) {
			t.Errorf("missing material got source %q status %q, want none/defective (not a faked paper original)", m.Source, m.Status)
		}
	}
	if len(c.CorrectionLog) != 1 || c.CorrectionLog[0].Items[0].MaterialID != missing {
		t.Errorf("got notices %+v, want one naming %s", c.CorrectionLog, missing)
	}
}
