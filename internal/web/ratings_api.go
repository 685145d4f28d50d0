package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/ratings"
)

func (s *Server) registerRatingsAPI() {
	s.api("POST /api/v1/cases/{no}/ratings", s.apiRate)
	s.api("GET /api/v1/ratings", s.apiRatings)
	s.api("GET /api/v1/ratings/aggregate", s.apiRatingsAggregate)
	s.api("GET /api/v1/ratings/tags", s.apiRatingTags)
	s.api("GET /api/v1/ratings/{id}", s.apiRating)
	s.api("POST /api/v1/ratings/{id}/appeal", s.apiAppeal)
	s.api("GET /api/v1/appeals", s.apiAppeals)
	s.api("POST /api/v1/appeals/{id}/decide", s.apiAppealDecide)
	s.api("GET /api/v1/rectifications", s.apiRectifications)
	s.api("GET /api/v1/rectifications/{id}", s.apiRectification)
	s.api("POST /api/v1/rectifications/{id}/actions/{action}", s.apiRectAction)
	s.api("POST /api/v1/rectifications/{id}/rating", s.apiRectRating)
	s.api("POST /api/v1/complaints", s.apiComplaintFile)
	s.api("GET /api/v1/complaints", s.apiComplaints)
	s.api("GET /api/v1/complaints/{id}", s.apiComplaint)
	s.api("POST /api/v1/complaints/{id}/actions/{action}", s.apiComplaintAction)
	s.api("GET /api/v1/rating-rules", s.apiRatingRulesWithin)
	s.api("GET /api/v1/rating-rules/{region}", s.apiRatingRules)
	s.api("PUT /api/v1/rating-rules/{region}", s.apiRatingRulesSet)
	s.api("DELETE /api/v1/rating-rules/{region}", s.apiRatingRulesRemove)
}

// rateBody is POST /api/v1/cases/{no}/ratings: the applicant's own rating,
// or a 12345 agent's record of the applicant's answer (with call_record).
type rateBody struct {
	ratings.RateRequest
	CallRecord string `json:"call_record,omitempty"`
}

func (s *Server) apiRate(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p == nil {
		s.fail(w, r, auth.ErrUnauthenticated)
		return
	}
	var req rateBody
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	var out *ratings.Rating
	var err error
	if p.Has(auth.HotlineAgent) {
		out, err = s.Ratings.RateByHotline(r.Context(), p, r.PathValue("no"), ratings.HotlineRequest{RateRequest: req.RateRequest, CallRecord: req.CallRecord})
	} else {
		out, err = s.Ratings.Rate(r.Context(), p, r.PathValue("no"), req.RateRequest)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// dayRange parses from/to dates (YYYY-MM-DD, Beijing) into [from, to+1 day).
func dayRange(q map[string][]string) (time.Time, time.Time, error) {
	var fe errs.Fields
	parse := func(name string, next bool) time.Time {
		v := strings.TrimSpace(first(q[name]))
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, clock.Shanghai)
		if err != nil {
			fe.Add(name, "日期格式须为 YYYY-MM-DD")
			return time.Time{}
		}
		if next {
			t = t.AddDate(0, 0, 1)
		}
		return t.UTC()
	}
	from, to := parse("from", false), parse("to", true)
	return from, to, fe.Err()
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func queryID(q map[string][]string, name string) (int64, error) {
	v := strings.TrimSpace(first(q[name]))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Field(name, "bad_number", "请填写有效的编号")
	}
	return n, nil
}

func (s *Server) ratingFilter(r *http.Request) (ratings.ListFilter, error) {
	q := r.URL.Query()
	var f ratings.ListFilter
	var err error
	if f.OrgID, err = queryID(q, "org"); err != nil {
		return f, err
	}
	if v := q.Get("level"); v != "" {
		if f.Level, err = strconv.Atoi(v); err != nil || f.Level < 1 || f.Level > 5 {
			return f, ratings.ErrLevel.OnField("level")
		}
	}
	if f.From, f.To, err = dayRange(q); err != nil {
		return f, err
	}
	if v := q.Get("bad"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, errs.Field("bad", "bad_bool", "bad 须为 true 或 false")
		}
		f.Bad = &b
	}
	return f, nil
}

func (s *Server) apiRatings(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.ratingFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.List(r.Context(), p, f)
	s.reply(w, r, http.StatusOK, listOf(out), err)
}

// aggregateFilter reads the public aggregate's query: org, item, month
// (default: this month) and region.
func (s *Server) aggregateFilter(r *http.Request) (ratings.Filter, string, error) {
	q := r.URL.Query()
	month := q.Get("month")
	if month == "" {
		month = s.Clock.Now().In(clock.Shanghai).Format("2006-01")
	}
	from, to, err := ratings.MonthRange(month)
	if err != nil {
		return ratings.Filter{}, month, err
	}
	org, err := queryID(q, "org")
	if err != nil {
		return ratings.Filter{}, month, err
	}
	return ratings.Filter{Region: strings.TrimSpace(q.Get("region")), OrgID: org, Item: strings.TrimSpace(q.Get("item")), From: from, To: to}, month, nil
}

