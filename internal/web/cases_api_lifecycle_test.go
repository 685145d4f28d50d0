package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestCasesAPIFullLifecycle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCasesEnv(t, d)
		c, code := e.submit(itemSetup)
		no := c.No

		t.Run("the clerk's inbox holds the submitted case", func(t *testing.T) {
			var l struct{ Items []caseReply }
			if st := e.apiCall("GET", "/api/v1/cases?inbox=true", e.tok["clerk"], nil, &l); st != 200 || !slices.ContainsFunc(l.Items, func(c caseReply) bool { return c.No == no }) {
				t.Fatalf("clerk inbox: got %d %+v, want 200 with %s", st, l.Items, no)
			}
		})
		st, raw := e.getRaw("/api/v1/cases/"+no, person)
		if st != http.StatusOK {
			t.Fatalf("get: got %d %s", st, raw)
		}
		if missing := hasKeys(decodeMap(t, raw), "no", "status", "item", "version", "current_step", "light", "trips",
			"corrections", "pending", "deadlines", "documents", "allowed"); missing != "" {
			t.Fatalf("case JSON lacks %q: %s", missing, raw)
		}

		e.mustAct(no, "accept", "clerk", map[string]any{"note": "材料齐全"})
		st, raw = e.getRaw("/api/v1/cases/"+no, person)
		m := decodeMap(t, raw)
		if missing := hasKeys(m, "deadlines.promised.date", "deadlines.promised.at", "deadlines.promised.derivation",
			"deadlines.legal.date", "deadlines.legal.at", "deadlines.legal.derivation", "current_step.name"); missing != "" {
			t.Fatalf("accepted case lacks %q: %s", missing, raw)
		}
		if der := m["deadlines"].(map[string]any)["legal"].(map[string]any)["derivation"].([]any); len(der) == 0 {
			t.Fatal("legal deadline has no derivation")
		}

		e.mustAct(no, "review", "clerk", map[string]any{"opinion": "经审查，符合法定条件"})
		t.Run("the approver's inbox holds the case", func(t *testing.T) {
			var l struct {
				Items []caseReply `json:"items"`
			}
			if st := e.apiCall("GET", "/api/v1/cases?inbox=true&role=approver", e.tok["approver"], nil, &l); st != 200 {
				t.Fatalf("inbox: got %d", st)
			}
			if !slices.ContainsFunc(l.Items, func(c caseReply) bool { return c.No == no }) {
				t.Fatalf("approver inbox %+v lacks %s", l.Items, no)
			}
			if st := e.apiCall("GET", "/api/v1/cases?inbox=true&role=reviewer", e.tok["reviewer"], nil, &l); st != 200 || slices.ContainsFunc(l.Items, func(c caseReply) bool { return c.No == no }) {
				t.Fatalf("reviewer inbox: got %d %+v, want 200 without %s", st, l.Items, no)
			}
		})
		e.mustAct(no, "decide", "approver", grant)
		if _, raw := e.getRaw("/api/v1/cases/"+no, person); hasKeys(decodeMap(t, raw), "deadlines.delivery.date", "deadlines.delivery.at",
			"deadlines.delivery.derivation", "delivery_light") != "" {
			t.Fatalf("a granted case lacks its art. 44 delivery deadline or light: %s", raw)
		}
		e.mustAct(no, "conclude", "approver", nil)
		var mine caseReply
		e.apiCall("GET", "/api/v1/cases/"+no, e.tok[person], nil, &mine)
		var staffView caseReply
		e.apiCall("GET", "/api/v1/cases/"+no, e.tok["clerk"], nil, &staffView)
		if mine.PickupCode == "" || staffView.PickupCode != "" {
			t.Fatalf("pickup code: applicant sees %q, clerk sees %q; want only the applicant to see it", mine.PickupCode, staffView.PickupCode)
		}
		done := e.mustAct(no, "deliver", "clerk", map[string]any{"method": "window", "pickup_code": mine.PickupCode})
		if done.Status != "delivered" || done.Trips != 1 {
			t.Fatalf("delivered: got status %s trips %d, want delivered with 1 trip (the pickup)", done.Status, done.Trips)
		}
		var kinds []string
		for _, doc := range done.Documents {
			kinds = append(kinds, doc.Kind)
		}
		for _, k := range []string{cases.DocAcceptance, cases.DocDecision, cases.DocDelivery} {
			if !slices.Contains(kinds, k) {
				t.Errorf("documents %v lack %s", kinds, k)
			}
		}

		t.Run("the timeline is the hash chain and verifies", func(t *testing.T) {
			var tl struct {
				Items []cases.TimelineEvent `json:"items"`
			}
			if st := e.apiCall("GET", "/api/v1/cases/"+no+"/timeline", e.tok[person], nil, &tl); st != 200 {
				t.Fatalf("timeline: %d", st)
			}
			var actions []string
			for _, ev := range tl.Items {
				actions = append(actions, ev.Action)
			}
			want := []string{"submit", "accept", "review", "decide", "conclude", "deliver"}
			if !slices.Equal(actions, want) {
				t.Fatalf("timeline actions: got %v, want %v", actions, want)
			}
			chain, err := audit.Stream(context.Background(), d.R, "case/"+no)
			if err != nil {
				t.Fatal(err)
			}
			for i, ev := range chain {
				if tl.Items[i].Hash != ev.Hash || (i > 0 && ev.PrevHash != chain[i-1].Hash) {
					t.Fatalf("event %d: API hash %s, chain %s (prev %s)", i, tl.Items[i].Hash, ev.Hash, ev.PrevHash)
				}
			}
			res, err := audit.Verify(context.Background(), d.R, "case/")
			if err != nil || len(res.Broken) != 0 {
				t.Fatalf("audit verify: %+v %v", res, err)
			}
		})

		t.Run("public tracking needs the right code", func(t *testing.T) {
			var v cases.TrackView
			if st := e.apiCall("GET", "/api/v1/track?no="+no+"&code="+code, "", nil, &v); st != 200 || v.Status != cases.Delivered || len(v.Events) != 6 {
				t.Fatalf("track: got %d %+v, want 200 delivered with 6 events", st, v)
			}
			var wrong, unknown Problem
			stWrong := e.apiCall("GET", "/api/v1/track?no="+no+"&code=ZZZZZZZZ", "", nil, &wrong)
			other := no[:16] + "999999-"
			other += string(checkChar(other[:6] + other[7:15] + other[16:22]))
			stUnknown := e.apiCall("GET", "/api/v1/track?no="+other+"&code="+code, "", nil, &unknown)
			if stWrong != 404 || stUnknown != 404 || wrong.Code != unknown.Code || wrong.Detail != unknown.Detail {
				t.Fatalf("wrong code %d %+v vs unknown number %d %+v: want identical 404s", stWrong, wrong, stUnknown, unknown)
			}
		})
	})
}

