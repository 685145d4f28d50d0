// Package notify tells people about events: an in-app notification always
// (written in the caller's transaction, so it exists exactly when the event
// does) and, on request, an SMS or e-mail sent later through the outbox and a
// provider interface, so a slow or failing gateway never blocks or rolls
// back the business transaction.
//
// External delivery is at least once (see package outbox): a provider may
// rarely be asked twice for the same message.
package notify

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/outbox"
)

// Outbox topics of the external channels.
const (
	TopicSMS   = "notify.sms"
	TopicEmail = "notify.email"
)

// Notice is one thing to tell one person.
type Notice struct {
	UserID int64  // in-app recipient; 0 for external channels only (e.g. a caller without an account)
	Title  string // required; also the SMS text and e-mail subject
	Body   string
	Link   string // site-relative path such as /cases/990121-…; never an external URL
	SMS    bool
	Phone  string // mainland mobile number, required with SMS
	Email  bool
	To     string // e-mail address, required with Email
}

// SMSMessage is the outbox payload of TopicSMS.
type SMSMessage struct {
	Phone string `json:"phone"`
	Text  string `json:"text"`
}

// EmailMessage is the outbox payload of TopicEmail.
type EmailMessage struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

var mobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

func (n *Notice) validate() error {
	n.Title, n.Body, n.Link = strings.TrimSpace(n.Title), strings.TrimSpace(n.Body), strings.TrimSpace(n.Link)
	n.Phone, n.To = strings.TrimSpace(n.Phone), strings.TrimSpace(n.To)
	var fe errs.Fields
	switch {
	case n.Title == "":
		fe.Add("title", "通知标题不能为空")
	case utf8.RuneCountInString(n.Title) > 100:
		fe.Add("title", "通知标题不能超过 100 个字")
	}
	if utf8.RuneCountInString(n.Body) > 2000 {
		fe.Add("body", "通知内容不能超过 2000 个字")
	}
	// Only site-relative links: a notification must not become a phishing
	// vector (javascript:, //evil.example).
	if n.Link != "" && (!strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") || strings.Contains(n.Link, "\\")) {
		fe.Add("link", "通知链接必须是本站内的地址")
	}
	if n.SMS && !mobile.MatchString(n.Phone) {
		fe.Add("phone", "请填写正确的 11 位手机号码")
	}
	if n.Email {
		if a, err := mail.ParseAddress(n.To); err != nil || a.Address != n.To {
			fe.Add("to", "请填写正确的电子邮箱地址")
		}
	}
	if n.UserID == 0 && !n.SMS && !n.Email {
		fe.Add("user_id", "通知必须有接收人")
	}
	return fe.Err()
}

// Send records n in the caller's transaction q: the in-app notification row
// (when UserID is set) and an outbox message per external channel.
func Send(ctx context.Context, q db.Execer, at time.Time, n Notice) error {
	if err := n.validate(); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	at = clock.Norm(at)
	if n.UserID != 0 {
		_, err := q.ExecContext(ctx, `INSERT INTO notifications (user_id, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5)`,
			n.UserID, n.Title, n.Body, n.Link, at)
		if err != nil {
			return fmt.Errorf("notify user %d: %w", n.UserID, err)
		}
	}
	if n.SMS {
		text := n.Title
		if n.Body != "" {
			text += "：" + n.Body
		}
		if err := outbox.Enqueue(ctx, q, at, TopicSMS, SMSMessage{Phone: n.Phone, Text: text}); err != nil {
			return fmt.Errorf("notify sms: %w", err)
		}
	}
	if n.Email {
		if err := outbox.Enqueue(ctx, q, at, TopicEmail, EmailMessage{To: n.To, Subject: n.Title, Body: n.Body}); err != nil {
			return fmt.Errorf("notify email: %w", err)
		}
	}
	return nil
}
