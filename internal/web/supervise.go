package web

import (
	"banhao.dev/banhao/internal/catalog"
	"net/http"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/supervise"
)

func (s *Server) registerSupervise() {
	if s.Supervise == nil {
		return
	}
	s.page("GET /supervise", s.supervisePage)
	s.page("POST /supervise/findings/{id}/{action}", s.superviseWork)
	s.page("GET /supervise/reports/monthly", s.superviseReportPage)
	s.page("GET /scoreboard", s.scoreboardPage)
	s.api("GET /api/v1/stats/cases", s.apiCaseStats)
	s.api("GET /api/v1/reports/monthly", s.apiMonthlyReport)
	s.api("GET /api/v1/supervise/dashboard", s.apiSuperviseDashboard)
	s.api("GET /api/v1/supervise/findings", s.apiFindings)
	s.api("GET /api/v1/supervise/findings/{id}", s.apiFinding)
	s.api("POST /api/v1/supervise/findings/{id}/actions/{action}", s.apiFindingWork)
	s.api("GET /api/v1/supervise/cards", s.apiCards)
	s.api("POST /api/v1/supervise/fee-charges", s.apiFeeCharge)
	s.api("GET /api/v1/scoreboard", s.apiScoreboard)
	s.nav(40, "电子监察", "/supervise", auth.Supervisor)
	s.nav(25, "晒成绩单", "/scoreboard")
}

type superviseData struct {
	D          supervise.Dashboard
	Stats      supervise.StatsResult
	LightChart any
	RateChart  any
	Kinds      map[string]string
	Today      string
	IsAdmin    bool
	Catalog    *catalog.Metrics // catalog metrics of the same region / department
}

// dashQuery reads the drill-down; a malformed department or window id is
// an error naming the field, not silently the whole region.
func dashQuery(r *http.Request) (supervise.DashQuery, error) {
	q := r.URL.Query()
	org, err := queryID(q, "org")
	if err != nil {
		return supervise.DashQuery{}, err
	}
	win, err := queryID(q, "window")
	if err != nil {
		return supervise.DashQuery{}, err
	}
	return supervise.DashQuery{Region: strings.TrimSpace(q.Get("region")), OrgID: org, WindowID: win}, nil
}

func (s *Server) supervisePage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor, auth.Admin)
	if !ok {
		return
	}
	s.renderDashboard(w, r, p, http.StatusOK, nil)
}

func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, formErr error) {
	q, err := dashQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Supervise.Dashboard(r.Context(), p, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Supervise.CaseStats(r.Context(), p, supervise.StatsQuery{Region: q.Region, OrgID: q.OrgID, GroupBy: "org"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := superviseData{D: d, Stats: st, LightChart: lightChart(d.Lights), RateChart: rateChart(st.Groups),
		Today: clock.Day(s.Clock.Now()), IsAdmin: p.Has(auth.Admin)}
	if s.Catalog != nil {
		m, err := s.Catalog.Metrics(r.Context(), q.Region, q.OrgID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.Catalog = &m
	}
	pg := s.newPage(w, r, "电子监察", data)
	if formErr != nil {
		s.formError(w, r, "supervise_dashboard", pg, formErr)
		return
	}
	s.render(w, r, status, "supervise_dashboard", pg)
}

func (s *Server) superviseWork(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	action := r.PathValue("action")
	_, err := s.Supervise.Work(r.Context(), p, id, action, supervise.WorkRequest{Reason: r.PostFormValue("reason"), Deadline: r.PostFormValue("deadline")})
	if err != nil {
		s.renderDashboard(w, r, p, http.StatusUnprocessableEntity, err)
		return
	}
	msg := map[string]string{supervise.ActConfirm: "已确认该监察发现", supervise.ActDismiss: "已驳回该监察发现", supervise.ActRectify: "已责令整改"}[action]
	redirect(w, r, "/supervise", msg)
}

func (s *Server) superviseReportPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor, auth.Admin)
	if !ok {
		return
	}
	month := r.URL.Query().Get("month")
	if month == "" {
		month = clock.Day(s.Clock.Now())[:7]
	}
	rep, err := s.Supervise.MonthlyReport(r.Context(), p, month, r.URL.Query().Get("region"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "supervise_report", s.newPage(w, r, month+" 月度通报", rep))
}

type scoreboardData struct {
	Month string
	Rows  []supervise.ScoreRow
	Chart any
}

func (s *Server) scoreboardPage(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = clock.Day(s.Clock.Now())[:7]
	}
	rows, err := s.Supervise.Scoreboard(r.Context(), month, r.URL.Query().Get("region"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "scoreboard", s.newPage(w, r, "晒成绩单 "+month, scoreboardData{Month: month, Rows: rows, Chart: scoreChart(rows)}))
}
