package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/supervise"
)

// Statistics count real ratings and complaints: satisfaction is the share
// of ratings at level 3 or above, a bad rating opens a rectification, and
// nothing in the result names the rater.
func TestStatsCountRatingsAndComplaints(t *testing.T) {
	w := newRatingsWorld(t)
	app, sup := w.token(w.applicant), w.token(w.supervisor)
	statsOf := func(t *testing.T, path string) supervise.StatsResult {
		t.Helper()
		var res supervise.StatsResult
		if got := w.apiCall("GET", path, sup, nil, &res); got != http.StatusOK {
			t.Fatalf("stats: got %d, want 200", got)
		}
		return res
	}
	const path = "/api/v1/stats/cases?region=990121&from=2026-03-01&to=2026-03-31"
	if got := statsOf(t, path).Total; got.Ratings != 0 || got.SatisfactionRate != 0 {
		t.Fatalf("before rating got %+v, want no ratings", got.RatingCount)
	}
	tag := ratings.Tags(ratings.TagsOnline, 1)[0]
	if got := w.apiCall("POST", "/api/v1/cases/"+w.no+"/ratings", app, map[string]any{"level": 1, "tags": []string{tag}}, nil); got != http.StatusCreated {
		t.Fatalf("rate: got %d, want 201", got)
	}
	var c ratings.Complaint
	if got := w.apiCall("POST", "/api/v1/complaints", app, map[string]any{"subject": "case", "case_no": w.no, "content": "窗口要求重复提交材料"}, &c); got != http.StatusCreated {
		t.Fatalf("complaint: got %d, want 201", got)
	}
	res := statsOf(t, path)
	tot := res.Total
	if tot.Ratings != 1 || tot.Bad != 1 || tot.Satisfied != 0 || tot.SatisfactionRate != 0 || tot.Rectifications != 1 || tot.Complaints != 1 {
		t.Fatalf("total got %+v, want 1 bad rating, 1 rectification, 1 complaint", tot.RatingCount)
	}
	if tot.CallbacksDue != 2 || tot.CallbacksDone != 0 || tot.CallbackRate != 0 {
		t.Fatalf("callbacks got %d/%d rate %v, want 0/2", tot.CallbacksDone, tot.CallbacksDue, tot.CallbackRate)
	}
	t.Run("grouped by department the case's department carries the counts", func(t *testing.T) {
		res := statsOf(t, path+"&group_by=org")
		if len(res.Groups) != 1 || res.Groups[0].Bad != 1 || res.Groups[0].Complaints != 1 {
			t.Fatalf("groups got %+v, want one with the bad rating and complaint", res.Groups)
		}
	})
	t.Run("another department's statistics do not count them", func(t *testing.T) {
		res := statsOf(t, path+"&org=999999")
		if res.Total.Ratings != 0 || res.Total.Complaints != 0 {
			t.Fatalf("got %+v, want nothing", res.Total.RatingCount)
		}
	})
	t.Run("a period before the case counts none", func(t *testing.T) {
		if got := statsOf(t, "/api/v1/stats/cases?region=990121&from=2026-02-01&to=2026-02-28").Total; got.Ratings != 0 {
			t.Fatalf("got %+v, want none", got.RatingCount)
		}
	})
}

func TestRatingsBadAddresses(t *testing.T) {
	w := newRatingsWorld(t)
	sup := w.token(w.supervisor)
	t.Run("rules of a malformed region get 422 naming region", func(t *testing.T) {
		var p Problem
		if got := w.apiCall("GET", "/api/v1/rating-rules/xx", sup, nil, &p); got != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != "region" {
			t.Fatalf("got %d %+v, want 422 on region", got, p)
		}
		if got := w.apiCall("GET", "/api/v1/rating-rules/990121", sup, nil, nil); got != http.StatusOK {
			t.Fatalf("a real region got %d, want 200", got)
		}
	})
	t.Run("an evaluator of an unknown window gets 404", func(t *testing.T) {
		b := w.browser()
		for _, path := range []string{"/rate/window/x", "/rate/window/0", "/rate/window/999999"} {
			if st, _ := b.get(path); st != http.StatusNotFound {
				t.Errorf("%s: got %d, want 404", path, st)
			}
		}
		if st, _ := b.get("/rate/window/1"); st != http.StatusOK {
			t.Errorf("a real window got %d, want 200", st)
		}
	})
}

