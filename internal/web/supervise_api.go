package web

import (
	"net/http"
	"strconv"

	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/supervise"
)

func (s *Server) apiCaseStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	org, err1 := queryID(r.URL.Query(), "org")
	win, err2 := queryID(r.URL.Query(), "window")
	if err := firstErr(err1, err2); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Supervise.CaseStats(r.Context(), principal(r), supervise.StatsQuery{Region: q.Get("region"), OrgID: org, WindowID: win,
		Item: q.Get("item"), From: q.Get("from"), To: q.Get("to"), GroupBy: q.Get("group_by")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiMonthlyReport(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		s.fail(w, r, supervise.ErrMonth.OnField("month"))
		return
	}
	rep, err := s.Supervise.MonthlyReport(r.Context(), principal(r), month, r.URL.Query().Get("region"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="monthly-report-`+month+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := rep.WriteExcel(w); err != nil {
		s.Log.Error("write monthly report", "err", err)
	}
}

func (s *Server) apiSuperviseDashboard(w http.ResponseWriter, r *http.Request) {
	q, err := dashQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Supervise.Dashboard(r.Context(), principal(r), q)
	s.reply(w, r, http.StatusOK, d, err)
}

func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	org, err := queryID(r.URL.Query(), "org")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fs, err := s.Supervise.Findings(r.Context(), principal(r), supervise.FindingFilter{Region: q.Get("region"), Status: q.Get("status"), Kind: q.Get("kind"), OrgID: org})
	s.reply(w, r, http.StatusOK, listOf(fs), err)
}

func (s *Server) apiFinding(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f, err := s.Supervise.Finding(r.Context(), principal(r), id)
	s.reply(w, r, http.StatusOK, f, err)
}

func (s *Server) apiFindingWork(w http.ResponseWriter, r *http.Request) {
	var req supervise.WorkRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f, err := s.Supervise.Work(r.Context(), principal(r), id, r.PathValue("action"), req)
	s.reply(w, r, http.StatusOK, f, err)
}

func (s *Server) apiCards(w http.ResponseWriter, r *http.Request) {
	from := calendar.DateOf(s.Clock.Now()).AddDays(-30).Start()
	if v := r.URL.Query().Get("from"); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			s.fail(w, r, supervise.ErrPeriod.OnField("from"))
			return
		}
		from = d.Start()
	}
	cs, err := s.Supervise.Cards(r.Context(), principal(r), r.URL.Query().Get("region"), clock.Norm(from), 0)
	s.reply(w, r, http.StatusOK, listOf(cs), err)
}

func (s *Server) apiFeeCharge(w http.ResponseWriter, r *http.Request) {
	var fc supervise.FeeCharge
	if err := decode(r, &fc); err != nil {
		s.fail(w, r, err)
		return
	}
	listed, err := s.Supervise.RecordFee(r.Context(), principal(r), fc)
	s.reply(w, r, http.StatusCreated, map[string]any{"case_no": fc.CaseNo, "name": fc.Name, "amount": fc.Amount, "listed": listed}, err)
}

func (s *Server) apiScoreboard(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = clock.Day(s.Clock.Now())[:7]
	}
	rows, err := s.Supervise.Scoreboard(r.Context(), month, r.URL.Query().Get("region"))
	s.reply(w, r, http.StatusOK, map[string]any{"month": month, "items": rows, "total": len(rows)}, err)
}
