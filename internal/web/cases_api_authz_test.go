package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

// Every action by every role: the denied callers first (nothing changes),
// then the allowed one. "owner" is the applicant of the case, "other" an
// applicant who is not; "" is anonymous.
func TestCasesAPIActionAuthorization(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCasesEnv(t, d)
		opinion := map[string]any{"opinion": "意见"}
		for _, tc := range []struct {
			action, stage string
			body          any
			denied        map[string]int
			allowed       string
		}{
			{"accept", "submitted", nil,
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "approver": 403, "ds-clerk": 403}, "clerk"},
			{"request-correction", "submitted", map[string]any{"items": []map[string]any{{"material_id": "articles", "reason": "缺签字"}}},
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "approver": 403, "supervisor": 403}, "clerk"},
			{"resubmit", "correction", nil,
				map[string]int{"": 401, "other": 404, "reviewer": 403, "approver": 403}, "owner"},
			{"refuse", "submitted", map[string]any{"reason": "不属于本机关职权", "legal_basis": "《行政许可法》第三十二条"},
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "approver": 403}, "clerk"},
			{"accept-with-pending", "food", map[string]any{"materials": []string{"layout"}, "commitment": "承诺补齐", "deadline": "2026-03-13"},
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "approver": 403}, "clerk"},
			{"supply-pending", "pending", nil,
				map[string]int{"": 401, "other": 404, "reviewer": 403, "approver": 403}, "owner"},
			{"decide-on-spot", "immediate", grant,
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "approver": 403, "ds-clerk": 403}, "clerk"},
			{"review", "accepted", opinion,
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "approver": 403}, "clerk"},
			{"return", "at-approver", map[string]any{"opinion": "章程需重新审查"},
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "clerk": 403}, "approver"},
			{"decide", "at-approver", grant,
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "clerk": 403}, "approver"},
			{"extend", "at-approver", map[string]any{"reason": "需多部门核实"},
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "clerk": 403}, "approver"},
			{"stop-clock", "at-approver", map[string]any{"kind": "expert_review", "reason": "专家评审", "expected_days": 3},
				map[string]int{"": 401, "other": 404, "owner": 403, "clerk": 403}, "reviewer"},
			{"resume-clock", "stopped", nil,
				map[string]int{"": 401, "other": 404, "owner": 403, "clerk": 403}, "approver"},
			{"conclude", "decided", nil,
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403, "ds-clerk": 403}, "approver"},
			{"deliver", "concluded", map[string]any{"method": "electronic"},
				map[string]int{"": 401, "other": 404, "owner": 403, "reviewer": 403}, "clerk"},
			{"withdraw", "accepted", map[string]any{"reason": "申请人书面申请撤回"},
				map[string]int{"": 401, "other": 404, "reviewer": 403, "approver": 403}, "owner"},
		} {
			t.Run(tc.action, func(t *testing.T) {
				no := e.stage(tc.stage)
				body := tc.body
				switch tc.action {
				case "resubmit":
					body = map[string]any{"materials": []map[string]any{{"material_id": "articles", "file": e.mustUpload(e.tok[person], "articles-"+no)}}}
				case "supply-pending":
					body = map[string]any{"materials": []map[string]any{{"material_id": "layout", "file": e.mustUpload(e.tok[person], "layout-"+no)}}}
				}
				login := func(who string) string {
					switch who {
					case "owner":
						return person
					case "other":
						return enterprise
					}
					return who
				}
				before := e.counts()
				for who, want := range tc.denied {
					st, _, p := e.act(no, tc.action, login(who), body)
					if st != want {
						t.Errorf("%s by %q: got %d %s (%s), want %d", tc.action, who, st, p.Code, p.Detail, want)
					}
				}
				if after := e.counts(); !sameCounts(before, after) {
					t.Errorf("denied calls wrote rows: before %v after %v", before, after)
				}
				if st, _, p := e.act(no, tc.action, login(tc.allowed), body); st != http.StatusOK {
					t.Errorf("%s by %s: got %d %s (%s) %v, want 200", tc.action, tc.allowed, st, p.Code, p.Detail, p.Errors)
				}
			})
		}
	})
}

