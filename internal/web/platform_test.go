package web

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"banhao.dev/banhao/internal/browsertest"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

// mustNotify sends n in its own transaction at the server's business time.
func (e *testEnv) mustNotify(n notify.Notice) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.DB.Tx(ctx, func(tx *sql.Tx) error { return notify.Send(ctx, tx, e.Sim.Now(), n) }); err != nil {
		e.t.Fatalf("notify %q: %v", n.Title, err)
	}
}

// mustNotificationIDs returns the ids of uid's notifications by title.
func (e *testEnv) mustNotificationIDs(uid int64) map[string]int64 {
	e.t.Helper()
	ns, err := notify.ListForUser(context.Background(), e.DB.R, uid, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, n := range ns {
		ids[n.Title] = n.ID
	}
	return ids
}

type notificationList struct {
	Items  []notificationJSON `json:"items"`
	Total  int                `json:"total"`
	Unread int                `json:"unread"`
}

func TestNotificationsUnreadCountAndMarkRead(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		clk := e.mustUser("clk", "990121", auth.Clerk)
		adm := e.mustUser("adm", "990121", auth.Admin)
		e.mustNotify(notify.Notice{UserID: clk.ID, Title: "办件已受理", Body: "您经办的办件已受理", Link: "/workbench"})
		e.Sim.Advance(time.Minute)
		e.mustNotify(notify.Notice{UserID: clk.ID, Title: "请补正材料"})
		e.mustNotify(notify.Notice{UserID: adm.ID, Title: "管理员的通知"})
		mine, theirs := e.mustNotificationIDs(clk.ID), e.mustNotificationIDs(adm.ID)

		b := e.browser()
		b.login("clk", "Passw0rd!")
		status, body := b.get("/notifications")
		if status != http.StatusOK || !strings.Contains(body, "办件已受理") || !strings.Contains(body, "请补正材料") || strings.Contains(body, "管理员的通知") {
			t.Fatalf("notifications page: status %d, want both own titles and no one else's", status)
		}
		if !strings.Contains(body, `id="unread" href="/notifications">2 条未读消息`) {
			t.Fatalf("header: got %q, want 2 unread", firstLine(body, `id="unread"`))
		}
		// Mark the newer one read with the page's form: it moves below the unread one.
		status, body, path := b.post("/notifications", "/notifications/"+itoa(mine["请补正材料"])+"/read", nil)
		if status != http.StatusOK || path != "/notifications" || !strings.Contains(body, "1 条未读消息") {
			t.Fatalf("mark read: status %d at %s, header %q, want 1 unread", status, path, firstLine(body, `id="unread"`))
		}
		if i, j := strings.Index(body, "办件已受理"), strings.Index(body, "请补正材料"); i < 0 || j < 0 || i > j {
			t.Fatalf("order: unread 办件已受理 at %d, read 请补正材料 at %d, want unread first", i, j)
		}
		tok := e.mustToken("clk")
		var l notificationList
		if got := e.apiCall("GET", "/api/v1/notifications", tok, nil, &l); got != 200 || l.Total != 2 || l.Unread != 1 ||
			l.Items[0].Title != "办件已受理" || l.Items[0].Read || !l.Items[1].Read || l.Items[1].ReadAt == nil {
			t.Fatalf("API list: got %d %+v, want 2 with the unread first", got, l)
		}
		cases := []struct {
			name, id string
			want     int
		}{
			{"someone else's notification is not found", itoa(theirs["管理员的通知"]), 404},
			{"a nonexistent id is not found", "999999", 404},
			{"a malformed id is not found", "abc", 404},
			{"own notification is marked read", itoa(mine["办件已受理"]), 204},
			{"marking again is harmless", itoa(mine["办件已受理"]), 204},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var p Problem
				got := e.apiCall("POST", "/api/v1/notifications/"+c.id+"/read", tok, nil, &p)
				if got != c.want || (c.want == 404 && p.Code != "notification_not_found") {
					t.Fatalf("got %d %q, want %d", got, p.Code, c.want)
				}
			})
		}
		if n, _ := notify.UnreadCount(context.Background(), e.DB.R, adm.ID); n != 1 {
			t.Fatalf("admin's unread after clerk's attempts: got %d, want 1", n)
		}
		_, body = b.get("/notifications")
		if strings.Contains(body, `id="unread"`) {
			t.Fatal("header still shows unread messages after all were read")
		}
		// Read-all through the admin's browser form.
		ab := e.browser()
		ab.login("adm", "Passw0rd!")
		status, body, _ = ab.post("/notifications", "/notifications/read-all", nil)
		if status != http.StatusOK || !strings.Contains(body, "已将 1 条消息标记为已读") || strings.Contains(body, `id="unread"`) {
			t.Fatalf("read all: status %d flash %q", status, firstLine(body, `class="flash"`))
		}
		var m map[string]int
		if got := e.apiCall("POST", "/api/v1/notifications/read-all", tok, nil, &m); got != 200 || m["marked"] != 0 {
			t.Fatalf("API read-all with nothing unread: got %d %v, want 200 marked 0", got, m)
		}
	})
}

