package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/dbtest"
)

// A unit attaches a PDF to its progress report; those who see the task can
// download it, others cannot.
func TestReformProgressAttachment(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	f := newReformFixture(t, e)
	id := f.mustTask(t, map[string]any{"title": "中介服务超市上线", "lead_org_id": f.land, "deadline": "2026-06-30"})
	taskPath := fmt.Sprintf("/reform/tasks/%d", id)
	b := e.browser()
	b.login("apland", "Passw0rd!")
	_, page := b.get(taskPath)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf token on the task page")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", m[1])
	_ = mw.WriteField("text", "中介超市已试运行")
	_ = mw.WriteField("percent", "80")
	fw, _ := mw.CreateFormFile("attachment", "试运行报告.pdf")
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	_, _ = io.WriteString(fw, pdf)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+taskPath+"/progress", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "试运行报告.pdf") {
		t.Fatalf("upload: %d %s", resp.StatusCode, firstLine(string(raw), "form-error"))
	}
	i := strings.Index(string(raw), taskPath+"/files/")
	link := string(raw)[i : i+len(taskPath+"/files/")+64]
	st, got := b.get(link)
	if st != 200 || got != pdf {
		t.Fatalf("download: %d %q", st, got)
	}
	e.mustUser("outsider", "990121", "clerk")
	o := e.browser()
	o.login("outsider", "Passw0rd!")
	if st, _ := o.get(link); st != 403 {
		t.Fatalf("outsider download: %d, want 403", st)
	}
}
