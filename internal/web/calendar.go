package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/errs"
)

func (s *Server) registerCalendar() {
	s.page("GET /calendar", s.calendarQuery)
	s.page("GET /admin/calendar", s.calendarAdmin)
	s.page("POST /admin/calendar/days", s.calendarSetDay)
	s.page("POST /admin/calendar/days/{date}/delete", s.calendarDeleteDay)
	s.page("POST /admin/calendar/import", s.calendarImport)
	s.page("POST /admin/calendar/years/{year}/loaded", s.calendarMarkLoaded)
	s.api("GET /api/v1/calendar/add-working-days", s.apiAddWorkingDays)
	s.api("GET /api/v1/calendar/deadline", s.apiDeadline)
	s.api("GET /api/v1/calendar/years", s.apiCalendarYears)
	s.api("GET /api/v1/calendar/years/{year}", s.apiCalendarYear)
	s.api("POST /api/v1/calendar/years/{year}/loaded", s.apiCalendarMarkLoaded)
	s.api("PUT /api/v1/calendar/days/{date}", s.apiCalendarSetDay)
	s.api("DELETE /api/v1/calendar/days/{date}", s.apiCalendarDeleteDay)
	s.api("POST /api/v1/calendar/import", s.apiCalendarImport)
	// Registered last: {date} would otherwise shadow nothing, but keep the
	// literal routes above for readability.
	s.api("GET /api/v1/calendar/{date}", s.apiCalendarDay)
	s.nav(10, "工作日查询", "/calendar")
	s.nav(70, "工作日历", "/admin/calendar", auth.Admin)
}

// dayInfo is the JSON answer of GET /api/v1/calendar/{date}.
type dayInfo struct {
	Date    calendar.Date `json:"date"`
	Working bool          `json:"working"`
	Name    *string       `json:"name"`
	Weekday string        `json:"weekday"`
}

func (s *Server) dayInfo(ctx context.Context, raw string) (dayInfo, error) {
	d, err := calendar.ParseDate(raw)
	if err != nil {
		return dayInfo{}, errs.E(errs.Invalid, "date_invalid", "日期格式不正确，应为 YYYY-MM-DD，如 2026-10-01").OnField("date")
	}
	working, name, err := s.Calendar.IsWorking(ctx, d)
	if err != nil {
		return dayInfo{}, err
	}
	info := dayInfo{Date: d, Working: working, Weekday: d.WeekdayName()}
	if name != "" {
		info.Name = &name
	}
	return info, nil
}

func (s *Server) addWorkingDays(ctx context.Context, from, days string) (calendar.Date, int, error) {
	var fe errs.Fields
	d, err := calendar.ParseDate(from)
	if err != nil {
		fe.Add("from", "起算日期格式不正确，应为 YYYY-MM-DD")
	}
	n, err := strconv.Atoi(strings.TrimSpace(days))
	if err != nil || n < 0 || n > 3650 {
		fe.Add("days", "工作日天数应为 0–3650 的整数")
	}
	if err := fe.Err(); err != nil {
		return calendar.Date{}, 0, err
	}
	out, err := s.Calendar.AddWorkingDays(ctx, d, n)
	return out, n, err
}

func (s *Server) apiCalendarDay(w http.ResponseWriter, r *http.Request) {
	info, err := s.dayInfo(r.Context(), r.PathValue("date"))
	s.reply(w, r, http.StatusOK, info, err)
}

func (s *Server) apiAddWorkingDays(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, _, err := s.addWorkingDays(r.Context(), q.Get("from"), q.Get("days"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]calendar.Date{"date": d})
}