func TestNotificationsNeedLogin(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	var p Problem
	if got := e.apiCall("GET", "/api/v1/notifications", "", nil, &p); got != 401 || p.Code != "unauthenticated" {
		t.Fatalf("anonymous API: got %d %q, want 401 unauthenticated", got, p.Code)
	}
	if got := e.apiCall("POST", "/api/v1/notifications/read-all", "", nil, &p); got != 401 {
		t.Fatalf("anonymous read-all: got %d, want 401", got)
	}
	if status, body := e.browser().get("/notifications"); status != http.StatusUnauthorized || !strings.Contains(body, "请先登录") {
		t.Fatalf("anonymous page: got %d, want 401 with 请先登录", status)
	}
}

type devMessageList struct {
	Items []devMessageJSON `json:"items"`
	Total int              `json:"total"`
}

type outboxList struct {
	Items  []outboxEntryJSON `json:"items"`
	Total  int               `json:"total"`
	Counts outboxCountsJSON  `json:"counts"`
}

func TestSMSDeliveredByOutboxJobShowsOnDevMessages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		clk := e.mustUser("clk", "990121", auth.Clerk)
		e.mustUser("adm", "990121", auth.Admin)
		tok := e.mustToken("adm")
		e.mustNotify(notify.Notice{UserID: clk.ID, Title: "请补正材料", Body: "缺少营业执照", SMS: true, Phone: "13800000001"})
		var ms devMessageList
		if got := e.apiCall("GET", "/api/v1/admin/dev-messages", tok, nil, &ms); got != 200 || ms.Total != 0 {
			t.Fatalf("before delivery: got %d %+v, want no messages", got, ms)
		}
		var ob outboxList
		if got := e.apiCall("GET", "/api/v1/admin/outbox", tok, nil, &ob); got != 200 || ob.Counts.Pending != 1 || ob.Items[0].Topic != notify.TopicSMS {
			t.Fatalf("outbox before delivery: got %d %+v, want one pending sms", got, ob)
		}
		var run jobRunJSON
		if got := e.apiCall("POST", "/api/v1/admin/jobs/outbox/run", tok, nil, &run); got != 200 || !run.OK || run.Job.Name != "outbox" || run.Job.LastStartedAt == nil {
			t.Fatalf("run outbox job: got %d %+v, want ok", got, run)
		}
		if got := e.apiCall("GET", "/api/v1/admin/dev-messages", tok, nil, &ms); got != 200 || ms.Total != 1 ||
			ms.Items[0].Channel != "sms" || ms.Items[0].Recipient != "13800000001" || ms.Items[0].Body != "请补正材料：缺少营业执照" {
			t.Fatalf("after delivery: got %d %+v, want the sms", got, ms)
		}
		if got := e.apiCall("GET", "/api/v1/admin/outbox?status=delivered", tok, nil, &ob); got != 200 || ob.Total != 1 ||
			ob.Counts.Delivered != 1 || ob.Counts.Pending != 0 || ob.Items[0].StatusLabel != "已投递" || ob.Items[0].DeliveredAt == nil {
			t.Fatalf("outbox after delivery: got %d %+v, want one delivered", got, ob)
		}
		b := e.browser()
		b.login("adm", "Passw0rd!")
		status, body := b.get("/admin/messages")
		for _, want := range []string{"13800000001", "请补正材料：缺少营业执照", "开发替身", "不会真实发送", "短信"} {
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("/admin/messages: status %d, lacks %q", status, want)
			}
		}
	})
}

