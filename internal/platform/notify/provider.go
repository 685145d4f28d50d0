package notify

import (
	"context"
	"database/sql"
	"fmt"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/outbox"
)

// SMSProvider sends a text message; implementations wrap an SMS gateway.
type SMSProvider interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// EmailProvider sends an e-mail.
type EmailProvider interface {
	SendEmail(ctx context.Context, to, subject, body string) error
}

// SMSHandler adapts p to the outbox: register it with
// dispatcher.Handle(notify.TopicSMS, notify.SMSHandler(p)).
func SMSHandler(p SMSProvider) outbox.Handler {
	return func(ctx context.Context, m outbox.Message) error {
		var s SMSMessage
		if err := m.Decode(&s); err != nil {
			return err
		}
		if err := p.SendSMS(ctx, s.Phone, s.Text); err != nil {
			return fmt.Errorf("send sms (outbox %d): %w", m.ID, err)
		}
		return nil
	}
}

// EmailHandler adapts p to the outbox (topic TopicEmail).
func EmailHandler(p EmailProvider) outbox.Handler {
	return func(ctx context.Context, m outbox.Message) error {
		var e EmailMessage
		if err := m.Decode(&e); err != nil {
			return err
		}
		if err := p.SendEmail(ctx, e.To, e.Subject, e.Body); err != nil {
			return fmt.Errorf("send email (outbox %d): %w", m.ID, err)
		}
		return nil
	}
}

// DevSink is the development stand-in for both gateways: it sends nothing
// and stores each message in dev_messages, shown on an admin page labelled
// as such, so demos and tests can see what would have been sent.
type DevSink struct {
	q     db.Q
	clock clock.Clock
}

var (
	_ SMSProvider   = (*DevSink)(nil)
	_ EmailProvider = (*DevSink)(nil)
)

// NewDevSink writes through q (normally db.W) stamped with c.
func NewDevSink(q db.Q, c clock.Clock) *DevSink { return &DevSink{q: q, clock: c} }

func (s *DevSink) SendSMS(ctx context.Context, phone, text string) error {
	return s.store(ctx, "sms", phone, "", text)
}

func (s *DevSink) SendEmail(ctx context.Context, to, subject, body string) error {
	return s.store(ctx, "email", to, subject, body)
}

// SMSTxHandler delivers SMS messages into the sink inside the outbox's
// delivery transaction: the stored message and the delivery mark commit
// together, so a demo or test never sees a message twice.
func (s *DevSink) SMSTxHandler() outbox.TxHandler {
	return func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
		var msg SMSMessage
		if err := m.Decode(&msg); err != nil {
			return err
		}
		return s.storeIn(ctx, tx, "sms", msg.Phone, "", msg.Text)
	}
}

// EmailTxHandler is SMSTxHandler for e-mail.
func (s *DevSink) EmailTxHandler() outbox.TxHandler {
	return func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
		var msg EmailMessage
		if err := m.Decode(&msg); err != nil {
			return err
		}
		return s.storeIn(ctx, tx, "email", msg.To, msg.Subject, msg.Body)
	}
}

func (s *DevSink) store(ctx context.Context, channel, recipient, subject, body string) error {
	return s.storeIn(ctx, s.q, channel, recipient, subject, body)
}

func (s *DevSink) storeIn(ctx context.Context, q db.Q, channel, recipient, subject, body string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO dev_messages (channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
		channel, recipient, subject, body, clock.Norm(s.clock.Now()))
	if err != nil {
		return fmt.Errorf("dev sink %s: %w", channel, err)
	}
	return nil
}
