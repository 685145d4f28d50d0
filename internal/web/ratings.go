package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/ratings"
)

var deptRoles = []auth.Role{auth.Clerk, auth.Reviewer, auth.Approver, auth.Supervisor}

func (s *Server) registerRatings() {
	s.registerRatingsAPI()
	s.page("GET /my/ratings", s.myRatings)
	s.page("POST /my/ratings/rectifications/{id}/rate", s.myRectRate)
	s.page("GET /my/cases/{no}/rate", s.rateOnlineForm)
	s.page("POST /my/cases/{no}/rate", s.rateOnline)
	s.page("GET /rate/{token}", s.rateLinkForm)
	s.page("POST /rate/{token}", s.rateLink)
	s.page("GET /rate/window/{window_id}", s.rateDeviceStart)
	s.page("POST /rate/window/{window_id}/check", s.rateDeviceCheck)
	s.page("POST /rate/window/{window_id}", s.rateDevice)
	s.page("GET /rate/kiosk", s.rateDeviceStart)
	s.page("POST /rate/kiosk/check", s.rateDeviceCheck)
	s.page("POST /rate/kiosk", s.rateDevice)
	s.page("GET /ratings", s.ratingsPublic)
	s.registerRectificationPages()
	s.registerComplaintPages()
	s.nav(2, "我的评价", "/my/ratings", auth.Applicant)
	s.nav(3, "投诉与反映", "/complaints", auth.Applicant)
	s.nav(11, "好差评公开", "/ratings")
	s.nav(12, "投诉·办不成事", "/complaints/new")
	s.nav(60, "好差评公开", "/ratings", auth.StaffRoles...)
	s.nav(20, "差评整改", "/rectifications", deptRoles...)
	s.nav(21, "评价申诉", "/appeals", deptRoles...)
	s.nav(22, "投诉办理", "/complaints", deptRoles...)
}

// levelTags is one level of the rating form with its reason tags.
type levelTags struct {
	Level int
	Label string
	Tags  []string
	Bad   bool
}

// rateFormData is the rating form: the same page serves "my cases", the
// SMS link, the window evaluator and the kiosk.
type rateFormData struct {
	Heading string
	Action  string
	Moment  ratings.Moment
	Levels  []levelTags
	Hidden  map[string]string
	Done    *ratings.Rating
	Again   string // link for the next applicant (window evaluator, kiosk)
}

func levelsFor(set ratings.TagSet) []levelTags {
	var out []levelTags
	for l := ratings.MaxLevel; l >= ratings.MinLevel; l-- {
		out = append(out, levelTags{Level: l, Label: ratings.LevelLabel(l), Tags: ratings.Tags(set, l), Bad: ratings.IsBad(l)})
	}
	return out
}

func (s *Server) rateForm(w http.ResponseWriter, r *http.Request, status int, d rateFormData, err error) {
	d.Levels = levelsFor(d.Moment.TagSet())
	pg := s.newPage(w, r, "办件评价", d)
	if err != nil {
		s.formError(w, r, "ratings_form", pg, err)
		return
	}
	s.render(w, r, status, "ratings_form", pg)
}

// rateRequest reads the rating form.
func rateRequest(r *http.Request) (ratings.RateRequest, error) {
	req := ratings.RateRequest{Stage: ratings.Stage(r.PostFormValue("stage")), Comment: r.PostFormValue("comment")}
	lv := r.PostFormValue("level")
	if lv == "" {
		return req, ratings.ErrLevel.OnField("level").Withf("请选择评价等级")
	}
	n, err := strconv.Atoi(lv)
	if err != nil {
		return req, ratings.ErrLevel.OnField("level")
	}
	req.Level = n
	// Each level's tags have their own field name, so only the chosen
	// level's ticks count even if the person ticked some under another.
	req.Tags = r.PostForm["tags_"+lv]
	return req, nil
}

func (s *Server) rateOnlineForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	no := r.PathValue("no")
	m, err := s.Ratings.Rateable(r.Context(), p, no)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.rateForm(w, r, http.StatusOK, rateFormData{Heading: "评价办件 " + no, Action: "/my/cases/" + no + "/rate", Moment: m}, nil)
}

func (s *Server) rateOnline(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	no := r.PathValue("no")
	m, err := s.Ratings.Rateable(r.Context(), p, no)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := rateFormData{Heading: "评价办件 " + no, Action: "/my/cases/" + no + "/rate", Moment: m}
	req, err := rateRequest(r)
	if err == nil {
		req.Stage = m.Stage
		_, err = s.Ratings.Rate(r.Context(), p, no, req)
	}
	if err != nil {
		s.rateForm(w, r, 0, d, err)
		return
	}
	redirect(w, r, "/my/ratings", "感谢您的评价！")
}

