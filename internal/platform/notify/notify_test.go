package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/notify"
	"banhao.dev/banhao/internal/platform/outbox"
)

var t0 = time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)

func mustUser(t *testing.T, d *db.DB, login string) int64 {
	t.Helper()
	var id int64
	err := d.W.QueryRowContext(context.Background(), `INSERT INTO users (login, name, kind, password_hash, created_at, updated_at)
		VALUES ($1, $1, 'person', '', $2, $2) RETURNING id`, login, t0).Scan(&id)
	if err != nil {
		t.Fatalf("create user %s: %v", login, err)
	}
	return id
}

func mustSend(t *testing.T, d *db.DB, at time.Time, n notify.Notice) {
	t.Helper()
	if err := d.Tx(context.Background(), func(tx *sql.Tx) error { return notify.Send(context.Background(), tx, at, n) }); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func TestSendWritesNotificationAndOutboxTogether(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		uid := mustUser(t, d, "zhang")
		n := notify.Notice{UserID: uid, Title: "办件已受理", Body: "您的申请已受理。", Link: "/cases/1", SMS: true, Phone: "13800000001",
			Email: true, To: "zhang@example.cn"}
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := notify.Send(ctx, tx, t0, n); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		if ns, _ := notify.ListForUser(ctx, d.R, uid, 10); len(ns) != 0 {
			t.Fatalf("after rollback: got %d notifications, want 0", len(ns))
		}
		if es, _ := outbox.List(ctx, d.R, "", 10); len(es) != 0 {
			t.Fatalf("after rollback: got %d outbox messages, want 0", len(es))
		}
		mustSend(t, d, t0, n)
		ns, err := notify.ListForUser(ctx, d.R, uid, 10)
		if err != nil || len(ns) != 1 || ns[0].Title != n.Title || ns[0].Link != n.Link || ns[0].Read() || !ns[0].CreatedAt.Equal(t0) {
			t.Fatalf("notifications: got %+v %v, want one unread %q", ns, err, n.Title)
		}
		es, _ := outbox.List(ctx, d.R, "", 10)
		topics := map[string]string{}
		for _, e := range es {
			topics[e.Topic] = string(e.Payload)
		}
		if want := `{"phone":"13800000001","text":"办件已受理：您的申请已受理。"}`; topics[notify.TopicSMS] != want {
			t.Fatalf("sms payload: got %s, want %s", topics[notify.TopicSMS], want)
		}
		if want := `{"to":"zhang@example.cn","subject":"办件已受理","body":"您的申请已受理。"}`; topics[notify.TopicEmail] != want {
			t.Fatalf("email payload: got %s, want %s", topics[notify.TopicEmail], want)
		}
	})
}

func TestSendValidates(t *testing.T) {
	cases := []struct {
		name  string
		n     notify.Notice
		field string
	}{
		{"empty title is refused", notify.Notice{UserID: 1, Title: " "}, "title"},
		{"overlong title is refused", notify.Notice{UserID: 1, Title: strings.Repeat("长", 101)}, "title"},
		{"external link is refused", notify.Notice{UserID: 1, Title: "x", Link: "https://evil.example/"}, "link"},
		{"protocol-relative link is refused", notify.Notice{UserID: 1, Title: "x", Link: "//evil.example/"}, "link"},
		{"javascript link is refused", notify.Notice{UserID: 1, Title: "x", Link: "javascript:alert(1)"}, "link"},
		{"sms without phone is refused", notify.Notice{UserID: 1, Title: "x", SMS: true}, "phone"},
		{"landline for sms is refused", notify.Notice{UserID: 1, Title: "x", SMS: true, Phone: "01012345678"}, "phone"},
		{"bad e-mail is refused", notify.Notice{UserID: 1, Title: "x", Email: true, To: "Zhang <z@example.cn>"}, "to"},
		{"no recipient is refused", notify.Notice{Title: "x"}, "user_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Validation fails before any SQL, so no database is needed.
			err := notify.Send(context.Background(), nil, t0, c.n)
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != c.field {
				t.Fatalf("got %v, want invalid field %s", err, c.field)
			}
		})
	}
}

