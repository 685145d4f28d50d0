package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// ErrNotFound is returned when a notification does not exist or belongs to
// someone else; the two are not told apart, so ids of others leak nothing.
var ErrNotFound = errs.E(errs.NotFound, "notification_not_found", "通知不存在")

// Notification is one in-app message.
type Notification struct {
	ID        int64
	UserID    int64
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// Read reports whether the user has read it.
func (n Notification) Read() bool { return !n.ReadAt.IsZero() }

func clampLimit(limit int) int {
	if limit <= 0 || limit > 500 {
		return 50
	}
	return limit
}

// ListForUser returns the user's newest notifications first.
func ListForUser(ctx context.Context, q db.Q, userID int64, limit int) ([]Notification, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, user_id, title, body, link, created_at, read_at FROM notifications
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, userID, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list notifications of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.UserID, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, fmt.Errorf("list notifications of %d: %w", userID, err)
		}
		n.ReadAt = read.Time
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list notifications of %d: %w", userID, err)
	}
	return out, nil
}

// UnreadCount is the number shown on the bell icon.
func UnreadCount(ctx context.Context, q db.Q, userID int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count unread of %d: %w", userID, err)
	}
	return n, nil
}

// MarkRead marks one of the user's own notifications read at at; marking it
// again keeps the first time.
func MarkRead(ctx context.Context, q db.Q, at time.Time, userID, id int64) error {
	res, err := q.ExecContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3`,
		clock.Norm(at), id, userID)
	if err != nil {
		return fmt.Errorf("mark notification %d read: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("mark notification %d read: %w", id, ErrNotFound)
	}
	return nil
}

// MarkAllRead marks every unread notification of the user read.
func MarkAllRead(ctx context.Context, q db.Q, at time.Time, userID int64) (int, error) {
	res, err := q.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, clock.Norm(at), userID)
	if err != nil {
		return 0, fmt.Errorf("mark all read of %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DevMessage is a message captured by DevSink.
type DevMessage struct {
	ID        int64
	Channel   string // "sms" or "email"
	Recipient string
	Subject   string
	Body      string
	CreatedAt time.Time
}

// ListDevMessages returns captured messages, newest first.
func ListDevMessages(ctx context.Context, q db.Q, limit int) ([]DevMessage, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, channel, recipient, subject, body, created_at FROM dev_messages
		ORDER BY id DESC LIMIT $1`, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list dev messages: %w", err)
	}
	defer rows.Close()
	var out []DevMessage
	for rows.Next() {
		var m DevMessage
		if err := rows.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("list dev messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dev messages: %w", err)
	}
	return out, nil
}