func TestCasesAPIIllegalTransition(t *testing.T) {
	e := newCasesEnv(t, dbtest.SQLite(t))
	no := e.stage("submitted")
	before := e.counts()
	st, _, p := e.act(no, "conclude", "approver", nil)
	if st != http.StatusConflict || p.Code != "illegal_transition" {
		t.Fatalf("conclude a submitted case: got %d %s, want 409 illegal_transition", st, p.Code)
	}
	allowed, _ := p.Extra["allowed"].([]any)
	var names []string
	for _, a := range allowed {
		names = append(names, a.(string))
	}
	if !slices.Contains(names, "accept") || !slices.Contains(names, "request-correction") || slices.Contains(names, "conclude") {
		t.Fatalf("extra.allowed: got %v, want accept and request-correction, not conclude", names)
	}
	if after := e.counts(); !sameCounts(before, after) {
		t.Fatalf("rejected transition wrote rows: %v → %v", before, after)
	}
}

// Bad input: each a specific problem, nothing written.
func TestCasesAPIBadInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCasesEnv(t, d)
		good := e.materialsFor(e.tok[person], itemSetup)
		submitted := e.stage("submitted")
		atApprover := e.stage("at-approver")
		unknownHash := strings.Repeat("ab", 32)
		withMaterial := func(extra map[string]any) []map[string]any {
			return append(slices.Clone(good), extra)
		}
		badID := "990121198503121620" // valid birth date, wrong check character
		for _, tc := range []struct {
			name, method, path, login string
			body                      any
			status                    int
			code, field               string
		}{
			{"a material file never uploaded", "POST", "/api/v1/cases", person,
				map[string]any{"item": itemSetup, "channel": "online", "materials": withMaterial(map[string]any{"material_id": "lease", "file": unknownHash})},
				422, "material_file_missing", "materials[5].file"},
			{"a required material missing", "POST", "/api/v1/cases", person,
				map[string]any{"item": itemSetup, "channel": "online", "materials": good[1:]}, 422, "materials_missing", ""},
			{"a material not in the checklist", "POST", "/api/v1/cases", person,
				map[string]any{"item": itemSetup, "channel": "online", "materials": withMaterial(map[string]any{"material_id": "tax_return", "paper": true})},
				422, "material_not_in_checklist", "materials[5]"},
			{"a citizen ID failing its check (assisted filing)", "POST", "/api/v1/cases", "clerk",
				map[string]any{"item": itemSetup, "channel": "assisted", "assist_authorization": "授权委托书（2026-03-02）", "materials": good,
					"applicant": map[string]any{"name": "王五", "kind": "person", "id_number": badID}},
				422, "citizen_id_check", "applicant.id_number"},
			{"assisted filing without the applicant's authorization", "POST", "/api/v1/cases", "clerk",
				map[string]any{"item": itemSetup, "channel": "assisted", "materials": good, "applicant": map[string]any{"name": "王五", "id_number": badID}},
				422, "assist_authorization_required", "assist_authorization"},
			{"an unknown channel", "POST", "/api/v1/cases", person,
				map[string]any{"item": itemSetup, "channel": "fax", "materials": good}, 422, "channel_invalid", "channel"},
			{"an unknown field", "POST", "/api/v1/cases", person,
				map[string]any{"item": itemSetup, "channel": "online", "materials": good, "priority": "high"}, 422, "unknown_field", ""},
			{"a correction naming a material outside the item version", "POST", "/api/v1/cases/" + submitted + "/actions/request-correction", "clerk",
				map[string]any{"items": []map[string]any{{"material_id": "moon_rock", "reason": "不清晰"}}}, 422, "correction_material_unknown", "items[0].material_id"},
			{"a correction without a reason", "POST", "/api/v1/cases/" + submitted + "/actions/request-correction", "clerk",
				map[string]any{"items": []map[string]any{{"material_id": "articles", "reason": " "}}}, 422, "correction_reason_required", "items[0].reason"},
			{"a denial without reasons", "POST", "/api/v1/cases/" + atApprover + "/actions/decide", "approver",
				map[string]any{"outcome": "deny", "remedies": "可申请行政复议"}, 422, "decision_reasons_required", "reasons"},
			{"a grant without its result", "POST", "/api/v1/cases/" + atApprover + "/actions/decide", "approver",
				map[string]any{"outcome": "grant"}, 422, "grant_result_required", "result.certificate_no"},
			{"an unknown action", "POST", "/api/v1/cases/" + submitted + "/actions/approve-everything", "clerk",
				nil, 404, "action_unknown", ""},
			{"an unknown case", "GET", "/api/v1/cases/990121-20260302-999999-0", "clerk", nil, 404, "case_not_found", ""},
			{"tracking without a code", "GET", "/api/v1/track?no=" + submitted, "", nil, 422, "track_params_required", "code"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.counts()
				var p Problem
				st := e.apiCall(tc.method, tc.path, e.tok[tc.login], tc.body, &p)
				if st != tc.status || p.Code != tc.code {
					t.Fatalf("got %d %s (%s) %v, want %d %s", st, p.Code, p.Detail, p.Errors, tc.status, tc.code)
				}
				if tc.field != "" && !slices.ContainsFunc(p.Errors, func(f errs.FieldError) bool { return f.Field == tc.field }) {
					t.Fatalf("errors %+v do not name %s", p.Errors, tc.field)
				}
				if after := e.counts(); !sameCounts(before, after) {
					t.Fatalf("rejected request wrote rows: %v → %v", before, after)
				}
			})
		}
	})
}

