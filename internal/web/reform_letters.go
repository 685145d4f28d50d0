package web

import (
	"fmt"
	"net/http"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/reform"
)

type reformLetterItem struct {
	reform.LetterItem
	DeadlineCN string
}

type reformLetterData struct {
	Letter   reform.Letter
	Items    []reformLetterItem
	IssuedCN string
	MonthCN  string
}

func (s *Server) reformLetters(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.StaffRoles...)
	if !ok {
		return
	}
	month := strings.TrimSpace(r.URL.Query().Get("month"))
	letters, err := s.Reform.Letters(r.Context(), p, month)
	pg := s.newPage(w, r, "温馨提示函", letters)
	pg.Form = r.URL.Query()
	if e, isErr := errs.As(err); isErr && e.Kind == errs.Invalid {
		pg.Error = e.Message
		s.render(w, r, http.StatusUnprocessableEntity, "reform_letters", pg)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reform_letters", pg)
}

func (s *Server) reformLetter(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	l, err := s.Reform.Letter(r.Context(), p, reformID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := reformLetterData{Letter: l, IssuedCN: cnDate(l.IssuedOn), MonthCN: cnMonth(l.Month)}
	for _, it := range l.Items {
		data.Items = append(data.Items, reformLetterItem{LetterItem: it, DeadlineCN: cnDate(it.Deadline)})
	}
	s.render(w, r, http.StatusOK, "reform_letter", s.newPage(w, r, l.Title, data))
}

// reportBar is one bar of the report's completion chart (inline SVG).
type reportBar struct {
	Label       string
	Y, W, TextY int
	Pct         string
}

type reformReportData struct {
	Report  reform.MonthlyReport
	MonthCN string
	AsOfCN  string
	Bars    []reportBar
	Height  int
}

func (s *Server) reformReport(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	rep, err := s.Reform.MonthlyReport(r.Context(), p, strings.TrimSpace(r.URL.Query().Get("month")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := reformReportData{Report: rep, MonthCN: cnMonth(rep.Month), AsOfCN: cnDate(rep.AsOf)}
	const rowH, maxW = 34, 420
	for i, row := range append(rep.Rows, rep.Total) {
		data.Bars = append(data.Bars, reportBar{Label: row.Unit.Name, Y: 10 + i*rowH, TextY: 10 + i*rowH + 17,
			W: int(row.CompletionRate * maxW), Pct: reformPct(row.CompletionRate, row.Due)})
	}
	data.Height = 20 + len(data.Bars)*rowH
	s.render(w, r, http.StatusOK, "reform_report", s.newPage(w, r, data.MonthCN+"改革任务完成情况通报", data))
}

func reformPct(rate float64, due int) string {
	if due == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", rate*100)
}