// publicAggregate is the published aggregate: counts only, never a rater.
type publicAggregate struct {
	Month string `json:"month"`
	ratings.Aggregate
}

func (s *Server) apiRatingsAggregate(w http.ResponseWriter, r *http.Request) {
	f, month, err := s.aggregateFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Ratings.Aggregate(r.Context(), f)
	s.reply(w, r, http.StatusOK, publicAggregate{Month: month, Aggregate: a}, err)
}

func (s *Server) apiRatingTags(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, ratings.AllTags())
}

func (s *Server) apiRating(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.Get(r.Context(), principal(r), id)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiAppeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req ratings.AppealRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.FileAppeal(r.Context(), principal(r), id, req)
	s.reply(w, r, http.StatusCreated, out, err)
}

func (s *Server) apiAppeals(w http.ResponseWriter, r *http.Request) {
	out, err := s.Ratings.Appeals(r.Context(), principal(r), r.URL.Query().Get("status"))
	s.reply(w, r, http.StatusOK, listOf(out), err)
}

func (s *Server) apiAppealDecide(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrAppealNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req ratings.DecideRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.DecideAppeal(r.Context(), principal(r), id, req)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiRectifications(w http.ResponseWriter, r *http.Request) {
	org, err := queryID(r.URL.Query(), "org")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.Rectifications(r.Context(), principal(r), ratings.RectFilter{Status: r.URL.Query().Get("status"), OrgID: org})
	s.reply(w, r, http.StatusOK, listOf(out), err)
}

func (s *Server) apiRectification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrRectNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.Rectification(r.Context(), principal(r), id)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiRectAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrRectNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := auth.Require(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	var req ratings.RectAction
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.Act(r.Context(), principal(r), id, r.PathValue("action"), req)
	s.reply(w, r, http.StatusOK, out, err)
}

type rectRatingBody struct {
	Level   int    `json:"level"`
	Comment string `json:"comment,omitempty"`
}

func (s *Server) apiRectRating(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrRectNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req rectRatingBody
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.RateRectification(r.Context(), principal(r), id, req.Level, req.Comment)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiComplaintFile(w http.ResponseWriter, r *http.Request) {
	var req ratings.ComplaintRequest
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.FileComplaint(r.Context(), principal(r), req)
	s.reply(w, r, http.StatusCreated, out, err)
}

func (s *Server) apiComplaints(w http.ResponseWriter, r *http.Request) {
	out, err := s.Ratings.Complaints(r.Context(), principal(r), r.URL.Query().Get("status"))
	s.reply(w, r, http.StatusOK, listOf(out), err)
}

func (s *Server) apiComplaint(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrComplaintNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.Complaint(r.Context(), principal(r), id)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiComplaintAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, ratings.ErrComplaintNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := auth.Require(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	var req ratings.ComplaintAction
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := s.Ratings.ActOnComplaint(r.Context(), principal(r), id, r.PathValue("action"), req)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) apiRatingRules(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := ids.RegionCodeLevel(r.PathValue("region")); err != nil {
		s.fail(w, r, errs.Field("region", "region_invalid", "区划代码不正确"))
		return
	}
	out, err := s.Ratings.RulesFor(r.Context(), r.PathValue("region"))
	s.reply(w, r, http.StatusOK, out, err)
}

// apiRatingRulesWithin lists the regions in the caller's scope that set
// their own rating rules.
func (s *Server) apiRatingRulesWithin(w http.ResponseWriter, r *http.Request) {
	out, err := s.Ratings.RulesWithin(r.Context(), principal(r))
	s.reply(w, r, http.StatusOK, map[string]any{"rules": out, "default": ratings.DefaultRules()}, err)
}

// apiRatingRulesRemove removes a region's own rating rules: the region then
// follows the nearest region above it, or the defaults.
func (s *Server) apiRatingRulesRemove(w http.ResponseWriter, r *http.Request) {
	err := s.Ratings.RemoveRules(r.Context(), principal(r), r.PathValue("region"))
	s.reply(w, r, http.StatusNoContent, nil, err)
}

func (s *Server) apiRatingRulesSet(w http.ResponseWriter, r *http.Request) {
	var req ratings.Rules
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	req.RegionCode = r.PathValue("region")
	out, err := s.Ratings.SetRules(r.Context(), principal(r), req)
	s.reply(w, r, http.StatusOK, out, err)
}