// A bad rating and a complaint are routed: the responsible department's
// staff and the region's supervisor are told, with a link to work it.
func TestBadRatingAndComplaintAreRouted(t *testing.T) {
	w := newRatingsWorld(t)
	app := w.token(w.applicant)
	notes := func(login, link string) int {
		u, err := w.Auth.UserByLogin(context.Background(), login)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := w.DB.R.QueryRow(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND link LIKE $2`, u.ID, link).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tag := ratings.Tags(ratings.TagsOnline, 2)[0]
	var r ratings.Rating
	if got := w.apiCall("POST", "/api/v1/cases/"+w.no+"/ratings", app, map[string]any{"level": 2, "tags": []string{tag}}, &r); got != http.StatusCreated || r.Rectification == nil {
		t.Fatalf("rate: got %d %+v, want 201 with a rectification", got, r)
	}
	var c ratings.Complaint
	if got := w.apiCall("POST", "/api/v1/complaints", app, map[string]any{"subject": "case", "case_no": w.no, "content": "窗口要求重复提交材料"}, &c); got != http.StatusCreated {
		t.Fatalf("complaint: got %d, want 201", got)
	}
	for _, c := range []struct {
		who, link string
		want      int
	}{
		{w.dept, "/rectifications/%", 1}, {w.supervisor, "/rectifications/%", 1},
		{w.dept, "/complaints/%", 1}, {w.supervisor, "/complaints/%", 1},
		{w.applicant, "/rectifications/%", 0}, {w.hotline, "/complaints/%", 0},
	} {
		if got := notes(c.who, c.link); got != c.want {
			t.Errorf("%s notices about %s got %d, want %d", c.who, c.link, got, c.want)
		}
	}
}

// A list filter naming a status (or finding kind) that does not exist is
// rejected with the field, not answered with an empty list.
func TestListFiltersRejectUnknownStatus(t *testing.T) {
	w := newRatingsWorld(t)
	sup := w.token(w.supervisor)
	for _, c := range []struct{ path, field string }{
		{"/api/v1/rectifications?status=zzz", "status"},
		{"/api/v1/complaints?status=zzz", "status"},
		{"/api/v1/appeals?status=zzz", "status"},
		{"/api/v1/supervise/findings?status=zzz", "status"},
		{"/api/v1/supervise/findings?kind=zzz", "kind"},
	} {
		var p Problem
		if got := w.apiCall("GET", c.path, sup, nil, &p); got != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
			t.Errorf("%s: got %d %+v, want 422 on %s", c.path, got, p, c.field)
		}
	}
	for _, path := range []string{"/api/v1/rectifications?status=open", "/api/v1/complaints?status=closed", "/api/v1/appeals?status=pending",
		"/api/v1/supervise/findings?status=open&kind=fee_not_listed"} {
		if got := w.apiCall("GET", path, sup, nil, nil); got != http.StatusOK {
			t.Errorf("%s: got %d, want 200", path, got)
		}
	}
}

func TestSuperviseDrillDownAndScoreboardRejectMalformedIDs(t *testing.T) {
	w := newRatingsWorld(t)
	sup := w.token(w.supervisor)
	for _, c := range []struct{ path, token, field string }{
		{"/api/v1/supervise/dashboard?org=x", sup, "org"},
		{"/api/v1/supervise/dashboard?window=-1", sup, "window"},
		{"/api/v1/scoreboard?region=xx", "", "region"},
	} {
		var p Problem
		if got := w.apiCall("GET", c.path, c.token, nil, &p); got != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
			t.Errorf("%s: got %d %+v, want 422 on %s", c.path, got, p, c.field)
		}
	}
	if st, _ := w.browser().get("/scoreboard?region=990121"); st != http.StatusOK {
		t.Errorf("scoreboard of a real region got %d, want 200", st)
	}
}

// What an admin can list it can open.
func TestAdminOpensTheComplaintsItLists(t *testing.T) {
	w := newRatingsWorld(t)
	app, admin := w.token(w.applicant), w.token("admin")
	var c ratings.Complaint
	if got := w.apiCall("POST", "/api/v1/complaints", app, map[string]any{"subject": "case", "case_no": w.no, "content": "窗口要求重复提交材料"}, &c); got != http.StatusCreated {
		t.Fatalf("complaint: got %d, want 201", got)
	}
	var list struct{ Total int }
	if got := w.apiCall("GET", "/api/v1/complaints", admin, nil, &list); got != http.StatusOK || list.Total != 1 {
		t.Fatalf("admin list: got %d total %d, want 200 with 1", got, list.Total)
	}
	if got := w.apiCall("GET", fmt.Sprintf("/api/v1/complaints/%d", c.ID), admin, nil, nil); got != http.StatusOK {
		t.Fatalf("admin open: got %d, want 200", got)
	}
}

// A program manages a region's rating rules like the page does: set, list,
// remove (then the region follows the defaults), with 422 for a region
// without rules of its own and 403 for a clerk.
func TestRatingRulesAPISetListRemove(t *testing.T) {
	w := newRatingsWorld(t)
	sup := w.token(w.supervisor)
	rules := map[string]any{"stages": []string{"accept", "conclude"}, "window_days": 9, "default_satisfied": false,
		"callback_days": 1, "rectify_days": 15, "complaint_days": 5}
	if got := w.apiCall("PUT", "/api/v1/rating-rules/990121", sup, rules, nil); got != http.StatusOK {
		t.Fatalf("set: got %d, want 200", got)
	}
	var list struct {
		Rules   []ratings.Rules `json:"rules"`
		Default ratings.Rules   `json:"default"`
	}
	if got := w.apiCall("GET", "/api/v1/rating-rules", sup, nil, &list); got != http.StatusOK || len(list.Rules) != 1 ||
		list.Rules[0].RegionCode != "990121" || list.Rules[0].WindowDays != 9 || list.Default.WindowDays != ratings.DefaultRules().WindowDays {
		t.Fatalf("list: got %d %+v, want 990121 with a 9-day window and the defaults", got, list)
	}
	if got := w.apiCall("DELETE", "/api/v1/rating-rules/990121", w.token(w.clerk), nil, nil); got != http.StatusForbidden {
		t.Fatalf("clerk remove: got %d, want 403", got)
	}
	if got := w.apiCall("DELETE", "/api/v1/rating-rules/990121", sup, nil, nil); got != http.StatusNoContent {
		t.Fatalf("remove: got %d, want 204", got)
	}
	var now ratings.Rules
	if got := w.apiCall("GET", "/api/v1/rating-rules/990121", sup, nil, &now); got != http.StatusOK || now.WindowDays != ratings.DefaultRules().WindowDays {
		t.Fatalf("after remove: got %d %+v, want the defaults", got, now)
	}
	var p Problem
	if got := w.apiCall("DELETE", "/api/v1/rating-rules/990121", sup, nil, &p); got != http.StatusUnprocessableEntity {
		t.Fatalf("remove again: got %d %+v, want 422", got, p)
	}
}