func (s *Server) rateLinkForm(w http.ResponseWriter, r *http.Request) {
	m, err := s.Ratings.MomentByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.rateForm(w, r, http.StatusOK, rateFormData{Heading: "评价办件 " + m.CaseNo, Action: "/rate/" + r.PathValue("token"), Moment: m}, nil)
}

func (s *Server) rateLink(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	m, err := s.Ratings.MomentByToken(r.Context(), tok)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := rateFormData{Heading: "评价办件 " + m.CaseNo, Action: "/rate/" + tok, Moment: m}
	req, err := rateRequest(r)
	if err == nil {
		d.Done, err = s.Ratings.RateByToken(r.Context(), principal(r), tok, req)
	}
	if err != nil {
		s.rateForm(w, r, 0, d, err)
		return
	}
	s.rateForm(w, r, http.StatusOK, d, nil)
}

// device is the evaluator device a request comes from: the window's tablet
// or a kiosk.
func device(r *http.Request) (ratings.Channel, int64, string) {
	if id := r.PathValue("window_id"); id != "" {
		n, _ := strconv.ParseInt(id, 10, 64)
		return ratings.ChWindow, n, "/rate/window/" + id
	}
	return ratings.ChKiosk, 0, "/rate/kiosk"
}

// knownDevice fails with 404 unless the evaluator's window exists: a
// rating is recorded against its window, so an unknown one must not take it.
func (s *Server) knownDevice(w http.ResponseWriter, r *http.Request) bool {
	ch, win, _ := device(r)
	if ch != ratings.ChWindow {
		return true
	}
	if win <= 0 {
		s.fail(w, r, places.ErrWindowNotFound)
		return false
	}
	if _, err := s.Places.Window(r.Context(), principal(r), win); err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}

type deviceData struct {
	Channel ratings.Channel
	Action  string
}

func (s *Server) rateDeviceStart(w http.ResponseWriter, r *http.Request) {
	if !s.knownDevice(w, r) {
		return
	}
	ch, _, base := device(r)
	s.render(w, r, http.StatusOK, "ratings_device", s.newPage(w, r, ch.Label(), deviceData{Channel: ch, Action: base + "/check"}))
}

func (s *Server) rateDeviceCheck(w http.ResponseWriter, r *http.Request) {
	if !s.knownDevice(w, r) {
		return
	}
	ch, _, base := device(r)
	no, code := strings.TrimSpace(r.PostFormValue("no")), strings.TrimSpace(r.PostFormValue("code"))
	m, err := s.Ratings.RateableWithCode(r.Context(), no, code)
	if err != nil {
		pg := s.newPage(w, r, ch.Label(), deviceData{Channel: ch, Action: base + "/check"})
		if e, ok := errs.As(err); ok && len(e.Fields) == 0 {
			err = errs.Field("no", e.Code, e.Message)
		}
		s.formError(w, r, "ratings_device", pg, err)
		return
	}
	s.rateForm(w, r, http.StatusOK, rateFormData{Heading: "评价办件 " + no, Action: base, Moment: m,
		Hidden: map[string]string{"no": no, "code": code}}, nil)
}

func (s *Server) rateDevice(w http.ResponseWriter, r *http.Request) {
	if !s.knownDevice(w, r) {
		return
	}
	ch, win, base := device(r)
	no, code := strings.TrimSpace(r.PostFormValue("no")), strings.TrimSpace(r.PostFormValue("code"))
	m, err := s.Ratings.RateableWithCode(r.Context(), no, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := rateFormData{Heading: "评价办件 " + no, Action: base, Moment: m, Hidden: map[string]string{"no": no, "code": code}, Again: base}
	req, err := rateRequest(r)
	if err == nil {
		req.Stage = m.Stage
		d.Done, err = s.Ratings.RateWithCode(r.Context(), principal(r), no, code, ch, win, req)
	}
	if err != nil {
		s.rateForm(w, r, 0, d, err)
		return
	}
	s.rateForm(w, r, http.StatusOK, d, nil)
}

func (s *Server) myRatings(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Applicant)
	if !ok {
		return
	}
	mine, err := s.Ratings.MyRatings(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ratings_my", s.newPage(w, r, "我的评价", mine))
}

func (s *Server) myRectRate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Applicant)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrRectNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lv, _ := strconv.Atoi(r.PostFormValue("level"))
	if _, err := s.Ratings.RateRectification(r.Context(), p, id, lv, r.PostFormValue("comment")); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/my/ratings", "已收到您对整改情况的评价")
}

type publicData struct {
	Month  string
	Region string
	Pub    ratings.Published
}

func (s *Server) ratingsPublic(w http.ResponseWriter, r *http.Request) {
	f, month, err := s.aggregateFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pub, err := s.Ratings.Publish(r.Context(), f.Region, f.From, f.To)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "好差评结果公开", publicData{Month: month, Region: f.Region, Pub: pub})
	pg.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "ratings_public", pg)
}
