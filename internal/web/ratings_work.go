package web

import (
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/ratings"
)

func (s *Server) registerRectificationPages() {
	s.page("GET /rectifications", s.rectList)
	s.page("GET /rectifications/{id}", s.rectPage)
	s.page("POST /rectifications/{id}/actions/{action}", s.rectAct)
	s.page("POST /ratings/{id}/appeal", s.appealFile)
	s.page("GET /appeals", s.appealList)
	s.page("POST /appeals/{id}/decide", s.appealDecide)
}

func (s *Server) rectList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, deptRoles...)
	if !ok {
		return
	}
	list, err := s.Ratings.Rectifications(r.Context(), p, ratings.RectFilter{Status: r.URL.Query().Get("status")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := s.newPage(w, r, "差评整改", list)
	pg.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "ratings_rectifications", pg)
}

type rectPageData struct {
	X       *ratings.Rectification
	Appeals []ratings.Appeal
}

func (s *Server) rectPageData(r *http.Request, p *auth.Principal, id int64) (rectPageData, error) {
	x, err := s.Ratings.Rectification(r.Context(), p, id)
	if err != nil {
		return rectPageData{}, err
	}
	d := rectPageData{X: x}
	if full, err := s.Ratings.Get(r.Context(), p, x.RatingID); err == nil {
		d.Appeals = full.Appeals
	}
	return d, nil
}

func (s *Server) rectPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, deptRoles...)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrRectNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.rectPageData(r, p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ratings_rectification", s.newPage(w, r, "差评整改 #"+strconv.FormatInt(id, 10), d))
}

func (s *Server) rectAct(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, deptRoles...)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrRectNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req := ratings.RectAction{Note: r.PostFormValue("note"), Record: r.PostFormValue("record"), Verified: r.PostFormValue("verified") == "1",
		Due: r.PostFormValue("due")}
	if _, err := s.Ratings.Act(r.Context(), p, id, r.PathValue("action"), req); err != nil {
		d, derr := s.rectPageData(r, p, id)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "ratings_rectification", s.newPage(w, r, "差评整改 #"+strconv.FormatInt(id, 10), d), err)
		return
	}
	redirect(w, r, "/rectifications/"+strconv.FormatInt(id, 10), "已保存")
}

func (s *Server) appealFile(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, deptRoles...)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("next"))
	if back == "" {
		back = "/appeals"
	}
	if _, err := s.Ratings.FileAppeal(r.Context(), p, id, ratings.AppealRequest{Reasons: r.PostFormValue("reasons")}); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, back, "申诉已提交，等待监督人员审核")
}

func (s *Server) appealList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, deptRoles...)
	if !ok {
		return
	}
	list, err := s.Ratings.Appeals(r.Context(), p, r.URL.Query().Get("status"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ratings_appeals", s.newPage(w, r, "评价申诉", list))
}

func (s *Server) appealDecide(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrAppealNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req := ratings.DecideRequest{Uphold: r.PostFormValue("uphold") == "1", Note: r.PostFormValue("note")}
	if _, err := s.Ratings.DecideAppeal(r.Context(), p, id, req); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/appeals", "已审核")
}

func (s *Server) registerComplaintPages() {
	s.page("GET /complaints/new", s.complaintNew)
	s.page("POST /complaints/new", s.complaintCreate)
	s.page("GET /complaints", s.complaintList)
	s.page("GET /complaints/{id}", s.complaintPage)
	s.page("POST /complaints/{id}/actions/{action}", s.complaintAct)
}

func (s *Server) complaintNew(w http.ResponseWriter, r *http.Request) {
	pg := s.newPage(w, r, "投诉与“办不成事”反映", nil)
	pg.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "ratings_complaint_form", pg)
}

func (s *Server) complaintCreate(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	pg := s.newPage(w, r, "投诉与“办不成事”反映", nil)
	win, err1 := formInt(r, "window_id")
	staff, err2 := formInt(r, "staff_id")
	if err := firstErr(err1, err2); err != nil {
		s.formError(w, r, "ratings_complaint_form", pg, err)
		return
	}
	req := ratings.ComplaintRequest{Kind: r.PostFormValue("kind"), Subject: r.PostFormValue("subject"), CaseNo: r.PostFormValue("case_no"),
		ItemCode: r.PostFormValue("item_code"), WindowID: win, StaffID: staff, Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"),
		Content: r.PostFormValue("content"), Channel: r.PostFormValue("channel")}
	c, err := s.Ratings.FileComplaint(r.Context(), p, req)
	if err != nil {
		s.formError(w, r, "ratings_complaint_form", pg, err)
		return
	}
	msg := "已受理，编号 " + strconv.FormatInt(c.ID, 10) + "，将于 " + c.DueAt.In(clock.Shanghai).Format("2006-01-02") + " 前答复并回访"
	if p != nil {
		redirect(w, r, "/complaints/"+strconv.FormatInt(c.ID, 10), msg)
		return
	}
	redirect(w, r, "/complaints/new", msg)
}

func (s *Server) complaintList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	list, err := s.Ratings.Complaints(r.Context(), p, r.URL.Query().Get("status"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ratings_complaints", s.newPage(w, r, "投诉与反映", list))
}

func (s *Server) complaintPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrComplaintNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Ratings.Complaint(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ratings_complaint", s.newPage(w, r, "投诉 #"+strconv.FormatInt(id, 10), c))
}

func (s *Server) complaintAct(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, ratings.ErrComplaintNotFound)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lv, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("level")))
	req := ratings.ComplaintAction{Note: r.PostFormValue("note"), Level: lv, Comment: r.PostFormValue("comment")}
	if _, err := s.Ratings.ActOnComplaint(r.Context(), p, id, r.PathValue("action"), req); err != nil {
		c, cerr := s.Ratings.Complaint(r.Context(), p, id)
		if cerr != nil {
			s.fail(w, r, err)
			return
		}
		s.formError(w, r, "ratings_complaint", s.newPage(w, r, "投诉 #"+strconv.FormatInt(id, 10), c), err)
		return
	}
	redirect(w, r, "/complaints/"+strconv.FormatInt(id, 10), "已保存")
}
