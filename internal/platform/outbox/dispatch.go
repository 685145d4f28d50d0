package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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

// TxHandler delivers one message whose whole effect is writes to this
// database: it runs inside the transaction that marks the message delivered,
// so the effect and the mark commit together (exactly once, also when a node
// dies mid-batch) and a batch of such messages costs one commit instead of
// two per message.
type TxHandler func(ctx context.Context, tx *sql.Tx, m Message) error

// ChunkSize bounds how many messages share one delivery transaction: large
// enough to spread a commit over many messages, small enough that SQLite's
// single writer is not held for long.
const ChunkSize = 32

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
//
// First deliveries of topics with a transactional handler skip the claim
// (deliverLocked): the delivery transaction locks them, handles and marks
// them, so the lock is the lease and a dead node's rollback its expiry.
type Dispatcher struct {
	d        *db.DB
	handlers map[string]handler
	txTopics topicFilter // of handlers: what deliverLocked may take

	// Lease bounds one batch: handlers share a deadline of Lease and a row
	// not marked by then may be claimed by another node. Default 5 minutes.
	Lease time.Duration
	// BaseBackoff is the delay after the first failure; it doubles per
	// attempt up to MaxBackoff. Defaults 30 s and 1 h.
	BaseBackoff, MaxBackoff time.Duration
}

// NewDispatcher returns a dispatcher with default lease and backoff.
func NewDispatcher(d *db.DB) *Dispatcher {
	return &Dispatcher{d: d, handlers: map[string]handler{}, Lease: 5 * time.Minute,
		BaseBackoff: 30 * time.Second, MaxBackoff: time.Hour}
}

// Handle registers h for topics starting with topicPrefix ("notify." or the
// exact topic "notify.sms"); the longest matching prefix wins.
func (p *Dispatcher) Handle(topicPrefix string, h Handler) {
	p.handlers[topicPrefix] = handler{plain: h}
	p.txTopics = p.txTopicFilter()
}

// HandleTx registers a transactional handler like Handle.
func (p *Dispatcher) HandleTx(topicPrefix string, h TxHandler) {
	p.handlers[topicPrefix] = handler{tx: h}
	p.txTopics = p.txTopicFilter()
}

// topicFilter is an SQL condition on outbox.topic with its arguments,
// numbered from $3.
type topicFilter struct {
	where string
	args  []any
}

// txTopicFilter selects the topics whose handler is transactional
// (deliverLocked): under a transactional prefix and not under a longer one
// with a plain handler. Built when handlers are registered, in prefix order
// (one statement text).
func (p *Dispatcher) txTopicFilter() topicFilter {
	var f topicFilter
	var topics, others []string
	prefixes := p.Topics()
	for _, prefix := range prefixes {
		if p.handlers[prefix].tx == nil {
			continue
		}
		f.args = append(f.args, prefix)
		topics = append(topics, fmt.Sprintf("substr(topic, 1, %d) = $%d", utf8.RuneCountInString(prefix), len(f.args)+2))
		for _, longer := range prefixes { // a plain handler of a longer prefix wins
			if p.handlers[longer].tx == nil && len(longer) > len(prefix) && strings.HasPrefix(longer, prefix) {
				f.args = append(f.args, longer)
				others = append(others, fmt.Sprintf(" AND substr(topic, 1, %d) <> $%d", utf8.RuneCountInString(longer), len(f.args)+2))
			}
		}
	}
	if len(topics) > 0 {
		f.where = "(" + strings.Join(topics, " OR ") + ")" + strings.Join(others, "")
	}
	return f
}

