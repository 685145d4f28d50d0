package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/reform"
)

// Reform tasks (督办任务): list, create/edit, task page with progress
// reports and completion, reminder letters and the monthly report.
func (s *Server) registerReform() {
	s.page("GET /reform", s.reformList)
	s.page("GET /reform/tasks/new", s.reformNew)
	s.page("POST /reform/tasks", s.reformCreate)
	s.page("GET /reform/tasks/{id}", s.reformTask)
	s.page("GET /reform/tasks/{id}/edit", s.reformEdit)
	s.page("POST /reform/tasks/{id}", s.reformUpdate)
	s.page("POST /reform/tasks/{id}/progress", s.reformProgress)
	s.page("POST /reform/tasks/{id}/complete", s.reformComplete)
	s.page("GET /reform/tasks/{id}/files/{hash}", s.reformFile)
	s.page("GET /reform/letters", s.reformLetters)
	s.page("GET /reform/letters/{id}", s.reformLetter)
	s.page("GET /reform/reports/monthly", s.reformReport)
	s.registerReformAPI()
	s.nav(42, "督办任务", "/reform", auth.Supervisor, auth.Approver)
}

type reformListData struct {
	Tasks      []reform.Task
	Orgs       []reform.Unit
	Statuses   []reform.Status
	Supervisor bool
}

type reformFormData struct {
	Task reform.Task
	Orgs []reform.Unit
}

type reformTaskData struct {
	Task      reform.Task
	CanReport bool
	CanManage bool
}

func reformID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