// apiDeadline computes "N working days from start" with its derivation, the
// same computation cases use for promised and legal deadlines.
func (s *Server) apiDeadline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var fe errs.Fields
	start, err := time.Parse(time.RFC3339, q.Get("start"))
	if err != nil {
		fe.Add("start", "受理时间应为 RFC 3339 格式，如 2026-02-13T10:00:00+08:00")
	}
	n, err := strconv.Atoi(q.Get("days"))
	if err != nil || n < 0 || n > 3650 {
		fe.Add("days", "工作日天数应为 0–3650 的整数")
	}
	if err := fe.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	dl, err := s.Calendar.Deadline(r.Context(), start, n, nil)
	s.reply(w, r, http.StatusOK, map[string]any{"date": dl.Date, "at": dl.At, "derivation": dl.Derivation, "steps": dl.Derivation.Steps()}, err)
}

type calendarQueryData struct {
	Info     *dayInfo
	Added    *calendar.Date
	Deadline *calendar.Deadline
	Days     int
}

// calendarQuery is the public 工作日查询 page: is a date a working day, and
// what is the N-th working day after a date (with how it was counted).
func (s *Server) calendarQuery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pg := s.newPage(w, r, "工作日查询", nil)
	pg.Form = q
	data := calendarQueryData{}
	var err error
	if q.Get("date") != "" {
		var info dayInfo
		if info, err = s.dayInfo(r.Context(), q.Get("date")); err == nil {
			data.Info = &info
		}
	}
	if err == nil && q.Get("from") != "" {
		var d calendar.Date
		var n int
		if d, n, err = s.addWorkingDays(r.Context(), q.Get("from"), q.Get("days")); err == nil {
			data.Added, data.Days = &d, n
			from, _ := calendar.ParseDate(q.Get("from"))
			dl, derr := s.Calendar.Deadline(r.Context(), from.Start().Add(9*time.Hour), n, nil)
			if derr == nil {
				data.Deadline = &dl
			}
		}
	}
	pg.Data = data
	if err != nil {
		e, ok := errs.As(err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		pg.Error = e.Message
		pg.Errors = map[string]string{}
		for _, f := range e.Fields {
			pg.Errors[f.Field] = f.Message
		}
		s.render(w, r, e.Kind.Status(), "calendar", pg)
		return
	}
	s.render(w, r, http.StatusOK, "calendar", pg)
}

type calendarAdminData struct {
	Years       []calendar.Year
	Year        int
	Days        []calendar.Day
	MissingNext bool
	NextYear    int
}

func (s *Server) calendarAdminPage(w http.ResponseWriter, r *http.Request, year int) (*Page, error) {
	ctx := r.Context()
	years, err := s.Calendar.Years(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	if year == 0 {
		year = calendar.DateOf(now).Year
	}
	days, err := s.Calendar.ListYear(ctx, year)
	if err != nil {
		return nil, err
	}
	missing, err := s.Calendar.MissingNextYear(ctx, now)
	if err != nil {
		return nil, err
	}
	return s.newPage(w, r, "工作日历", calendarAdminData{Years: years, Year: year, Days: days, MissingNext: missing, NextYear: calendar.DateOf(now).Year + 1}), nil
}

func (s *Server) calendarAdmin(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	pg, err := s.calendarAdminPage(w, r, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_calendar", pg)
}

// calendarFormDone redirects back to the year edited, or re-renders with the error.
func (s *Server) calendarFormDone(w http.ResponseWriter, r *http.Request, year int, err error, msg string) {
	if err == nil {
		redirect(w, r, fmt.Sprintf("/admin/calendar?year=%d", year), msg)
		return
	}
	pg, perr := s.calendarAdminPage(w, r, year)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.formError(w, r, "admin_calendar", pg, err)
}

func (s *Server) calendarSetDay(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	d, err := calendar.ParseDate(r.PostFormValue("date"))
	if err != nil {
		s.calendarFormDone(w, r, 0, errs.Field("date", "date_invalid", "日期格式不正确，应为 YYYY-MM-DD"), "")
		return
	}
	err = s.Calendar.SetDay(r.Context(), p.Actor(auth.Admin), d, r.PostFormValue("kind"), r.PostFormValue("name"))
	s.calendarFormDone(w, r, d.Year, err, "已保存 "+d.String())
}

func (s *Server) calendarDeleteDay(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		s.fail(w, r, calendar.ErrDateInvalid)
		return
	}
	err = s.Calendar.DeleteDay(r.Context(), p.Actor(auth.Admin), d)
	s.calendarFormDone(w, r, d.Year, err, "已删除 "+d.String()+" 的安排，恢复为按星期计算")
}

func (s *Server) calendarMarkLoaded(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	year, _ := strconv.Atoi(r.PathValue("year"))
	err := s.Calendar.MarkYearLoaded(r.Context(), p.Actor(auth.Admin), year, r.PostFormValue("source"))
	s.calendarFormDone(w, r, year, err, fmt.Sprintf("%d 年日历已启用", year))
}

// importFormat picks the file format from an explicit value or the file name.
func importFormat(explicit, name, ctype string) string {
	switch strings.ToLower(explicit) {
	case calendar.FormatJSON, calendar.FormatCSV:
		return strings.ToLower(explicit)
	}
	if strings.EqualFold(path.Ext(name), ".csv") || strings.HasPrefix(ctype, "text/csv") {
		return calendar.FormatCSV
	}
	return calendar.FormatJSON
}

func (s *Server) calendarImport(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Admin)
	if !ok {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.calendarFormDone(w, r, 0, errs.Field("file", "file_missing", "请选择要导入的 JSON 或 CSV 文件"), "")
		return
	}
	defer f.Close()
	res, err := s.Calendar.Import(r.Context(), p.Actor(auth.Admin), io.LimitReader(f, calendar.MaxImportBytes+1), importFormat(r.PostFormValue("format"), hdr.Filename, ""))
	s.calendarFormDone(w, r, res.Year, err, fmt.Sprintf("已导入 %d 年日历，共 %d 条安排", res.Year, res.Days))
}