// mustDeadOutbox enqueues a message nobody handles and uses up its attempts.
func (e *testEnv) mustDeadOutbox(topic string) int64 {
	e.t.Helper()
	ctx := context.Background()
	if err := outbox.Enqueue(ctx, e.DB.W, e.Sim.Now(), topic, map[string]string{"k": "v"}); err != nil {
		e.t.Fatal(err)
	}
	var id int64
	err := e.DB.W.QueryRowContext(ctx, `UPDATE outbox SET attempts = $1, last_error = 'gateway 503' WHERE topic = $2 RETURNING id`,
		outbox.MaxAttempts, topic).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func TestOutboxRetryOfDeadEntry(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d)
		e.mustUser("adm", "990121", auth.Admin)
		tok := e.mustToken("adm")
		dead := e.mustDeadOutbox("test.dead")
		if err := outbox.Enqueue(context.Background(), e.DB.W, e.Sim.Now(), "test.pending", 1); err != nil {
			t.Fatal(err)
		}
		var ob outboxList
		if got := e.apiCall("GET", "/api/v1/admin/outbox?status=dead", tok, nil, &ob); got != 200 || ob.Total != 1 || ob.Items[0].ID != dead ||
			ob.Items[0].StatusLabel != "投递失败" || ob.Items[0].LastError != "gateway 503" || ob.Counts.Dead != 1 || ob.Counts.Pending != 1 {
			t.Fatalf("dead list: got %d %+v", got, ob)
		}
		var p Problem
		if got := e.apiCall("GET", "/api/v1/admin/outbox?status=lost", tok, nil, &p); got != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "status" {
			t.Fatalf("bad status filter: got %d %+v, want 422 on status", got, p)
		}
		cases := []struct {
			name, id string
			want     int
			code     string
		}{
			{"a pending message cannot be retried", itoa(dead + 1), 409, "outbox_not_dead"},
			{"a malformed id is not found", "x1", 404, "outbox_not_found"},
			{"an unknown id is not found", "999999", 404, "outbox_not_found"},
			{"a dead message is queued again", itoa(dead), 204, ""},
			{"a revived message is no longer dead", itoa(dead), 409, "outbox_not_dead"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var p Problem
				if got := e.apiCall("POST", "/api/v1/admin/outbox/"+c.id+"/retry", tok, nil, &p); got != c.want || p.Code != c.code {
					t.Fatalf("got %d %q, want %d %q", got, p.Code, c.want, c.code)
				}
			})
		}
		if got := e.apiCall("GET", "/api/v1/admin/outbox", tok, nil, &ob); got != 200 || ob.Counts.Dead != 0 || ob.Counts.Pending != 2 {
			t.Fatalf("after retry: got %d %+v, want 0 dead, 2 pending", got, ob.Counts)
		}
		// The page's retry button does the same.
		dead2 := e.mustDeadOutbox("test.dead2")
		b := e.browser()
		b.login("adm", "Passw0rd!")
		status, body := b.get("/admin/outbox?status=dead")
		if status != http.StatusOK || !strings.Contains(body, `id="retry-`+itoa(dead2)+`"`) || !strings.Contains(body, "gateway 503") {
			t.Fatalf("dead page: status %d, want the retry button and the last error", status)
		}
		status, body, _ = b.post("/admin/outbox?status=dead", "/admin/outbox/"+itoa(dead2)+"/retry", nil)
		if status != http.StatusOK || !strings.Contains(body, "已重新排队投递") || strings.Contains(body, `id="retry-`) {
			t.Fatalf("page retry: status %d flash %q", status, firstLine(body, `class="flash"`))
		}
	})
}

