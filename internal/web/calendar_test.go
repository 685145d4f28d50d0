package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestCalendarAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		days := []struct {
			date    string
			working bool
			name    string
		}{
			{"2026-02-16", false, "春节"},
			{"2026-02-14", true, "春节调休上班"},
			{"2026-03-02", true, ""},
			{"2026-03-07", false, ""},
			{"2026-10-10", true, "国庆节调休上班"},
		}
		for _, c := range days {
			var got struct {
				Date    string
				Working bool
				Name    *string
			}
			if st := e.apiCall("GET", "/api/v1/calendar/"+c.date, "", nil, &got); st != 200 {
				t.Fatalf("%s: status %d", c.date, st)
			}
			name := ""
			if got.Name != nil {
				name = *got.Name
			}
			if got.Date != c.date || got.Working != c.working || !strings.HasPrefix(name, strings.TrimSuffix(c.name, "调休上班")) || (c.name == "") != (got.Name == nil) {
				t.Errorf("%s: got %+v name %q, want working=%v name %q", c.date, got, name, c.working, c.name)
			}
		}
		adds := []struct{ from, days, want string }{
			{"2026-02-13", "3", "2026-02-25"},
			{"2026-09-30", "5", "2026-10-13"},
			{"2026-03-02", "0", "2026-03-02"},
		}
		for _, c := range adds {
			var got struct{ Date string }
			if st := e.apiCall("GET", "/api/v1/calendar/add-working-days?from="+c.from+"&days="+c.days, "", nil, &got); st != 200 || got.Date != c.want {
				t.Errorf("add %s+%s: got %d %s, want %s", c.from, c.days, st, got.Date, c.want)
			}
		}
		bad := []struct{ path, code string }{
			{"/api/v1/calendar/2027-01-04", "calendar_year_missing"},
			{"/api/v1/calendar/2026-02-30", "date_invalid"},
			{"/api/v1/calendar/add-working-days?from=2026-12-28&days=10", "calendar_year_missing"},
			{"/api/v1/calendar/add-working-days?from=2026-13-01&days=1", "validation"},
			{"/api/v1/calendar/add-working-days?from=2026-01-05&days=-1", "validation"},
		}
		for _, c := range bad {
			var p Problem
			if st := e.apiCall("GET", c.path, "", nil, &p); st != 422 || p.Code != c.code {
				t.Errorf("%s: got %d %q, want 422 %q", c.path, st, p.Code, c.code)
			}
		}
		var dl struct {
			Date  string
			Steps []string
		}
		if st := e.apiCall("GET", "/api/v1/calendar/deadline?start=2026-02-13T10:00:00%2B08:00&days=3", "", nil, &dl); st != 200 || dl.Date != "2026-02-25" || !strings.Contains(strings.Join(dl.Steps, "\n"), "调休") {
			t.Fatalf("deadline: %d %+v", st, dl)
		}
	})
}

func TestCalendarAdminEditsAndImportByAPI(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.mustUser("adm", "990121", auth.Admin)
		e.mustUser("clk", "990121", auth.Clerk)
		tok := e.mustToken("adm")
		var p Problem
		if st := e.apiCall("PUT", "/api/v1/calendar/days/2026-03-09", e.mustToken("clk"), map[string]string{"kind": "off", "name": "地方假日"}, &p); st != 403 {
			t.Fatalf("clerk edit: %d", st)
		}
		if st := e.apiCall("PUT", "/api/v1/calendar/days/2026-03-09", tok, map[string]string{"kind": "off", "name": "示范县地方假日"}, nil); st != 200 {
			t.Fatalf("admin edit: %d", st)
		}
		var got struct{ Working bool }
		e.apiCall("GET", "/api/v1/calendar/2026-03-09", "", nil, &got)
		if got.Working {
			t.Fatal("local day off still a working day")
		}
		if st := e.apiCall("PUT", "/api/v1/calendar/days/2026-03-10", tok, map[string]string{"kind": "work", "name": "x"}, &p); st != 422 {
			t.Fatalf("work on a Tuesday accepted: %d", st)
		}
		// A malformed 2027 file is rejected whole, every bad line named.
		bad := `{"year":2027,"days":[{"date":"2027-01-01","kind":"off","name":"元旦"},{"date":"2027-13-01","kind":"off","name":"x"},{"date":"2027-02-06","kind":"holiday","name":"春节"}]}`
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/calendar/import", strings.NewReader(bad))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 422 {
			t.Fatalf("bad import: %d", resp.StatusCode)
		}
		var years struct{ Total int }
		e.apiCall("GET", "/api/v1/calendar/years", "", nil, &years)
		if years.Total != 3 {
			t.Fatalf("years after bad import: %d, want 3", years.Total)
		}
		csv := "date,kind,name\n2027-01-01,off,元旦\n2027-02-06,work,春节调休上班\n"
		req, _ = http.NewRequest("POST", e.HTTP.URL+"/api/v1/calendar/import?format=csv", strings.NewReader(csv))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "text/csv")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("csv import: %d", resp.StatusCode)
		}
		var day struct{ Working bool }
		if st := e.apiCall("GET", "/api/v1/calendar/2027-02-06", "", nil, &day); st != 200 || !day.Working {
			t.Fatalf("2027-02-06 after import: %d %+v", st, day)
		}
	})
}

func TestCalendarPages(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	b := e.browser()
	status, body := b.get("/calendar?from=2026-02-13&days=3")
	if status != 200 || !strings.Contains(body, "2026-02-25") || !strings.Contains(body, "春节") {
		t.Fatalf("public query: %d", status)
	}
	if status, _ := b.get("/admin/calendar"); status != http.StatusUnauthorized {
		t.Fatalf("anonymous admin page: %d", status)
	}
	b.login("adm", "Passw0rd!")
	status, body = b.get("/admin/calendar?year=2026")
	if status != 200 || !strings.Contains(body, "2026-10-10") {
		t.Fatalf("admin page: %d", status)
	}
	// The demo clock is in March 2026: no December warning yet.
	if strings.Contains(body, "missing-next-year") {
		t.Fatal("warning before 1 December")
	}
	status, body, _ = b.post("/admin/calendar?year=2026", "/admin/calendar/days", url.Values{"date": {"2026-03-10"}, "kind": {"work"}, "name": {"错误"}})
	if status != 422 || !strings.Contains(body, "form-error") {
		t.Fatalf("bad day form: %d", status)
	}
	// Upload a file with a malformed date through the page: every line named.
	_, page := b.get("/admin/calendar")
	tok := csrfRe.FindStringSubmatch(page)[1]
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", tok)
	fw, _ := mw.CreateFormFile("file", "2027.csv")
	_, _ = fw.Write([]byte("date,kind,name\n2027-01-01,off,元旦\n2027/02/06,work,春节调休上班\n2027-02-07,work,\n"))
	mw.Close()
	resp, err := b.c.Post(e.HTTP.URL+"/admin/calendar/import", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	if resp.StatusCode != 422 || !strings.Contains(out.String(), "第3行") || !strings.Contains(out.String(), "第4行") {
		t.Fatalf("bad upload: %d %s", resp.StatusCode, firstLine(out.String(), "import-errors"))
	}
	e.Sim.Set(mustTime("2026-12-02T09:00:00+08:00"))
	_, body = b.get("/admin/calendar")
	if !strings.Contains(body, "missing-next-year") {
		t.Fatal("no warning after 1 December with 2027 missing")
	}
}