// handler is one registered handler: exactly one of plain and tx is set.
type handler struct {
	plain Handler
	tx    TxHandler
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

func (p *Dispatcher) handler(topic string) (handler, bool) {
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
	// First deliveries of transactional messages go without a claim, but
	// not the whole batch: the claiming path always gets a share, taken
	// oldest first, so that under a backlog of them older messages (plain
	// handlers, retries) are not overtaken batch after batch.
	locked := limit - max(1, limit/8)
	for delivered < locked && ctx.Err() == nil {
		n, more, err := p.deliverLocked(ctx, now, min(ChunkSize, locked-delivered))
		if err != nil {
			return delivered, 0, err
		}
		delivered += n
		if !more || n == 0 {
			break
		}
	}
	if ctx.Err() != nil {
		// Shutdown: what was cut short is rolled back and still due, as
		// the claiming path leaves it; not an error.
		return delivered, 0, nil
	}
	msgs, err := p.claim(ctx, now, limit-delivered)
	if err != nil || len(msgs) == 0 {
		return delivered, 0, err
	}
	// The lease is measured in business time but handlers are bounded in
	// wall time; both advance together except when an operator moves a
	// simulated clock, in which case a duplicate delivery is possible.
	hctx, cancel := context.WithTimeout(ctx, p.Lease)
	defer cancel()
	// Marking must happen even when the caller's context was cancelled
	// mid-batch, or the row would wait for its lease to expire.
	mctx := context.WithoutCancel(ctx)
	for len(msgs) > 0 {
		chunk := msgs[:min(ChunkSize, len(msgs))]
		msgs = msgs[len(chunk):]
		plain := p.callPlain(hctx, chunk)
		outs, err := p.deliverChunk(hctx, mctx, now, chunk, plain)
		if err != nil {
			// The chunk's transaction failed as a whole (a deadlock, a lost
			// connection): nothing of it was committed, so record its
			// messages one transaction each before giving up. Plain
			// handlers are not called again.
			outs = outs[:0]
			for i, m := range chunk {
				o, err := p.deliverChunk(hctx, mctx, now, []Message{m}, plain[i:i+1])
				if err != nil {
					return delivered, failed, err
				}
				outs = append(outs, o...)
			}
		}
		for _, o := range outs {
			switch {
			case !o.marked: // lease lost: the current claimant will report it
			case o.err == nil:
				delivered++
			default:
				failed++
			}
		}
	}
	return delivered, failed, nil
}

// errFallback rolls back deliverLocked's transaction: its messages are left
// to the claiming path.
var errFallback = errors.New("outbox: deliver by claim")

// deliverLocked delivers up to limit due first deliveries whose handlers all
// run in the delivery transaction, without claiming them first: it locks
// them in that transaction (SKIP LOCKED keeps concurrent deliverers apart),
// runs their handlers and marks them, so a message costs one UPDATE instead
// of two (the claim rewrote every row and its index entries). The lock is
// the claim: a node that dies mid-chunk rolls it all back. Anything else —
// a retry, a message with a plain handler or none, a failing handler, a
// shutdown — is left to the claiming path, which records failures and
// backoff: a failing chunk is rolled back whole and redelivered there.
// Only topics with a transactional handler are looked at (a longer prefix
// with a plain handler is skipped here); more reports whether a next call
// may find more.
func (p *Dispatcher) deliverLocked(ctx context.Context, now time.Time, limit int) (delivered int, more bool, err error) {
	hctx, cancel := context.WithTimeout(ctx, p.Lease)
	defer cancel()
	err = p.d.Tx(ctx, func(tx *sql.Tx) error {
		delivered, more = 0, false // Tx may run this again after a failed commit
		if p.txTopics.where == "" {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, topic, payload, created_at FROM outbox
			WHERE delivered_at IS NULL AND available_at <= $1 AND attempts = 0 AND `+p.txTopics.where+`
			ORDER BY available_at, id LIMIT $2`+p.d.SkipLocked(), append([]any{now, limit}, p.txTopics.args...)...)
		if err != nil {
			return fmt.Errorf("lock outbox: %w", err)
		}
		var msgs []Message
		var hs []TxHandler
		all := 0
		for rows.Next() {
			m := Message{Attempt: 1}
			var payload string
			if err := rows.Scan(&m.ID, &m.Topic, &payload, &m.CreatedAt); err != nil {
				rows.Close()
				return fmt.Errorf("lock outbox: %w", err)
			}
			all++
			if h, ok := p.handler(m.Topic); ok && h.tx != nil {
				m.Payload = json.RawMessage(payload)
				msgs, hs = append(msgs, m), append(hs, h.tx)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock outbox: %w", err)
		}
		// A full chunk of ours only: there may be more. (A topic whose longer
		// prefix has a plain handler ends the pass: the claiming path takes it.)
		more = all == limit && len(msgs) == all
		if len(msgs) == 0 {
			return nil
		}
		for i, m := range msgs {
			if hctx.Err() != nil || p.callTx(hctx, tx, m, hs[i]) != nil {
				more = false
				return errFallback
			}
		}
		ids := make([]any, 0, len(msgs)+1)
		ids = append(ids, now)
		for _, m := range msgs {
			ids = append(ids, m.ID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET delivered_at = $1, attempts = 1, last_error = ''
			WHERE attempts = 0 AND delivered_at IS NULL AND id IN (`+db.Placeholders(2, len(msgs))+`)`, ids...)
		if err != nil {
			return fmt.Errorf("mark outbox chunk: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(msgs)) {
			more = false
			return errFallback // changed meanwhile (a handler touched its own row)
		}
		delivered = len(msgs)
		return nil
	})
	if errors.Is(err, errFallback) || err != nil && ctx.Err() != nil {
		return 0, false, nil // rolled back: left to the claiming path (or the next run)
	}
	if err != nil {
		return 0, false, err
	}
	return delivered, more, nil
}

// errNotAttempted is a handler "error" for a message whose delivery did not
// run to its end because the batch's context ended (shutdown, or the lease
// ran out): its claim is released, not counted as a failed attempt.
var errNotAttempted = errors.New("outbox: delivery not attempted")

// outcome is what became of one message of a chunk.
type outcome struct {
	marked bool  // our claim was current and the row now records err
	err    error // the handler's error; nil when delivered
}

// callPlain runs the plain handlers of msgs, outside any transaction (they
// may call other systems and must not hold SQLite's writer meanwhile), and
// returns their errors by index.
func (p *Dispatcher) callPlain(hctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		if h, ok := p.handler(m.Topic); !ok || h.plain != nil {
			errs[i] = p.call(hctx, m, h.plain)
		}
	}
	return errs
}

// errCareful sends a chunk from the fast path to deliverCarefully.
var errCareful = errors.New("outbox: chunk needs per-message handling")

// deliverChunk records the outcomes of msgs in one transaction; plain
// handlers already ran (plain holds their errors). The usual chunk — every
// handler succeeds and every claim is still ours — takes the fast path: the
// transactional handlers run one after the other and one statement marks
// them all. Anything else rolls that back and takes deliverCarefully.
func (p *Dispatcher) deliverChunk(hctx, mctx context.Context, now time.Time, msgs []Message, plain []error) ([]outcome, error) {
	err := p.d.Tx(mctx, func(tx *sql.Tx) error {
		for i, m := range msgs {
			if plain[i] != nil || hctx.Err() != nil {
				return errCareful
			}
			if h, ok := p.handler(m.Topic); ok && h.tx != nil {
				if err := p.callTx(hctx, tx, m, h.tx); err != nil {
					return errCareful
				}
			}
		}
		return p.markDelivered(mctx, tx, now, msgs)
	})
	if errors.Is(err, errCareful) {
		return p.deliverCarefully(hctx, mctx, now, msgs, plain)
	}
	if err != nil {
		return nil, err
	}
	outs := make([]outcome, len(msgs))
	for i := range outs {
		outs[i].marked = true
	}
	return outs, nil
}

// markDelivered marks msgs delivered if every claim is still ours, else
// returns errCareful.
func (p *Dispatcher) markDelivered(ctx context.Context, tx *sql.Tx, now time.Time, msgs []Message) error {
	// One "attempts = a AND id IN (…)" per attempt number (almost always
	// one): PostgreSQL scans the key once for an IN list, where 32 OR-ed
	// (id, attempts) pairs cost a bitmap scan each.
	byAttempt := map[int][]int64{}
	var attempts []int
	for _, m := range msgs {
		if _, ok := byAttempt[m.Attempt]; !ok {
			attempts = append(attempts, m.Attempt)
		}
		byAttempt[m.Attempt] = append(byAttempt[m.Attempt], m.ID)
	}
	var b strings.Builder
	args := []any{now}
	for i, a := range attempts {
		if i > 0 {
			b.WriteString(" OR ")
		}
		ids := byAttempt[a]
		fmt.Fprintf(&b, "attempts = $%d AND id IN (%s)", len(args)+1, db.Placeholders(len(args)+2, len(ids)))
		args = append(args, a)
		for _, id := range ids {
			args = append(args, id)
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET delivered_at = $1, last_error = ''
		WHERE delivered_at IS NULL AND (`+b.String()+`)`, args...)
	if err != nil {
		return fmt.Errorf("mark outbox chunk: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("mark outbox chunk: %w", err)
	}
	if n != int64(len(msgs)) {
		return errCareful // a claim was lost meanwhile
	}
	return nil
}

// deliverCarefully is deliverChunk message by message: each transactional
// handler runs under a savepoint, so a failing one is undone alone; a
// message whose claim was lost is skipped with its effects undone.
func (p *Dispatcher) deliverCarefully(hctx, mctx context.Context, now time.Time, msgs []Message, plain []error) ([]outcome, error) {
	outs := make([]outcome, len(msgs))
	for i := range msgs {
		outs[i].err = plain[i]
	}
	err := p.d.Tx(mctx, func(tx *sql.Tx) error {
		for i, m := range msgs {
			h, ok := p.handler(m.Topic)
			if !ok || h.tx == nil {
				if errors.Is(outs[i].err, errNotAttempted) {
					if err := p.release(mctx, tx, now, m); err != nil {
						return err
					}
					continue
				}
				marked, err := p.mark(mctx, tx, now, m, outs[i].err)
				outs[i].marked = marked
				if err != nil {
					return err
				}
				continue
			}
			if hctx.Err() != nil {
				if err := p.release(mctx, tx, now, m); err != nil {
					return err
				}
				outs[i] = outcome{}
				continue
			}
			if _, err := tx.ExecContext(mctx, `SAVEPOINT outbox_message`); err != nil {
				return fmt.Errorf("outbox %d: savepoint: %w", m.ID, err)
			}
			herr := p.callTx(hctx, tx, m, h.tx)
			if herr != nil {
				if _, err := tx.ExecContext(mctx, `ROLLBACK TO SAVEPOINT outbox_message`); err != nil {
					return fmt.Errorf("outbox %d: rollback to savepoint: %w", m.ID, err)
				}
				if hctx.Err() != nil {
					// Cut short by shutdown: undone, and left for a retry now.
					if err := p.release(mctx, tx, now, m); err != nil {
						return err
					}
					if _, err := tx.ExecContext(mctx, `RELEASE SAVEPOINT outbox_message`); err != nil {
						return fmt.Errorf("outbox %d: release savepoint: %w", m.ID, err)
					}
					outs[i] = outcome{}
					continue
				}
			}
			marked, err := p.mark(mctx, tx, now, m, herr)
			if err != nil {
				return err
			}
			if !marked && herr == nil {
				if _, err := tx.ExecContext(mctx, `ROLLBACK TO SAVEPOINT outbox_message`); err != nil {
					return fmt.Errorf("outbox %d: rollback to savepoint: %w", m.ID, err)
				}
			}
			if _, err := tx.ExecContext(mctx, `RELEASE SAVEPOINT outbox_message`); err != nil {
				return fmt.Errorf("outbox %d: release savepoint: %w", m.ID, err)
			}
			outs[i] = outcome{marked: marked, err: herr}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return outs, nil
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

// call runs a plain handler (nil: no handler is registered); a handler
// cut short by the batch's end is errNotAttempted.
func (p *Dispatcher) call(ctx context.Context, m Message, h Handler) (err error) {
	if h == nil {
		return fmt.Errorf("no handler registered for topic %q", m.Topic)
	}
	if ctx.Err() != nil {
		return errNotAttempted
	}
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = errNotAttempted
		}
	}()
	return guarded(func() error { return h(ctx, m) })
}

// callTx runs a transactional handler.
func (p *Dispatcher) callTx(ctx context.Context, tx *sql.Tx, m Message, h TxHandler) error {
	return guarded(func() error { return h(ctx, tx, m) })
}

// guarded turns a handler's panic into an error, so one bad message cannot
// stop delivery of the others.
func guarded(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn()
}

// mark records the outcome if our claim is still current; ok is false when
// the lease was lost to another claimant.
func (p *Dispatcher) mark(ctx context.Context, q db.Q, now time.Time, m Message, herr error) (ok bool, err error) {
	var stmt string
	var args []any
	if herr == nil {
		stmt = `UPDATE outbox SET delivered_at = $1, last_error = '' WHERE id = $2 AND attempts = $3 AND delivered_at IS NULL`
		args = []any{now, m.ID, m.Attempt}
	} else {
		msg := truncate(herr.Error(), 2000)
		next := clock.Norm(now.Add(p.Backoff(m.Attempt)))
		stmt = `UPDATE outbox SET available_at = $1, last_error = $2 WHERE id = $3 AND attempts = $4 AND delivered_at IS NULL`
		args = []any{next, msg, m.ID, m.Attempt}
	}
	res, err := q.ExecContext(ctx, stmt, args...)
	if err != nil {
		return false, fmt.Errorf("mark outbox %d: %w", m.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark outbox %d: %w", m.ID, err)
	}
	return n == 1, nil
}

// release gives back the claim of a message that was not delivered because
// the batch was cut short: due again at now, the attempt not counted.
func (p *Dispatcher) release(ctx context.Context, q db.Q, now time.Time, m Message) error {
	_, err := q.ExecContext(ctx, `UPDATE outbox SET available_at = $1, attempts = attempts - 1
		WHERE id = $2 AND attempts = $3 AND delivered_at IS NULL`, now, m.ID, m.Attempt)
	if err != nil {
		return fmt.Errorf("release outbox %d: %w", m.ID, err)
	}
	return nil
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
