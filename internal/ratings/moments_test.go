package ratings

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/notify"
)

func TestCaseEvent_reached(t *testing.T) {
	for _, tc := range []struct {
		before, after string
		want          []Stage
	}{
		{"submitted", "accepted", []Stage{StageAccept}},
		{"correction", "accepted", []Stage{StageAccept}},
		{"submitted", "clock_stopped", []Stage{StageAccept}},
		{"submitted", "decided", []Stage{StageAccept}},
		{"submitted", "concluded", []Stage{StageAccept, StageConclude}},
		{"", "accepted", []Stage{StageAccept}},
		{"accepted", "accepted", nil}, // a review step
		{"accepted", "decided", nil},
		{"clock_stopped", "accepted", nil},
		{"decided", "concluded", []Stage{StageConclude}},
		{"concluded", "delivered", nil},
		{"decided", "delivered", []Stage{StageConclude}},
		{"draft", "submitted", nil},
		{"submitted", "refused", nil},
		{"submitted", "correction", nil},
		{"accepted", "withdrawn", nil},
	} {
		got := CaseEvent{Before: tc.before, After: tc.after}.reached()
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s → %s: got %v, want %v", tc.before, tc.after, got, tc.want)
		}
	}
}

// The moments opened from the facts a message carries are the moments the
// case itself gives (messages of older versions carry none), each opened
// and its link sent once however often a message is delivered.
func TestCaseEvent_opensEachMomentOnceFromTheMessage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _ := e.concluded(t)
		msgs := caseEventPayloads(t, e, c.No)
		if len(msgs) < 3 {
			t.Fatalf("got %d case events, want submit, decision and conclusion", len(msgs))
		}
		deliver := func(strip bool) {
			for i, p := range msgs {
				if strip {
					var m map[string]any
					if err := json.Unmarshal([]byte(p), &m); err != nil {
						t.Fatal(err)
					}
					if _, ok := m["facts"]; !ok {
						t.Fatalf("message %s carries no facts", p)
					}
					delete(m, "facts")
					b, _ := json.Marshal(m)
					p = string(b)
				}
				for range 2 {
					if err := e.svc.HandleCaseEvent(ctx, outboxMsg(int64(i+1), p)); err != nil {
						t.Fatalf("handle %s: %v", p, err)
					}
				}
			}
		}
		deliver(false)
		fromMessage := momentsOf(t, e, c.No)
		if len(fromMessage) != 2 || fromMessage[0].Stage != StageAccept || fromMessage[1].Stage != StageConclude {
			t.Fatalf("got moments %+v, want accept and conclude", fromMessage)
		}
		if n := rateLinks(t, e, c.No); n != 1 {
			t.Fatalf("got %d rating links sent, want 1", n)
		}
		if _, err := d.W.ExecContext(ctx, `DELETE FROM rating_moments WHERE case_no = $1`, c.No); err != nil {
			t.Fatal(err)
		}
		deliver(true)
		fromCase := momentsOf(t, e, c.No)
		for i := range fromCase {
			a, b := fromMessage[i], fromCase[i]
			a.ID, b.ID = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Errorf("moment %s from the message %+v, from the case %+v", a.Stage, a, b)
			}
		}
	})
}

func caseEventPayloads(t *testing.T, e *env, no string) []string {
	t.Helper()
	rows, err := e.d.R.QueryContext(context.Background(), `SELECT payload FROM outbox WHERE topic = 'case.event' AND payload LIKE $1 ORDER BY id`, `%"`+no+`"%`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func momentsOf(t *testing.T, e *env, no string) []Moment {
	t.Helper()
	rows, err := e.d.R.QueryContext(context.Background(), `SELECT `+momentCols+` FROM rating_moments WHERE case_no = $1 ORDER BY stage`, no)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []Moment
	for rows.Next() {
		m, err := scanMoment(rows)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func rateLinks(t *testing.T, e *env, no string) int {
	t.Helper()
	var n int
	if err := e.d.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE topic = $1 AND payload LIKE $2`,
		notify.TopicSMS, "%"+no+"%/rate/%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
