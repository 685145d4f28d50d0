package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

// registerPlatform adds the pages and API of the platform services:
// notifications, the development message sink, the outbox and jobs.
func (s *Server) registerPlatform() {
	s.page("GET /notifications", s.notificationsPage)
	s.page("POST /notifications/read-all", s.notificationsReadAll)
	s.page("POST /notifications/{id}/read", s.notificationRead)
	s.page("GET /admin/messages", s.devMessagesPage)
	s.page("GET /admin/outbox", s.outboxPage)
	s.page("POST /admin/outbox/{id}/retry", s.outboxRetry)
	s.page("GET /admin/jobs", s.jobsPage)
	s.page("POST /admin/jobs/{name}/run", s.jobRun)

	s.api("GET /api/v1/notifications", s.apiNotifications)
	s.api("POST /api/v1/notifications/read-all", s.apiNotificationsReadAll)
	s.api("POST /api/v1/notifications/{id}/read", s.apiNotificationRead)
	s.api("GET /api/v1/admin/dev-messages", s.apiDevMessages)
	s.api("GET /api/v1/admin/outbox", s.apiOutbox)
	s.api("POST /api/v1/admin/outbox/{id}/retry", s.apiOutboxRetry)
	s.api("GET /api/v1/admin/jobs", s.apiJobs)
	s.api("POST /api/v1/admin/jobs/{name}/run", s.apiJobRun)

	s.nav(98, "消息", "/notifications", auth.Roles...)
	s.nav(82, "消息记录", "/admin/messages", auth.Admin)
	s.nav(83, "消息投递", "/admin/outbox", auth.Admin)
	s.nav(84, "后台任务", "/admin/jobs", auth.Admin)
}

// notificationLimit bounds one listing; older notifications stay in the
// database but are not shown.
const notificationLimit = 500

// unreadCount is the number shown next to the user's name in the header.
// A failure must not break every page, so it is logged and shown as none.
func (s *Server) unreadCount(ctx context.Context, p *auth.Principal) int {
	if p == nil || p.UserID == 0 {
		return 0
	}
	n, err := notify.UnreadCount(ctx, s.DB.R, p.UserID)
	if err != nil {
		s.Log.Warn("unread count", "user_id", p.UserID, "err", err)
		return 0
	}
	return n
}

// myNotifications lists the caller's notifications, unread first, each
// group newest first.
func (s *Server) myNotifications(ctx context.Context, p *auth.Principal) ([]notify.Notification, error) {
	ns, err := notify.ListForUser(ctx, s.DB.R, p.UserID, notificationLimit)
	if err != nil {
		return nil, err
	}
	// ListForUser is newest first; a stable sort keeps that order within
	// the unread and read groups.
	slices.SortStableFunc(ns, func(a, b notify.Notification) int {
		switch {
		case !a.Read() && b.Read():
			return -1
		case a.Read() && !b.Read():
			return 1
		}
		return 0
	})
	return ns, nil
}

// pathID parses the {id} wildcard; a malformed id is reported as nf, so
// probing with junk learns nothing more than probing with a wrong number.
func pathID(r *http.Request, nf error) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, nf
	}
	return id, nil
}