func TestCasesAPIUploads(t *testing.T) {
	e := newCasesEnv(t, dbtest.SQLite(t))
	limit := e.Srv.uploadLimit()
	for _, tc := range []struct {
		name    string
		login   string
		content []byte
		fname   string
		status  int
		code    string
	}{
		{"a PDF is stored", person, pdf("ok"), "a.pdf", 201, ""},
		{"anonymous may not upload", "", pdf("anon"), "a.pdf", 401, "unauthenticated"},
		{"an empty file", person, nil, "a.pdf", 422, "file_empty"},
		{"a file over the limit", person, append(pdf("big"), make([]byte, limit)...), "big.pdf", 422, "file_too_large"},
		{"an executable", person, []byte("MZ\x90\x00\x03\x00\x00\x00"), "a.exe", 422, "file_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			st, u, p := e.upload(e.tok[tc.login], tc.content, tc.fname)
			if st != tc.status || (tc.code != "" && p.Code != tc.code) {
				t.Fatalf("got %d %+v %s (%s), want %d %s", st, u, p.Code, p.Detail, tc.status, tc.code)
			}
			after := e.counts()
			if st == 201 {
				if after["blobs"] != before["blobs"]+1 || u.Size != int64(len(tc.content)) {
					t.Fatalf("stored %+v: blobs %d → %d, want one more of size %d", u, before["blobs"], after["blobs"], len(tc.content))
				}
			} else if !sameCounts(before, after) {
				t.Fatalf("rejected upload wrote rows: %v → %v", before, after)
			}
		})
	}
	t.Run("a multipart body without a file part", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/files", strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--x--\r\n"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Authorization", "Bearer "+e.tok[person])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 422 {
			t.Fatalf("got %d, want 422 file_required", resp.StatusCode)
		}
	})
	t.Run("a raw body with ?name=", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/files?name=scan.pdf", strings.NewReader(string(pdf("raw"))))
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Authorization", "Bearer "+e.tok[person])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("got %d, want 201", resp.StatusCode)
		}
	})
}