// checkChar is the ISO 7064 MOD 11-2 check character of the 20 digits.
func checkChar(digits string) byte {
	sum, w := 0, 2
	for i := len(digits) - 1; i >= 0; i-- {
		sum = (sum + int(digits[i]-'0')*w) % 11
		w = w * 2 % 11
	}
	c := (12 - sum) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

func TestCasesAPICorrectionRoundTrip(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newCasesEnv(t, d)
		no := e.stage("correction")
		var c caseReply
		e.apiCall("GET", "/api/v1/cases/"+no, e.tok[person], nil, &c)
		if c.Status != "correction" || c.Corrections != 1 || !slices.ContainsFunc(c.Documents, func(d cases.Document) bool { return d.Kind == cases.DocCorrection }) {
			t.Fatalf("after the notice: got %+v, want correction with 1 notice document", c)
		}
		st, _, p := e.act(no, "request-correction", "clerk", map[string]any{"items": []map[string]any{{"material_id": "officers", "reason": "再补一项"}}})
		if st != http.StatusConflict || p.Code != "illegal_transition" {
			t.Fatalf("second notice while waiting: got %d %s, want 409 illegal_transition", st, p.Code)
		}
		fixed := e.mustUpload(e.tok[person], "articles-signed")
		c = e.mustAct(no, "resubmit", person, map[string]any{"materials": []map[string]any{{"material_id": "articles", "file": fixed}}})
		if c.Status != "submitted" {
			t.Fatalf("resubmitted: got %s, want submitted", c.Status)
		}
		c = e.mustAct(no, "accept", "clerk", nil)
		if c.Status != "accepted" || c.Corrections != 1 || c.Trips != 0 {
			t.Fatalf("accepted: got %+v, want accepted, 1 correction, 0 trips (all online)", c)
		}
		if !slices.ContainsFunc(c.Materials, func(m cases.CaseMaterial) bool { return m.MaterialID == "articles" && m.BlobHash == fixed }) {
			t.Fatalf("materials %+v: the corrected articles are not the new file", c.Materials)
		}
	})
}

