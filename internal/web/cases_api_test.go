package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
)

// Demo items used by the API tests (see internal/demo/cases.go).
const (
	itemSetup     = "0100001000-990121-01" // 企业设立登记: 一审一核 (clerk → approver)
	itemSoleTrade = "0100001001-990121-01" // 个体工商户登记: 即办
	itemFood      = "0100002000-990121-01" // 食品经营许可: 承诺件, 容缺 layout
)

// casesEnv is a server with the demo places, accounts and catalog (no demo
// cases) and a bearer token per demo login.
type casesEnv struct {
	*testEnv
	tok map[string]string
}

// Logins of the cast.
var (
	person     = demo.Accounts()[0].Login
	enterprise = demo.Accounts()[1].Login
)

func newCasesEnv(t *testing.T, d *db.DB) *casesEnv {
	t.Helper()
	e := newTestEnv(t, d)
	if err := demo.Seed(context.Background(), d, e.Auth, demo.Services{Catalog: e.Srv.Catalog}, e.Sim.Now()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	ce := &casesEnv{testEnv: e, tok: map[string]string{}}
	for _, login := range []string{person, enterprise, "clerk", "reviewer", "approver", "supervisor"} {
		ce.tok[login] = e.mustToken(login)
	}
	e.mustUser("ds-clerk", "990122", auth.Clerk)
	ce.tok["ds-clerk"] = e.mustToken("ds-clerk")
	return ce
}

// pdf is a small PDF whose content differs by tag.
func pdf(tag string) []byte {
	return []byte("%PDF-1.4\n% " + tag + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

type uploaded struct {
	Hash        string `json:"hash"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// upload posts content as multipart and returns the status and reply.
func (e *casesEnv) upload(token string, content []byte, name string) (int, uploaded, Problem) {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/files", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var u uploaded
	var p Problem
	if resp.StatusCode == http.StatusCreated {
		json.Unmarshal(raw, &u)
	} else {
		json.Unmarshal(raw, &p)
	}
	return resp.StatusCode, u, p
}

func (e *casesEnv) mustUpload(token, tag string) string {
	e.t.Helper()
	st, u, p := e.upload(token, pdf(tag), tag+".pdf")
	if st != http.StatusCreated || len(u.Hash) != 64 || u.ContentType != "application/pdf" {
		e.t.Fatalf("upload %s: got %d %+v %+v, want 201 with a PDF hash", tag, st, u, p)
	}
	return u.Hash
}

// materialsFor uploads one file per required material of the item's
// checklist (no situation answers).
func (e *casesEnv) materialsFor(token, item string) []map[string]any {
	e.t.Helper()
	ids := map[string][]string{
		itemSetup:     {"application", "articles", "shareholder_id", "officers", "address"},
		itemSoleTrade: {"application", "id", "premises"},
		itemFood:      {"application", "license", "layout", "rules"},
	}[item]
	var out []map[string]any
	for _, id := range ids {
		out = append(out, map[string]any{"material_id": id, "file": e.mustUpload(token, item+"/"+id)})
	}
	return out
}

type caseReply struct {
	No          string               `json:"no"`
	Status      string               `json:"status"`
	Trips       int                  `json:"trips"`
	Corrections int                  `json:"corrections"`
	PickupCode  string               `json:"pickup_code"`
	Allowed     []string             `json:"allowed"`
	Documents   []cases.Document     `json:"documents"`
	Materials   []cases.CaseMaterial `json:"materials"`
}

// submit files item online as the person and returns the case and query code.
func (e *casesEnv) submit(item string) (caseReply, string) {
	e.t.Helper()
	var res struct {
		Case      caseReply `json:"case"`
		QueryCode string    `json:"query_code"`
	}
	var p Problem
	body := map[string]any{"item": item, "channel": "online", "materials": e.materialsFor(e.tok[person], item)}
	st := e.apiCall("POST", "/api/v1/cases", e.tok[person], body, &res)
	if st != http.StatusCreated || res.Case.Status != "submitted" || res.QueryCode == "" {
		e.apiCall("POST", "/api/v1/cases", e.tok[person], body, &p)
		e.t.Fatalf("submit %s: got %d %+v %+v, want 201 submitted with a query code", item, st, res, p)
	}
	return res.Case, res.QueryCode
}

// act runs an action and returns status, case and problem.
func (e *casesEnv) act(no, action, login string, body any) (int, caseReply, Problem) {
	e.t.Helper()
	var raw json.RawMessage
	st := e.apiCall("POST", "/api/v1/cases/"+no+"/actions/"+action, e.tok[login], body, &raw)
	var c caseReply
	var p Problem
	if st == http.StatusOK {
		json.Unmarshal(raw, &c)
	} else {
		json.Unmarshal(raw, &p)
	}
	return st, c, p
}

func (e *casesEnv) mustAct(no, action, login string, body any) caseReply {
	e.t.Helper()
	st, c, p := e.act(no, action, login, body)
	if st != http.StatusOK {
		e.t.Fatalf("%s %s by %s: got %d %s (%s) %v, want 200", action, no, login, st, p.Code, p.Detail, p.Errors)
	}
	return c
}

// counts are the row counts of what a case action writes.
func (e *casesEnv) counts() map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"cases", "case_materials", "case_documents", "case_corrections", "case_pending", "audit_events", "outbox", "blobs"} {
		var n int
		if err := e.DB.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

var grant = map[string]any{"outcome": "grant", "result": map[string]any{"certificate_no": "91990121MA0TEST01", "valid_from": "2026-03-02"}}

// Stages build a case in a given state through the API.
func (e *casesEnv) stage(name string) string {
	e.t.Helper()
	switch name {
	case "submitted":
		c, _ := e.submit(itemSetup)
		return c.No
	case "immediate":
		c, _ := e.submit(itemSoleTrade)
		return c.No
	case "food":
		c, _ := e.submit(itemFood)
		return c.No
	case "correction":
		no := e.stage("submitted")
		e.mustAct(no, "request-correction", "clerk", map[string]any{"items": []map[string]any{{"material_id": "articles", "reason": "章程未经全体股东签字"}}})
		return no
	case "accepted":
		no := e.stage("submitted")
		e.mustAct(no, "accept", "clerk", nil)
		return no
	case "pending":
		no := e.stage("food")
		e.mustAct(no, "accept-with-pending", "clerk", map[string]any{"materials": []string{"layout"}, "commitment": "承诺十日内补齐", "deadline": "2026-03-13"})
		return no
	case "at-approver":
		no := e.stage("accepted")
		e.mustAct(no, "review", "clerk", map[string]any{"opinion": "材料齐全"})
		return no
	case "stopped":
		no := e.stage("at-approver")
		e.mustAct(no, "stop-clock", "approver", map[string]any{"kind": "hearing", "reason": "依申请举行听证", "expected_days": 5})
		return no
	case "decided":
		no := e.stage("at-approver")
		e.mustAct(no, "decide", "approver", grant)
		return no
	case "concluded":
		no := e.stage("decided")
		e.mustAct(no, "conclude", "approver", nil)
		return no
	}
	e.t.Fatalf("unknown stage %s", name)
	return ""
}

func decodeMap(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *casesEnv) getRaw(path, login string) (int, []byte) {
	e.t.Helper()
	var raw json.RawMessage
	st := e.apiCall("GET", path, e.tok[login], nil, &raw)
	return st, raw
}

func (e *casesEnv) download(no, hash, login string) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/cases/%s/files/%s", e.HTTP.URL, no, hash), nil)
	if tok := e.tok[login]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func hasKeys(m map[string]any, keys ...string) string {
	for _, k := range keys {
		cur := any(m)
		for _, part := range strings.Split(k, ".") {
			mm, ok := cur.(map[string]any)
			if !ok {
				return k
			}
			if cur, ok = mm[part]; !ok {
				return k
			}
		}
	}
	return ""
}
