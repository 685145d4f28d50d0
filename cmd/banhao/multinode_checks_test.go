package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// jobChecks is what TestSeveralNodesRunEveryJobOnce made due.
type jobChecks struct {
	pendingCases []string  // cases accepted with one 容缺 material each
	submitted    int       // online submissions left for auto-acceptance
	batchID      int64     // the adjustment batch
	before       time.Time // business time before the clock moved
	now          time.Time // business time at the end
	months       []string  // months whose reform letters were due
}

// sqlRows returns the rows of a query as "a|b|c" strings.
func sqlRows(t *testing.T, d *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sqlCount(t *testing.T, d *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// none fails when the query, which lists duplicates or losses, finds any.
func none(t *testing.T, d *sql.DB, what, q string, args ...any) {
	t.Helper()
	if got := sqlRows(t, d, q, args...); len(got) > 0 {
		t.Errorf("%s: got %d, want none: %v", what, len(got), got)
	}
}

// checkJobsRanOnce checks in the database that every job processed each of
// its due items exactly once: no item left, none processed twice.
func checkJobsRanOnce(t *testing.T, d *sql.DB, c jobChecks) {
	t.Run("each online submission is auto-accepted once", func(t *testing.T) {
		none(t, d, "cases still submitted", `SELECT no FROM cases WHERE status = 'submitted'`)
		none(t, d, "cases auto-accepted more than once",
			`SELECT stream, COUNT(*) FROM audit_events WHERE action = 'auto-accept' GROUP BY stream HAVING COUNT(*) > 1`)
		if got := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'auto-accept'`); got < c.submitted {
			t.Errorf("got %d auto-acceptances, want at least the %d submissions", got, c.submitted)
		}
	})
	t.Run("each 容缺 material is reminded once", func(t *testing.T) {
		for _, no := range c.pendingCases {
			events := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE stream = $1 AND action = 'pending-reminder'`, "case/"+no)
			notices := sqlCount(t, d, `SELECT COUNT(*) FROM notifications WHERE title LIKE '容缺材料补齐提醒%' AND body LIKE $1`, "%"+no+"%")
			if events != 1 || notices != 1 {
				t.Errorf("case %s: got %d reminder events and %d notices, want 1 each", no, events, notices)
			}
		}
		none(t, d, "pending materials never reminded", `SELECT case_id, material_id FROM case_pending WHERE reminded_at IS NULL AND supplied_at IS NULL`)
	})
	t.Run("the adjustment batch is applied once", func(t *testing.T) {
		stream := fmt.Sprintf("adjustment/%d", c.batchID)
		if got := sqlRows(t, d, `SELECT status FROM adjustment_batches WHERE id = $1`, c.batchID); len(got) != 1 || got[0] != "applied" {
			t.Errorf("batch status got %v, want applied", got)
		}
		if got := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE stream = $1 AND action = 'apply'`, stream); got != 1 {
			t.Errorf("got %d apply events, want 1", got)
		}
		if got := sqlCount(t, d, `SELECT COUNT(*) FROM item_changes WHERE batch_id = $1`, c.batchID); got != 2 {
			t.Errorf("got %d change-log entries of the batch, want 2 (one cancel, one add)", got)
		}
		if got := sqlRows(t, d, `SELECT version, state FROM item_versions WHERE item_code = $1`, addedItem); len(got) != 1 || got[0] != "1|published" {
			t.Errorf("added item versions got %v, want one published version", got)
		}
		none(t, d, "item events repeated by the batch", `SELECT stream, action, COUNT(*) FROM audit_events
			WHERE stream IN ($1, $2) AND at > $3 GROUP BY stream, action HAVING COUNT(*) > 1`, "item/"+addedItem, "item/"+cancelledItem, c.before)
		if got := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE stream = $1 AND action = 'abolish' AND at > $2`, "item/"+cancelledItem, c.before); got != 1 {
			t.Errorf("got %d abolish events of the cancelled item, want 1", got)
		}
	})
	t.Run("each light change gives one card and one audit event", func(t *testing.T) {
		none(t, d, "light cards issued twice", `SELECT case_no, level, color, step_name, COUNT(*) FROM supervise_cards
			WHERE scope = 'org' GROUP BY case_no, level, color, step_name HAVING COUNT(*) > 1`)
		cards := sqlCount(t, d, `SELECT COUNT(*) FROM supervise_cards WHERE scope = 'org'`)
		events := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE action IN ('yellow-card', 'red-card')`)
		if cards != events {
			t.Errorf("got %d department cards and %d card events, want one event per card", cards, events)
		}
		none(t, d, "case light changes published twice", `SELECT payload::jsonb->>'no', payload::jsonb->>'before', payload::jsonb->>'light', COUNT(*)
			FROM outbox WHERE topic = 'case.light' AND payload::jsonb->>'light' <> payload::jsonb->>'before' GROUP BY 1, 2, 3 HAVING COUNT(*) > 1`)
		for _, level := range []struct{ name, light, before string }{{"case", "light", "before"}, {"step", "step_light", "step_before"}} {
			none(t, d, level.name+" lights turned yellow or red without a card", `SELECT o.id, o.payload FROM outbox o WHERE o.topic = 'case.light'
				AND o.payload::jsonb->>$1 IN ('yellow', 'red') AND o.payload::jsonb->>$1 <> o.payload::jsonb->>$2
				AND NOT EXISTS (SELECT 1 FROM supervise_cards k WHERE k.msg_id = o.id AND k.level = $3 AND k.scope = 'org'
					AND k.color = o.payload::jsonb->>$1)`, level.light, level.before, level.name)
		}
		if red := sqlCount(t, d, `SELECT COUNT(*) FROM supervise_cards WHERE scope = 'org' AND color = 'red'`); red == 0 {
			t.Error("no red card was issued: the lights check proved nothing")
		}
	})
	t.Run("each rating window closes once", func(t *testing.T) {
		none(t, d, "rating windows past their end still open", `SELECT id, closes_at FROM rating_moments WHERE status = 'open' AND closes_at <= $1`, c.now)
		defaulted := sqlCount(t, d, `SELECT COUNT(*) FROM rating_moments WHERE status = 'defaulted'`)
		if defaulted == 0 {
			t.Error("no rating window closed as 默认好评: the check proved nothing")
		}
		none(t, d, "windows closed twice", `SELECT stream, COUNT(*) FROM audit_events WHERE action = 'default-satisfied' GROUP BY stream HAVING COUNT(*) > 1`)
		if got := sqlCount(t, d, `SELECT COUNT(*) FROM audit_events WHERE action = 'default-satisfied'`); got != defaulted {
			t.Errorf("got %d default-satisfied events for %d defaulted windows, want one each", got, defaulted)
		}
	})
	t.Run("each reform task is reminded once per unit and month", func(t *testing.T) {
		none(t, d, "two letters to one unit in one month", `SELECT month, org_id, COUNT(*) FROM reform_letters GROUP BY month, org_id HAVING COUNT(*) > 1`)
		none(t, d, "letter numbers given twice", `SELECT doc_no, COUNT(*) FROM reform_letters GROUP BY doc_no HAVING COUNT(*) > 1`)
		for _, m := range c.months {
			if got := sqlCount(t, d, `SELECT COUNT(*) FROM reform_letters WHERE month = $1`, m); got == 0 {
				t.Errorf("no reform letter for %s", m)
			}
		}
		none(t, d, "reminders without exactly one audit event", `SELECT r.task_id, r.n, COALESCE(e.n, 0) FROM
			(SELECT task_id, COUNT(*) AS n FROM reform_reminders GROUP BY task_id) r
			LEFT JOIN (SELECT stream, COUNT(*) AS n FROM audit_events WHERE action = 'remind' GROUP BY stream) e ON e.stream = 'reform/' || r.task_id
			WHERE r.n <> COALESCE(e.n, 0)`)
	})
	t.Run("every outbox message is delivered and each SMS sent once", func(t *testing.T) {
		none(t, d, "undelivered outbox messages", `SELECT id, topic, attempts, last_error FROM outbox WHERE delivered_at IS NULL`)
		for _, ch := range []string{"sms", "email"} {
			msgs := sqlCount(t, d, `SELECT COUNT(*) FROM outbox WHERE topic = $1`, "notify."+ch)
			sent := sqlCount(t, d, `SELECT COUNT(*) FROM dev_messages WHERE channel = $1`, ch)
			if sent != msgs {
				t.Errorf("%s: got %d sent for %d outbox messages, want one each", ch, sent, msgs)
			}
		}
	})
}