type jobList struct {
	Items []jobJSON `json:"items"`
	Total int       `json:"total"`
}

func TestJobsListAndRun(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	tok := e.mustToken("adm")
	// Registered before any run, as serve does.
	e.Srv.Jobs.Register("broken", time.Hour, func(context.Context) error { return errors.New("upstream unreachable") })
	var l jobList
	if got := e.apiCall("GET", "/api/v1/admin/jobs", tok, nil, &l); got != 200 || l.Total != 2 || l.Items[0].Name != "broken" ||
		l.Items[1].Name != "outbox" || l.Items[1].EverySeconds != 1 || l.Items[1].LastStartedAt != nil {
		t.Fatalf("jobs before any run: got %d %+v", got, l)
	}
	cases := []struct {
		name, job string
		want      int
		code      string
		ok        bool
		lastError string
	}{
		{"an unknown job is not found", "nope", 404, "job_unknown", false, ""},
		{"a healthy job runs", "outbox", 200, "", true, ""},
		{"a failing job reports its error", "broken", 200, "", false, "upstream unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p Problem
			var run jobRunJSON
			out := any(&run)
			if c.want != 200 {
				out = &p
			}
			got := e.apiCall("POST", "/api/v1/admin/jobs/"+c.job+"/run", tok, nil, out)
			if got != c.want || p.Code != c.code || run.OK != c.ok || run.Job.LastError != c.lastError || (c.want == 200 && run.Job.LastFinishedAt == nil) {
				t.Fatalf("got %d %q %+v, want %d %q ok=%v last error %q", got, p.Code, run, c.want, c.code, c.ok, c.lastError)
			}
		})
	}
	b := e.browser()
	b.login("adm", "Passw0rd!")
	status, body := b.get("/admin/jobs")
	if status != http.StatusOK || !strings.Contains(body, `id="run-outbox"`) || !strings.Contains(body, "upstream unreachable") || !strings.Contains(body, "test/") {
		t.Fatalf("jobs page: status %d, want run button, last error and lease holder", status)
	}
	status, body, _ = b.post("/admin/jobs", "/admin/jobs/outbox/run", nil)
	if status != http.StatusOK || !strings.Contains(body, "任务 outbox 已运行完成") {
		t.Fatalf("page run: status %d flash %q", status, firstLine(body, `class="flash"`))
	}
	status, body, _ = b.post("/admin/jobs", "/admin/jobs/broken/run", nil)
	if status != http.StatusOK || !strings.Contains(body, "任务 broken 运行失败：upstream unreachable") {
		t.Fatalf("page run of failing job: status %d flash %q", status, firstLine(body, `class="flash"`))
	}
}