type notificationsData struct {
	Items  []notify.Notification
	Unread int
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	ns, err := s.myNotifications(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := notificationsData{Items: ns}
	for _, n := range ns {
		if !n.Read() {
			d.Unread++
		}
	}
	s.render(w, r, http.StatusOK, "notifications", s.newPage(w, r, "消息", d))
}

func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, notify.ErrNotFound)
	if err == nil {
		err = notify.MarkRead(r.Context(), s.DB.W, s.Clock.Now(), p.UserID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/notifications", "已标记为已读")
}

func (s *Server) notificationsReadAll(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requirePage(w, r)
	if !ok {
		return
	}
	n, err := notify.MarkAllRead(r.Context(), s.DB.W, s.Clock.Now(), p.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/notifications", "已将 "+strconv.Itoa(n)+" 条消息标记为已读")
}

func (s *Server) devMessagesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	ms, err := notify.ListDevMessages(r.Context(), s.DB.R, notificationLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_messages", s.newPage(w, r, "消息记录（开发替身）", ms))
}

// outboxStatuses are the filters of the outbox page, in display order.
var outboxStatuses = []outbox.Status{outbox.StatusPending, outbox.StatusRetrying, outbox.StatusDelivered, outbox.StatusDead}

// ErrOutboxStatus rejects an unknown status filter.
var ErrOutboxStatus = errs.Field("status", "outbox_status", "状态只能是 pending、retrying、delivered 或 dead")

func parseOutboxStatus(v string) (outbox.Status, error) {
	st := outbox.Status(v)
	if st != "" && !slices.Contains(outboxStatuses, st) {
		return "", ErrOutboxStatus
	}
	return st, nil
}

type outboxData struct {
	Counts  outbox.Counts
	Status  outbox.Status
	Filters []outboxFilter
	Items   []outbox.Entry
}

// outboxFilter is one status tab of the outbox page.
type outboxFilter struct {
	Label, Href string
	Count       int
	Current     bool
}

func outboxFilters(c outbox.Counts, cur outbox.Status) []outboxFilter {
	all := c.Pending + c.Retrying + c.Delivered + c.Dead
	fs := []outboxFilter{{Label: "全部", Href: "/admin/outbox", Count: all, Current: cur == ""}}
	n := map[outbox.Status]int{outbox.StatusPending: c.Pending, outbox.StatusRetrying: c.Retrying,
		outbox.StatusDelivered: c.Delivered, outbox.StatusDead: c.Dead}
	for _, st := range outboxStatuses {
		fs = append(fs, outboxFilter{Label: st.Label(), Href: "/admin/outbox?status=" + url.QueryEscape(string(st)), Count: n[st], Current: cur == st})
	}
	return fs
}

func (s *Server) outboxState(ctx context.Context, status string) (outboxData, error) {
	st, err := parseOutboxStatus(status)
	if err != nil {
		return outboxData{}, err
	}
	counts, err := outbox.Pending(ctx, s.DB.R)
	if err != nil {
		return outboxData{}, err
	}
	items, err := outbox.List(ctx, s.DB.R, st, 200)
	if err != nil {
		return outboxData{}, err
	}
	return outboxData{Counts: counts, Status: st, Filters: outboxFilters(counts, st), Items: items}, nil
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	d, err := s.outboxState(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_outbox", s.newPage(w, r, "消息投递", d))
}

// ErrOutboxNotFound is reported for a malformed or unknown outbox id.
var ErrOutboxNotFound = outbox.ErrNotFound

func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	id, err := pathID(r, ErrOutboxNotFound)
	if err == nil {
		err = outbox.Retry(r.Context(), s.DB.W, s.Clock.Now(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/outbox", "消息 "+strconv.FormatInt(id, 10)+" 已重新排队投递")
}

func (s *Server) jobsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	st, err := s.Jobs.Status(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_jobs", s.newPage(w, r, "后台任务", st))
}

// runJob runs a job once. A job that ran and failed is not an error of the
// request: its message is returned in failure and recorded on the job.
func (s *Server) runJob(ctx context.Context, name string) (failure string, err error) {
	err = s.Jobs.RunOnce(ctx, name)
	if err == nil {
		return "", nil
	}
	if _, ok := errs.As(err); ok {
		return "", err // unknown job, already running, or a coded business error
	}
	return err.Error(), nil
}

func (s *Server) jobRun(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requirePage(w, r, auth.Admin); !ok {
		return
	}
	name := r.PathValue("name")
	failure, err := s.runJob(r.Context(), name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "任务 " + name + " 已运行完成"
	if failure != "" {
		msg = "任务 " + name + " 运行失败：" + failure
	}
	redirect(w, r, "/admin/jobs", msg)
}
