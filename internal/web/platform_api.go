package web

import (
	"encoding/json"
	"net/http"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/jobs"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

// The platform packages' types carry no JSON tags (they are storage
// types); these are their API shapes, documented in openapi/platform.json.

type notificationJSON struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link,omitempty"`
	Read      bool       `json:"read"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

func toNotificationJSON(n notify.Notification) notificationJSON {
	out := notificationJSON{ID: n.ID, Title: n.Title, Body: n.Body, Link: n.Link, Read: n.Read(), CreatedAt: n.CreatedAt}
	out.ReadAt = optTime(n.ReadAt)
	return out
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

type devMessageJSON struct {
	ID        int64     `json:"id"`
	Channel   string    `json:"channel"`
	Recipient string    `json:"recipient"`
	Subject   string    `json:"subject,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type outboxEntryJSON struct {
	ID          int64           `json:"id"`
	Topic       string          `json:"topic"`
	Payload     json.RawMessage `json:"payload"`
	Status      outbox.Status   `json:"status"`
	StatusLabel string          `json:"status_label"`
	Attempts    int             `json:"attempts"`
	LastError   string          `json:"last_error,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	AvailableAt time.Time       `json:"available_at"`
	DeliveredAt *time.Time      `json:"delivered_at,omitempty"`
}

type outboxCountsJSON struct {
	Pending   int `json:"pending"`
	Retrying  int `json:"retrying"`
	Delivered int `json:"delivered"`
	Dead      int `json:"dead"`
}

type jobJSON struct {
	Name           string     `json:"name"`
	EverySeconds   float64    `json:"every_seconds"`
	Holder         string     `json:"holder,omitempty"`
	Running        bool       `json:"running"`
	LeaseUntil     *time.Time `json:"lease_until,omitempty"`
	LastStartedAt  *time.Time `json:"last_started_at,omitempty"`
	LastFinishedAt *time.Time `json:"last_finished_at,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
}

func toJobJSON(j jobs.Status) jobJSON {
	return jobJSON{Name: j.Name, EverySeconds: j.Every.Seconds(), Holder: j.Holder, Running: j.Running,
		LeaseUntil: optTime(j.LeaseUntil), LastStartedAt: optTime(j.LastStartedAt), LastFinishedAt: optTime(j.LastFinishedAt),
		LastError: j.LastError}
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	ns, err := s.myNotifications(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	resp := struct {
		list[notificationJSON]
		Unread int `json:"unread"`
	}{}
	items := make([]notificationJSON, 0, len(ns))
	for _, n := range ns {
		items = append(items, toNotificationJSON(n))
		if !n.Read() {
			resp.Unread++
		}
	}
	resp.list = listOf(items)
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) apiNotificationRead(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
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
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiNotificationsReadAll(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := auth.Require(p); err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := notify.MarkAllRead(r.Context(), s.DB.W, s.Clock.Now(), p.UserID)
	s.reply(w, r, http.StatusOK, map[string]int{"marked": n}, err)
}

func (s *Server) apiDevMessages(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	ms, err := notify.ListDevMessages(r.Context(), s.DB.R, notificationLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]devMessageJSON, 0, len(ms))
	for _, m := range ms {
		items = append(items, devMessageJSON{ID: m.ID, Channel: m.Channel, Recipient: m.Recipient, Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt})
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

func (s *Server) apiOutbox(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.outboxState(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]outboxEntryJSON, 0, len(d.Items))
	for _, e := range d.Items {
		items = append(items, outboxEntryJSON{ID: e.ID, Topic: e.Topic, Payload: e.Payload, Status: e.Status, StatusLabel: e.Status.Label(),
			Attempts: e.Attempts, LastError: e.LastError, CreatedAt: e.CreatedAt, AvailableAt: e.AvailableAt, DeliveredAt: optTime(e.DeliveredAt)})
	}
	c := d.Counts
	writeJSON(w, http.StatusOK, struct {
		list[outboxEntryJSON]
		Counts outboxCountsJSON `json:"counts"`
	}{listOf(items), outboxCountsJSON{Pending: c.Pending, Retrying: c.Retrying, Delivered: c.Delivered, Dead: c.Dead}})
}

func (s *Server) apiOutboxRetry(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
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
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiJobs(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Jobs.Status(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]jobJSON, 0, len(st))
	for _, j := range st {
		items = append(items, toJobJSON(j))
	}
	writeJSON(w, http.StatusOK, listOf(items))
}

// jobRunJSON is the outcome of POST /api/v1/admin/jobs/{name}/run: a job
// that ran and failed is reported here (ok false), not as a problem.
type jobRunJSON struct {
	OK    bool    `json:"ok"`
	Error string  `json:"error,omitempty"`
	Job   jobJSON `json:"job"`
}

func (s *Server) apiJobRun(w http.ResponseWriter, r *http.Request) {
	if err := auth.Require(principal(r), auth.Admin); err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PathValue("name")
	failure, err := s.runJob(r.Context(), name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Jobs.Status(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := jobRunJSON{OK: failure == "", Error: failure}
	for _, j := range st {
		if j.Name == name {
			out.Job = toJobJSON(j)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
