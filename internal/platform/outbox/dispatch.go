package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

// Message is what a handler receives. ID is stable across retries: use it
// as an idempotency key.
type Message struct {
	ID        int64
	Topic     string
	Payload   json.RawMessage
	CreatedAt time.Time
	Attempt   int // 1 for the first delivery
}

// Decode unmarshals the payload into v.
func (m Message) Decode(v any) error {
	if err := json.Unmarshal(m.Payload, v); err != nil {
		return fmt.Errorf("outbox message %d (%s): decode payload: %w", m.ID, m.Topic, err)
	}
	return nil
}

// Handler delivers one message. A nil error marks it delivered.
type Handler func(ctx context.Context, m Message) error

// Dispatcher claims due messages and hands them to the handler registered
// for the longest matching topic prefix. Register handlers before the first
// DeliverBatch; DeliverBatch itself may run concurrently, also on several
// nodes.
//
// Claiming: one autocommit UPDATE moves available_at of up to limit due rows
// to now+Lease and counts the attempt, choosing rows with FOR UPDATE SKIP
// LOCKED on PostgreSQL so concurrent claimers take disjoint rows without
// waiting (SQLite has a single writer, so its UPDATEs are serialized anyway).
// No transaction stays open while a slow handler runs; the moved available_at
// is the lease, and a node that dies mid-batch simply lets it expire, after
// which another node claims the row again. The attempt counter doubles as the
// claim token: a row is marked only if attempts still equals the value we
// claimed it with, so a claimant whose lease expired cannot mark it.
type Dispatcher struct {
	d        *db.DB
	handlers map[string]Handler

	// Lease bounds one batch: handlers share a deadline of Lease and a row
	// not marked by then may be claimed by another node. Default 5 minutes.
	Lease time.Duration
	// BaseBackoff is the delay after the first failure; it doubles per
	// attempt up to MaxBackoff. Defaults 30 s and 1 h.
	BaseBackoff, MaxBackoff time.Duration
}

// NewDispatcher returns a dispatcher with default lease and backoff.
func NewDispatcher(d *db.DB) *Dispatcher {
	return &Dispatcher{d: d, handlers: map[string]Handler{}, Lease: 5 * time.Minute,
		BaseBackoff: 30 * time.Second, MaxBackoff: time.Hour}
}

// Handle registers h for topics starting with topicPrefix ("notify." or the
// exact topic "notify.sms"); the longest matching prefix wins.
func (p *Dispatcher) Handle(topicPrefix string, h Handler) {
	p.handlers[topicPrefix] = h
}

// Topics lists the registered prefixes, sorted.
func (p *Dispatcher) Topics() []string {
	var ts []string
	for t := range p.handlers {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

func (p *Dispatcher) handler(topic string) (Handler, bool) {
	best, found := "", false
	for prefix := range p.handlers {
		if strings.HasPrefix(topic, prefix) && (!found || len(prefix) > len(best)) {
			best, found = prefix, true
		}
	}
	return p.handlers[best], found
}

// Backoff is the delay before the attempt after a failed attempt n (1-based).
func (p *Dispatcher) Backoff(attempt int) time.Duration {
	d := p.BaseBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// DeliverBatch claims up to limit messages due at now and delivers them one
// by one. now comes from the same clock the messages were enqueued with.
// delivered and failed count this call's outcomes; err reports a database
// failure (handler failures are recorded on the rows, not returned).
func (p *Dispatcher) DeliverBatch(ctx context.Context, now time.Time, limit int) (delivered, failed int, err error) {
	if limit <= 0 {
		limit = 100
	}
	now = clock.Norm(now)
	msgs, err := p.claim(ctx, now, limit)
	if err != nil || len(msgs) == 0 {
		return 0, 0, err
	}
	// The lease is measured in business time but handlers are bounded in
	// wall time; both advance together except when an operator moves a
	// simulated clock, in which case a duplicate delivery is possible.
	hctx, cancel := context.WithTimeout(ctx, p.Lease)
	defer cancel()
	// Marking must happen even when the caller's context was cancelled
	// mid-batch, or the row would wait for its lease to expire.
	mctx := context.WithoutCancel(ctx)
	for _, m := range msgs {
		herr := p.call(hctx, m)
		ok, err := p.mark(mctx, now, m, herr)
		if err != nil {
			return delivered, failed, err
		}
		switch {
		case !ok: // lease lost: the current claimant will report it
		case herr == nil:
			delivered++
		default:
			failed++
		}
	}
	return delivered, failed, nil
}

func (p *Dispatcher) claim(ctx context.Context, now time.Time, limit int) ([]Message, error) {
	// The CTE is MATERIALIZED so the locking subquery runs exactly once:
	// PostgreSQL may rescan a plain "id IN (SELECT … LIMIT n SKIP LOCKED)"
	// and then claim far more than n rows. The outer WHERE repeats the due
	// conditions so a row changed in between is never claimed twice.
	rows, err := p.d.W.QueryContext(ctx, `WITH due AS MATERIALIZED (SELECT id FROM outbox
			WHERE delivered_at IS NULL AND available_at <= $1 AND attempts < $3
			ORDER BY available_at, id LIMIT $4`+p.d.SkipLocked()+`)
		UPDATE outbox SET available_at = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM due) AND delivered_at IS NULL AND available_at <= $1 AND attempts < $3
		RETURNING id, topic, payload, created_at, attempts`,
		now, clock.Norm(now.Add(p.Lease)), MaxAttempts, limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		var m Message
		var payload string
		if err := rows.Scan(&m.ID, &m.Topic, &payload, &m.CreatedAt, &m.Attempt); err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		m.Payload = json.RawMessage(payload)
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	// RETURNING order is unspecified; deliver oldest first.
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	return msgs, nil
}

// call runs the handler, turning a panic into an error so one bad message
// cannot stop delivery of the others.
func (p *Dispatcher) call(ctx context.Context, m Message) (err error) {
	h, ok := p.handler(m.Topic)
	if !ok {
		return fmt.Errorf("no handler registered for topic %q", m.Topic)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("batch lease used up before delivery: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v\n%s", r, debug.Stack())
		}
	}()
	return h(ctx, m)
}

// mark records the outcome if our claim is still current; ok is false when
// the lease was lost to another claimant.
func (p *Dispatcher) mark(ctx context.Context, now time.Time, m Message, herr error) (ok bool, err error) {
	var q string
	var args []any
	if herr == nil {
		q = `UPDATE outbox SET delivered_at = $1, last_error = '' WHERE id = $2 AND attempts = $3 AND delivered_at IS NULL`
		args = []any{now, m.ID, m.Attempt}
	} else {
		msg := truncate(herr.Error(), 2000)
		next := clock.Norm(now.Add(p.Backoff(m.Attempt)))
		q = `UPDATE outbox SET available_at = $1, last_error = $2 WHERE id = $3 AND attempts = $4 AND delivered_at IS NULL`
		args = []any{next, msg, m.ID, m.Attempt}
	}
	res, err := p.d.W.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("mark outbox %d: %w", m.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark outbox %d: %w", m.ID, err)
	}
	return n == 1, nil
}

// truncate cuts s to at most n bytes on a rune boundary (PostgreSQL rejects
// invalid UTF-8).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