func TestPlatformAdminRoutesNeedAdmin(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	e.mustUser("adm", "990121", auth.Admin)
	e.mustUser("clk", "990121", auth.Clerk)
	admin, clerk := e.mustToken("adm"), e.mustToken("clk")
	routes := []struct {
		method, path string
		adminWant    int
	}{
		{"GET", "/api/v1/admin/dev-messages", 200},
		{"GET", "/api/v1/admin/outbox", 200},
		{"POST", "/api/v1/admin/outbox/1/retry", 404},
		{"GET", "/api/v1/admin/jobs", 200},
		{"POST", "/api/v1/admin/jobs/outbox/run", 200},
	}
	callers := []struct {
		name, token string
		want        int
		code        string
	}{
		{"anonymous is unauthenticated", "", 401, "unauthenticated"},
		{"clerk is forbidden", clerk, 403, "forbidden"},
	}
	for _, r := range routes {
		for _, c := range callers {
			t.Run(r.method+" "+r.path+" "+c.name, func(t *testing.T) {
				var p Problem
				if got := e.apiCall(r.method, r.path, c.token, nil, &p); got != c.want || p.Code != c.code {
					t.Fatalf("got %d %q, want %d %q", got, p.Code, c.want, c.code)
				}
			})
		}
		t.Run(r.method+" "+r.path+" admin passes the role check", func(t *testing.T) {
			if got := e.apiCall(r.method, r.path, admin, nil, nil); got != r.adminWant {
				t.Fatalf("got %d, want %d", got, r.adminWant)
			}
		})
	}
	b := e.browser()
	b.login("clk", "Passw0rd!")
	for _, path := range []string{"/admin/messages", "/admin/outbox", "/admin/jobs"} {
		t.Run("clerk page "+path+" is forbidden", func(t *testing.T) {
			status, body := b.get(path)
			if status != http.StatusForbidden || !strings.Contains(body, "您没有执行该操作的权限") {
				t.Fatalf("got %d, want 403 with a Chinese page", status)
			}
		})
	}
	_, body := b.get("/notifications")
	if !strings.Contains(body, `href="/notifications"`) || strings.Contains(body, `href="/admin/outbox"`) {
		t.Fatal("clerk nav: want 消息 and no admin entries")
	}
	ab := e.browser()
	ab.login("adm", "Passw0rd!")
	_, body = ab.get("/workbench")
	for _, href := range []string{"/admin/messages", "/admin/outbox", "/admin/jobs", "/notifications"} {
		if !strings.Contains(body, `href="`+href+`"`) {
			t.Errorf("admin nav lacks %s", href)
		}
	}
}

// In a real browser an admin follows the unread count in the header, marks
// the notification read, delivers the queued SMS with 立即运行 and finds it
// on the development message page.
func TestBrowserNotificationAndOutboxFlow(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t, dbtest.SQLite(t))
	adm := e.mustUser("adm", "990121", auth.Admin)
	e.mustNotify(notify.Notice{UserID: adm.ID, Title: "办件即将超期", SMS: true, Phone: "13800000009"})
	browsertest.Do(t, ctx,
		chromedp.Navigate(e.HTTP.URL+"/login"),
		browsertest.Fill("#login", "adm"),
		browsertest.Fill("#password", "Passw0rd!"),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#unread")),
	)
	if got := browsertest.Text(t, ctx, "#unread"); got != "1 条未读消息" {
		t.Fatalf("header: got %q, want 1 条未读消息", got)
	}
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.CSS("#unread")),
		chromedp.WaitVisible(chromedp.CSS("#notifications-table")),
		chromedp.Click(chromedp.CSS("#notifications-table tr.unread button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if n := browsertest.Eval[int](t, ctx, "document.querySelectorAll('#unread, #notifications-table tr.unread').length"); n != 0 {
		t.Fatalf("after marking read: %d unread markers left, want 0", n)
	}
	browsertest.Do(t, ctx,
		chromedp.Navigate(e.HTTP.URL+"/admin/jobs"),
		chromedp.Click(chromedp.CSS("#run-outbox")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Navigate(e.HTTP.URL+"/admin/messages"),
		chromedp.WaitVisible(chromedp.CSS("#dev-messages-table")),
	)
	if got := browsertest.Text(t, ctx, "#dev-messages-table tbody"); !strings.Contains(got, "13800000009") || !strings.Contains(got, "办件即将超期") {
		t.Fatalf("dev messages: got %q, want the SMS", got)
	}
}