func (s *Server) reformList(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.StaffRoles...)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := reform.Filter{Status: reform.Status(q.Get("status")), Month: strings.TrimSpace(q.Get("month"))}
	f.OrgID, _ = strconv.ParseInt(q.Get("org_id"), 10, 64)
	orgs, err := s.Reform.Orgs(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := reformListData{Orgs: orgs, Statuses: reform.Statuses, Supervisor: p.Has(auth.Supervisor)}
	pg := s.newPage(w, r, "督办任务", &data)
	pg.Form = q
	data.Tasks, err = s.Reform.List(r.Context(), p, f)
	if e, isErr := errs.As(err); isErr && e.Kind == errs.Invalid {
		pg.Error = e.Message
		s.render(w, r, http.StatusUnprocessableEntity, "reform_list", pg)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reform_list", pg)
}

func (s *Server) reformFormPage(w http.ResponseWriter, r *http.Request, p *auth.Principal, title string, t reform.Task) (*Page, bool) {
	orgs, err := s.Reform.Orgs(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return s.newPage(w, r, title, reformFormData{Task: t, Orgs: orgs}), true
}

func (s *Server) reformNew(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	if pg, ok := s.reformFormPage(w, r, p, "新建督办任务", reform.Task{}); ok {
		s.render(w, r, http.StatusOK, "reform_form", pg)
	}
}

// taskInputFromForm reads the task form.
func taskInputFromForm(r *http.Request) (reform.TaskInput, error) {
	in := reform.TaskInput{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		SourceDoc: r.PostFormValue("source_doc"), StartDate: r.PostFormValue("start_date"), Deadline: r.PostFormValue("deadline")}
	lead, err := formInt(r, "lead_org_id")
	if err != nil {
		return in, err
	}
	in.LeadOrgID = lead
	for _, v := range r.PostForm["responsible_org_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return in, errs.Field("responsible_org_ids", "bad_number", "责任单位编号不正确")
		}
		in.UnitIDs = append(in.UnitIDs, id)
	}
	return in, nil
}

func (s *Server) reformCreate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	pg, ok := s.reformFormPage(w, r, p, "新建督办任务", reform.Task{})
	if !ok {
		return
	}
	in, err := taskInputFromForm(r)
	if err != nil {
		s.formError(w, r, "reform_form", pg, err)
		return
	}
	t, err := s.Reform.Create(r.Context(), p, in)
	if err != nil {
		s.formError(w, r, "reform_form", pg, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/reform/tasks/%d", t.ID), "督办任务已创建")
}

func (s *Server) reformTaskPage(w http.ResponseWriter, r *http.Request, p *auth.Principal) (*Page, bool) {
	t, err := s.Reform.Get(r.Context(), p, reformID(r))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	data := reformTaskData{Task: t, CanReport: reform.CanReport(p, &t) && t.Status != reform.Done,
		CanManage: reform.IsSupervisor(p, t.RegionCode)}
	return s.newPage(w, r, t.Title, data), true
}

func (s *Server) reformTask(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	if pg, ok := s.reformTaskPage(w, r, p); ok {
		s.render(w, r, http.StatusOK, "reform_task", pg)
	}
}

func (s *Server) reformEdit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	t, err := s.Reform.Get(r.Context(), p, reformID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg, ok := s.reformFormPage(w, r, p, "编辑督办任务", t)
	if !ok {
		return
	}
	pg.Form = url.Values{"title": {t.Title}, "description": {t.Description}, "source_doc": {t.SourceDoc},
		"lead_org_id": {idStr(t.Lead.ID)}, "start_date": {t.StartDate.String()}, "deadline": {t.Deadline.String()}}
	for _, u := range t.Units {
		pg.Form.Add("responsible_org_ids", idStr(u.ID))
	}
	s.render(w, r, http.StatusOK, "reform_form", pg)
}

func (s *Server) reformUpdate(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	id := reformID(r)
	pg, ok := s.reformFormPage(w, r, p, "编辑督办任务", reform.Task{ID: id})
	if !ok {
		return
	}
	in, err := taskInputFromForm(r)
	if err != nil {
		s.formError(w, r, "reform_form", pg, err)
		return
	}
	if _, err := s.Reform.Update(r.Context(), p, id, in, r.PostFormValue("reason")); err != nil {
		s.formError(w, r, "reform_form", pg, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/reform/tasks/%d", id), "已保存")
}

// reformProgress records a progress report, with an optional attachment
// stored in the blob store.
func (s *Server) reformProgress(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	id := reformID(r)
	in := reform.ProgressInput{Text: r.PostFormValue("text")}
	if v := strings.TrimSpace(r.PostFormValue("percent")); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			in.Percent = &n
		} else {
			bad := -1
			in.Percent = &bad
		}
	}
	if file, hdr, err := r.FormFile("attachment"); err == nil {
		ref, err := s.Blobs.Put(r.Context(), io.LimitReader(file, int64(s.Config.MaxUploadMB)<<20+1), hdr.Filename)
		file.Close()
		if err != nil {
			s.reformTaskError(w, r, p, err)
			return
		}
		in.Attachments = []reform.Attachment{{Name: hdr.Filename, Hash: ref.Hash}}
	}
	if _, err := s.Reform.AddProgress(r.Context(), p, id, in); err != nil {
		s.reformTaskError(w, r, p, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/reform/tasks/%d", id), "进展已报送")
}

// reformTaskError re-renders the task page with the form's error.
func (s *Server) reformTaskError(w http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
	if e, ok := errs.As(err); !ok || e.Kind != errs.Invalid {
		s.fail(w, r, err)
		return
	}
	if pg, ok := s.reformTaskPage(w, r, p); ok {
		s.formError(w, r, "reform_task", pg, err)
	}
}

func (s *Server) reformComplete(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r, auth.Supervisor)
	if !ok {
		return
	}
	id := reformID(r)
	in := reform.CompleteInput{Evidence: r.PostFormValue("evidence"), CompletedOn: r.PostFormValue("completed_on")}
	if _, err := s.Reform.Complete(r.Context(), p, id, in); err != nil {
		s.reformTaskError(w, r, p, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/reform/tasks/%d", id), "任务已标记为完成")
}

// reformFile serves an attachment of a progress report to those who may
// see the task.
func (s *Server) reformFile(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	t, err := s.Reform.Get(r.Context(), p, reformID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hash := r.PathValue("hash")
	name := ""
	for _, pr := range t.Progress {
		for _, a := range pr.Attachments {
			if a.Hash == hash {
				name = a.Name
			}
		}
	}
	if name == "" {
		s.fail(w, r, errs.E(errs.NotFound, "attachment_not_found", "附件不存在"))
		return
	}
	rc, ref, err := s.Blobs.Open(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", ref.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = io.Copy(w, rc)
}

// cnDate formats a date the way official documents do: 2026年6月1日.
func cnDate(d calendar.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// cnMonth formats "2026-06" as 2026年6月.
func cnMonth(m string) string {
	d, err := reform.ParseMonth(m)
	if err != nil {
		return m
	}
	return fmt.Sprintf("%d年%d月", d.Year, int(d.Month))
}