func TestSMSAndEmailReachDevSinkThroughOutbox(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustSend(t, d, t0, notify.Notice{Title: "请补正材料", SMS: true, Phone: "13900000002"})
		mustSend(t, d, t0, notify.Notice{Title: "办结通知", Body: "已办结", Email: true, To: "li@example.cn"})
		sink := notify.NewDevSink(d.W, clock.NewFrozen(t0.Add(time.Minute)))
		p := outbox.NewDispatcher(d)
		p.Handle(notify.TopicSMS, notify.SMSHandler(sink))
		p.Handle(notify.TopicEmail, notify.EmailHandler(sink))
		if del, failed, err := p.DeliverBatch(ctx, t0, 10); err != nil || del != 2 || failed != 0 {
			t.Fatalf("deliver: got %d/%d %v, want 2 delivered", del, failed, err)
		}
		ms, err := notify.ListDevMessages(ctx, d.R, 10)
		if err != nil || len(ms) != 2 {
			t.Fatalf("dev messages: got %+v %v, want 2", ms, err)
		}
		email, sms := ms[0], ms[1]
		if sms.Channel != "sms" || sms.Recipient != "13900000002" || sms.Body != "请补正材料" || !sms.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("sms: got %+v", sms)
		}
		if email.Channel != "email" || email.Recipient != "li@example.cn" || email.Subject != "办结通知" || email.Body != "已办结" {
			t.Fatalf("email: got %+v", email)
		}
	})
}

type downProvider struct{}

func (downProvider) SendSMS(ctx context.Context, phone, text string) error {
	return errors.New("gateway 503")
}

func TestFailingProviderIsRetried(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustSend(t, d, t0, notify.Notice{Title: "x", SMS: true, Phone: "13900000002"})
		p := outbox.NewDispatcher(d)
		p.Handle(notify.TopicSMS, notify.SMSHandler(downProvider{}))
		if _, failed, err := p.DeliverBatch(ctx, t0, 10); err != nil || failed != 1 {
			t.Fatalf("deliver: got failed %d err %v, want 1 failed", failed, err)
		}
		es, _ := outbox.List(ctx, d.R, outbox.StatusRetrying, 10)
		if len(es) != 1 || !strings.Contains(es[0].LastError, "gateway 503") {
			t.Fatalf("retrying: got %+v, want the gateway error recorded", es)
		}
	})
}

func TestReadState(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		me, other := mustUser(t, d, "me"), mustUser(t, d, "other")
		for i, title := range []string{"一", "二", "三"} {
			mustSend(t, d, t0.Add(time.Duration(i)*time.Minute), notify.Notice{UserID: me, Title: title})
		}
		mustSend(t, d, t0, notify.Notice{UserID: other, Title: "别人的"})
		ns, _ := notify.ListForUser(ctx, d.R, me, 2)
		if len(ns) != 2 || ns[0].Title != "三" || ns[1].Title != "二" {
			t.Fatalf("list: got %+v, want 三, 二 (newest first, limited)", ns)
		}
		theirs, _ := notify.ListForUser(ctx, d.R, other, 10)
		if err := notify.MarkRead(ctx, d.W, t0, me, theirs[0].ID); !errors.Is(err, notify.ErrNotFound) {
			t.Fatalf("marking another user's notification: got %v, want ErrNotFound", err)
		}
		readAt := t0.Add(time.Hour)
		if err := notify.MarkRead(ctx, d.W, readAt, me, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := notify.MarkRead(ctx, d.W, readAt.Add(time.Hour), me, ns[0].ID); err != nil {
			t.Fatalf("marking again: %v", err)
		}
		if n, _ := notify.UnreadCount(ctx, d.R, me); n != 2 {
			t.Fatalf("unread: got %d, want 2", n)
		}
		ns, _ = notify.ListForUser(ctx, d.R, me, 1)
		if !ns[0].ReadAt.Equal(readAt) {
			t.Fatalf("read at: got %v, want first read %v", ns[0].ReadAt, readAt)
		}
		if n, err := notify.MarkAllRead(ctx, d.W, readAt, me); err != nil || n != 2 {
			t.Fatalf("mark all: got %d %v, want 2", n, err)
		}
		if n, _ := notify.UnreadCount(ctx, d.R, me); n != 0 {
			t.Fatalf("unread after mark all: got %d, want 0", n)
		}
		if n, _ := notify.UnreadCount(ctx, d.R, other); n != 1 {
			t.Fatalf("other's unread: got %d, want 1 (untouched)", n)
		}
	})
}