func (s *Server) apiCalendarYears(w http.ResponseWriter, r *http.Request) {
	years, err := s.Calendar.Years(r.Context())
	s.reply(w, r, http.StatusOK, listOf(years), err)
}

func (s *Server) apiCalendarYear(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1900 || year > 2200 {
		s.fail(w, r, errs.Field("year", "year_invalid", "年份不正确"))
		return
	}
	days, err := s.Calendar.ListYear(r.Context(), year)
	s.reply(w, r, http.StatusOK, listOf(days), err)
}

func (s *Server) apiCalendarSetDay(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p, auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		s.fail(w, r, errs.Field("date", "date_invalid", "日期格式不正确，应为 YYYY-MM-DD"))
		return
	}
	var req struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decode(r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Calendar.SetDay(r.Context(), p.Actor(auth.Admin), d, req.Kind, req.Name); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, calendar.Day{Date: d, Kind: req.Kind, Name: strings.TrimSpace(req.Name)})
}

func (s *Server) apiCalendarDeleteDay(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p, auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		s.fail(w, r, errs.Field("date", "date_invalid", "日期格式不正确，应为 YYYY-MM-DD"))
		return
	}
	if err := s.Calendar.DeleteDay(r.Context(), p.Actor(auth.Admin), d); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiCalendarMarkLoaded(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p, auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		s.fail(w, r, errs.Field("year", "year_invalid", "年份不正确"))
		return
	}
	var req struct {
		Source string `json:"source"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.Calendar.MarkYearLoaded(r.Context(), p.Actor(auth.Admin), year, req.Source); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"year": year})
}

// apiCalendarImport takes the schedule file as the request body: JSON
// (application/json) or CSV (text/csv, or ?format=csv).
func (s *Server) apiCalendarImport(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p, auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	format := importFormat(r.URL.Query().Get("format"), "", r.Header.Get("Content-Type"))
	res, err := s.Calendar.Import(r.Context(), p.Actor(auth.Admin), io.LimitReader(r.Body, calendar.MaxImportBytes+1), format)
	s.reply(w, r, http.StatusOK, map[string]int{"year": res.Year, "days": res.Days, "replaced": res.Replaced}, err)
}
