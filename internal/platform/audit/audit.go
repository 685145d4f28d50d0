// Package audit records who changed what, when, as hash-chained events.
//
// Every record that matters (cases, ratings, catalog versions, authorizations,
// calendar, users…) appends events to its own stream, e.g. "case/990121-…" or
// "calendar". Each event stores the SM3 hash of the previous event of its
// stream and its own hash over (prev hash, stream, seq, time, actor, action,
// data), so any edit or deletion breaks the chain; Verify names the first
// broken link. Streams are per record so concurrent writers on different
// records never contend; UNIQUE (stream, seq) stops a fork on the same record.
package audit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"banhao.dev/banhao/internal/platform/db"
)

// Actor is who caused an event. System jobs use ID 0 and Role "system".
type Actor struct {
	ID   int64
	Role string
}

// System is the actor of background jobs.
var System = Actor{ID: 0, Role: "system"}

// Event is one entry of a stream.
type Event struct {
	ID       int64           `json:"id"`
	Stream   string          `json:"stream"`
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	Actor    Actor           `json:"-"`
	ActorID  int64           `json:"actor_id"`
	Role     string          `json:"actor_role"`
	Action   string          `json:"action"`
	Data     json.RawMessage `json:"data"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// Append adds an event to stream inside the caller's transaction, so the
// change and its audit record commit together. data is marshalled to JSON
// (typically {"before":…, "after":…, "reason":…}).
func Append(ctx context.Context, q db.Q, at time.Time, actor Actor, stream, action string, data any) (Event, error) {
	return appendEvent(ctx, q, nil, nil, at, actor, stream, action, data)
}

// Head is the last event of a chain: seq 0 and hash "" for an empty one.
type Head struct {
	Seq  int64
	Hash string
}

// AppendAfter appends an event after head, which the caller keeps with the
// record the stream is about (read under that record's lock, written back
// with the new event's Seq and Hash in the same transaction), and writes it
// through w, e.g. a db.Batch sent with the change it records. The event's ID
// is not known then and stays 0. A stale head cannot fork the chain: the
// insert then fails on UNIQUE (stream, seq).
func AppendAfter(ctx context.Context, w db.Execer, head Head, at time.Time, actor Actor, stream, action string, data any) (Event, error) {
	return appendEvent(ctx, nil, w, &head, at, actor, stream, action, data)
}

func appendEvent(ctx context.Context, q db.Q, w db.Execer, head *Head, at time.Time, actor Actor, stream, action string, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("audit %s %s: marshal: %w", stream, action, err)
	}
	if data == nil {
		raw = []byte("{}")
	}
	ev := Event{Stream: stream, At: at.UTC().Truncate(time.Microsecond), ActorID: actor.ID, Role: actor.Role, Action: action, Data: raw}
	var prevSeq int64
	var prevHash string
	if head != nil {
		prevSeq, prevHash = head.Seq, head.Hash
	} else {
		err = q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events WHERE stream = $1 ORDER BY seq DESC LIMIT 1`, stream).Scan(&prevSeq, &prevHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Event{}, fmt.Errorf("audit %s: read chain head: %w", stream, err)
		}
	}
	ev.Seq = prevSeq + 1
	ev.PrevHash = prevHash
	ev.Hash = ev.ComputeHash()
	var actorID any
	if ev.ActorID != 0 {
		actorID = ev.ActorID
	}
	const insert = `INSERT INTO audit_events (stream, seq, at, actor_id, actor_role, action, data, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	args := []any{ev.Stream, ev.Seq, ev.At, actorID, ev.Role, ev.Action, string(ev.Data), ev.PrevHash, ev.Hash}
	if w != nil {
		_, err = w.ExecContext(ctx, insert, args...)
	} else {
		err = q.QueryRowContext(ctx, insert+` RETURNING id`, args...).Scan(&ev.ID)
	}
	if err != nil {
		return Event{}, fmt.Errorf("audit %s %s: insert: %w", stream, action, err)
	}
	return ev, nil
}

// ComputeHash returns the hex SM3 hash of the event's content and its
// predecessor's hash. Fields are length-prefixed so no two events collide by
// shifting bytes between fields.
func (e Event) ComputeHash() string {
	h := sm3.New()
	for _, f := range []string{
		e.PrevHash, e.Stream, strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10), e.Role, e.Action, string(e.Data),
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Stream returns every event of a stream in order.
func Stream(ctx context.Context, q db.Q, stream string) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, stream, seq, at, COALESCE(actor_id, 0), actor_role, action, data, prev_hash, hash
		FROM audit_events WHERE stream = $1 ORDER BY seq`, stream)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		ev, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read stream %s: %w", stream, err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

func scan(rows *sql.Rows) (Event, error) {
	var ev Event
	var data string
	if err := rows.Scan(&ev.ID, &ev.Stream, &ev.Seq, &ev.At, &ev.ActorID, &ev.Role, &ev.Action, &data, &ev.PrevHash, &ev.Hash); err != nil {
		return ev, err
	}
	ev.Data = json.RawMessage(data)
	ev.Actor = Actor{ID: ev.ActorID, Role: ev.Role}
	return ev, nil
}

// Break is the first broken link found by Verify.
type Break struct {
	Stream string
	Seq    int64
	ID     int64
	Reason string
}

func (b Break) String() string {
	return fmt.Sprintf("stream %s seq %d (event id %d): %s", b.Stream, b.Seq, b.ID, b.Reason)
}

// VerifyResult summarizes a verification run.
type VerifyResult struct {
	Streams int
	Events  int
	Broken  []Break // first broken link of each broken stream
}

// Verify walks every stream whose name starts with prefix ("" for all) and
// reports, per stream, the first event whose hash or link does not match.
func Verify(ctx context.Context, q db.Q, prefix string) (VerifyResult, error) {
	var res VerifyResult
	rows, err := q.QueryContext(ctx, `SELECT id, stream, seq, at, COALESCE(actor_id, 0), actor_role, action, data, prev_hash, hash
		FROM audit_events WHERE stream >= $1 AND stream < $2 ORDER BY stream, seq`, prefix, prefix+"\U0010FFFF")
	if err != nil {
		return res, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	var cur string
	var prevHash string
	var prevSeq int64
	broken := false
	for rows.Next() {
		ev, err := scan(rows)
		if err != nil {
			return res, fmt.Errorf("verify audit: %w", err)
		}
		res.Events++
		if ev.Stream != cur || res.Streams == 0 {
			cur, prevHash, prevSeq, broken = ev.Stream, "", 0, false
			res.Streams++
		}
		if broken {
			continue
		}
		reason := ""
		switch {
		case ev.Seq != prevSeq+1:
			reason = fmt.Sprintf("序号不连续：期望 %d，实际 %d（事件缺失）", prevSeq+1, ev.Seq)
		case ev.PrevHash != prevHash:
			reason = "前序哈希与上一事件不符（链接断裂）"
		case ev.ComputeHash() != ev.Hash:
			reason = "事件内容与哈希不符（内容被篡改）"
		}
		if reason != "" {
			res.Broken = append(res.Broken, Break{Stream: ev.Stream, Seq: ev.Seq, ID: ev.ID, Reason: reason})
			broken = true
		}
		prevHash, prevSeq = ev.Hash, ev.Seq
	}
	return res, rows.Err()
}