func TestCasesAPIFileDownloadAuthorization(t *testing.T) {
	e := newCasesEnv(t, dbtest.SQLite(t))
	c, _ := e.submit(itemSetup)
	var full caseReply
	e.apiCall("GET", "/api/v1/cases/"+c.No, e.tok[person], nil, &full)
	hash := full.Materials[0].BlobHash
	want := pdf(itemSetup + "/" + full.Materials[0].MaterialID)
	foreign := e.mustUpload(e.tok[enterprise], "someone-else")
	for _, tc := range []struct {
		name, login, hash string
		status            int
	}{
		{"the applicant downloads", person, hash, 200},
		{"a clerk of the region downloads", "clerk", hash, 200},
		{"an approver of the region downloads", "approver", hash, 200},
		{"another applicant gets not found", enterprise, hash, 404},
		{"staff of another county are out of scope", "ds-clerk", hash, 403},
		{"anonymous must log in", "", hash, 401},
		{"a file not of this case is not found", person, foreign, 404},
		{"a malformed hash is not found", person, "..%2F..%2Fetc", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := e.download(c.No, tc.hash, tc.login)
			if st != tc.status {
				t.Fatalf("got %d %s, want %d", st, body, tc.status)
			}
			if st == 200 && !bytes.Equal(body, want) {
				t.Fatalf("got %q, want the uploaded PDF", body)
			}
		})
	}
}

func TestCasesAPIListFilters(t *testing.T) {
	e := newCasesEnv(t, dbtest.SQLite(t))
	sub := e.stage("submitted")
	acc := e.stage("at-approver")
	var l struct {
		Items []caseReply `json:"items"`
		Total int         `json:"total"`
	}
	nos := func() []string {
		var out []string
		for _, c := range l.Items {
			out = append(out, c.No)
		}
		return out
	}
	if st := e.apiCall("GET", "/api/v1/cases?status=submitted", e.tok["clerk"], nil, &l); st != 200 || !slices.Equal(nos(), []string{sub}) {
		t.Fatalf("status=submitted: got %d %v, want [%s]", st, nos(), sub)
	}
	if st := e.apiCall("GET", "/api/v1/cases?status=submitted,accepted&item="+itemSetup, e.tok["clerk"], nil, &l); st != 200 || len(l.Items) != 2 {
		t.Fatalf("two statuses: got %d %v, want both", st, nos())
	}
	if st := e.apiCall("GET", "/api/v1/cases?mine=true", e.tok[enterprise], nil, &l); st != 200 || len(l.Items) != 0 {
		t.Fatalf("another applicant's list: got %d %v, want empty", st, nos())
	}
	if st := e.apiCall("GET", "/api/v1/cases?inbox=true", e.tok["approver"], nil, &l); st != 200 || !slices.Equal(nos(), []string{acc}) {
		t.Fatalf("approver inbox: got %d %v, want [%s]", st, nos(), acc)
	}
	if st := e.apiCall("GET", "/api/v1/cases?page=2", e.tok["clerk"], nil, &l); st != 200 || len(l.Items) != 0 {
		t.Fatalf("page 2: got %d %v, want empty", st, nos())
	}
	for _, q := range []string{"status=nonsense", "light=blue", "page=0", "inbox=maybe", "org=x", "role=king"} {
		var p Problem
		if st := e.apiCall("GET", "/api/v1/cases?"+q, e.tok["clerk"], nil, &p); st != 422 || p.Code != "bad_query" {
			t.Errorf("%s: got %d %s, want 422 bad_query", q, st, p.Code)
		}
	}
	if st := e.apiCall("GET", "/api/v1/cases", "", nil, nil); st != 401 {
		t.Errorf("anonymous list: got %d, want 401", st)
	}
	if st := e.apiCall("GET", "/api/v1/cases?inbox=true&role=approver", e.tok["clerk"], nil, nil); st != 403 {
		t.Errorf("inbox of a role the caller lacks: got %d, want 403", st)
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }
