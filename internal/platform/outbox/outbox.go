// Package outbox is the transactional outbox: a message is written in the
// same transaction as the state change that causes it (Enqueue), so either
// both commit or neither does, and a Dispatcher delivers it afterwards with
// retries and exponential backoff.
//
// Delivery is at least once: a handler may see the same message again if a
// node dies after the handler succeeded but before the row was marked, or if
// a handler outlives its lease. Handlers therefore get the message ID and
// should be idempotent (e.g. send it as an idempotency key). Marking is
// exactly once: only the claimant whose claim is still current can mark a row.
//
// Times follow the business clock of the caller (the simulated clock in demo
// mode), so a message enqueued "at" a simulated time is due when the
// dispatcher is called with the same clock's Now.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// MaxAttempts is how many deliveries are tried before a message is parked as
// dead. Dead rows are kept and listed for an administrator, who may Retry.
// With the default backoff (30 s doubling, capped at 1 h) 12 attempts span
// about six hours, long enough to ride out a provider outage.
const MaxAttempts = 12

// ErrTopic rejects an empty or oversized topic.
var ErrTopic = errs.E(errs.Invalid, "outbox_topic", "消息主题不能为空且不超过 100 个字符")

// ErrNotDead is returned by Retry for a message that is not parked as dead.
var ErrNotDead = errs.E(errs.Conflict, "outbox_not_dead", "只有投递失败并已停止重试的消息可以重新投递")

// ErrNotFound is returned by Retry for an id that names no message.
var ErrNotFound = errs.E(errs.NotFound, "outbox_not_found", "没有这条待投递消息")

// Enqueue writes a message for later delivery through q, which should be the
// transaction of the change that causes it. payload is marshalled to JSON
// (a json.RawMessage is stored as is).
func Enqueue(ctx context.Context, q db.Execer, at time.Time, topic string, payload any) error {
	topic = strings.TrimSpace(topic)
	if topic == "" || len(topic) > 100 {
		return ErrTopic
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("enqueue %s: marshal payload: %w", topic, err)
	}
	at = clock.Norm(at)
	_, err = q.ExecContext(ctx, `INSERT INTO outbox (topic, payload, created_at, available_at) VALUES ($1, $2, $3, $3)`,
		topic, string(raw), at)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", topic, err)
	}
	return nil
}

// Status is the derived state of a message.
type Status string

const (
	StatusPending   Status = "pending"   // never tried yet
	StatusRetrying  Status = "retrying"  // tried (or being tried), will be tried again
	StatusDelivered Status = "delivered" // a handler succeeded
	StatusDead      Status = "dead"      // MaxAttempts used up; kept for an administrator
)

// Label is the Chinese label of a status for the admin page.
func (s Status) Label() string {
	switch s {
	case StatusPending:
		return "待投递"
	case StatusRetrying:
		return "重试中"
	case StatusDelivered:
		return "已投递"
	case StatusDead:
		return "投递失败"
	}
	return string(s)
}

// Entry is one outbox row as shown on the admin page.
type Entry struct {
	ID          int64
	Topic       string
	Payload     json.RawMessage
	CreatedAt   time.Time
	AvailableAt time.Time // next attempt (or lease end while being delivered)
	Attempts    int
	LastError   string
	DeliveredAt time.Time // zero until delivered
	Status      Status
}

// statusSQL derives Status in SQL so List can filter by it.
const statusSQL = `CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
	WHEN attempts >= $1 THEN 'dead' WHEN attempts > 0 THEN 'retrying' ELSE 'pending' END`

// List returns the most recent messages, newest first; status "" lists all.
func List(ctx context.Context, q db.Q, status Status, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	query := `SELECT id, topic, payload, created_at, available_at, attempts, last_error, delivered_at, ` + statusSQL + ` AS status
		FROM outbox`
	args := []any{MaxAttempts, limit}
	if status != "" {
		query += ` WHERE ` + statusSQL + ` = $3`
		args = append(args, string(status))
	}
	query += ` ORDER BY id DESC LIMIT $2`
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var payload, st string
		var delivered sql.NullTime
		if err := rows.Scan(&e.ID, &e.Topic, &payload, &e.CreatedAt, &e.AvailableAt, &e.Attempts, &e.LastError, &delivered, &st); err != nil {
			return nil, fmt.Errorf("list outbox: %w", err)
		}
		e.Payload, e.Status, e.DeliveredAt = json.RawMessage(payload), Status(st), delivered.Time
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// Counts is the number of messages per status.
type Counts struct {
	Pending, Retrying, Delivered, Dead int
}

// Undelivered is everything still waiting (pending or retrying).
func (c Counts) Undelivered() int { return c.Pending + c.Retrying }

// Pending counts messages by status, for the admin page and metrics.
func Pending(ctx context.Context, q db.Q) (Counts, error) {
	var c Counts
	rows, err := q.QueryContext(ctx, `SELECT `+statusSQL+` AS status, COUNT(*) FROM outbox GROUP BY 1`, MaxAttempts)
	if err != nil {
		return c, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return c, fmt.Errorf("count outbox: %w", err)
		}
		switch Status(st) {
		case StatusPending:
			c.Pending = n
		case StatusRetrying:
			c.Retrying = n
		case StatusDelivered:
			c.Delivered = n
		case StatusDead:
			c.Dead = n
		}
	}
	return c, rows.Err()
}

// Retry revives a dead message: it becomes due at now with a fresh attempt
// budget; its last error stays visible until the next attempt.
func Retry(ctx context.Context, q db.Q, now time.Time, id int64) error {
	res, err := q.ExecContext(ctx, `UPDATE outbox SET attempts = 0, available_at = $1
		WHERE id = $2 AND delivered_at IS NULL AND attempts >= $3`, clock.Norm(now), id, MaxAttempts)
	if err != nil {
		return fmt.Errorf("retry outbox %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists bool
		if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1)`, id).Scan(&exists); err != nil {
			return fmt.Errorf("retry outbox %d: %w", id, err)
		}
		if !exists {
			return fmt.Errorf("retry outbox %d: %w", id, ErrNotFound)
		}
		return fmt.Errorf("retry outbox %d: %w", id, ErrNotDead)
	}
	return nil
}
