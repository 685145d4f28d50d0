package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
)

// A transactional handler failing on a message's first delivery leaves it
// with one attempt, the error and the first backoff, as the claiming path
// always recorded, while its chunk's other messages are delivered.
func TestTxFirstDeliveryFailureIsRecordedWithBackoff(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		for i := range 5 {
			mustEnqueue(t, d, t0, "tx.write", map[string]int{"n": i})
		}
		p := outbox.NewDispatcher(d)
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			var v struct{ N int }
			if err := m.Decode(&v); err != nil {
				return err
			}
			if v.N == 2 {
				return errors.New("boom")
			}
			return writeSink(ctx, tx, "x")
		})
		now := t0.Add(time.Minute)
		del, failed, err := p.DeliverBatch(context.Background(), now, 100)
		if err != nil || del != 4 || failed != 1 {
			t.Fatalf("got delivered %d failed %d err %v, want 4/1", del, failed, err)
		}
		rs := mustList(t, d, outbox.StatusRetrying)
		if len(rs) != 1 {
			t.Fatalf("retrying: got %d, want 1", len(rs))
		}
		if e := rs[0]; e.Attempts != 1 || !strings.Contains(e.LastError, "boom") || !e.AvailableAt.Equal(now.Add(p.BaseBackoff)) {
			t.Fatalf("failed message: got attempts %d error %q due %v, want 1, boom, %v", e.Attempts, e.LastError, e.AvailableAt, now.Add(p.BaseBackoff))
		}
		if got := len(sinkRecipients(t, d)); got != 4 {
			t.Fatalf("writes: got %d, want 4", got)
		}
	})
}

// A message due before a backlog of transactional first deliveries is not
// overtaken by it: the first batch delivers it, also when it is a retry or
// has a plain handler.
func TestOlderMessagesAreNotOvertakenByATxBacklog(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustEnqueue(t, d, t0, "plain.call", nil)
		mustEnqueue(t, d, t0, "tx.retry", nil)
		if _, err := d.W.Exec(`UPDATE outbox SET attempts = 1 WHERE topic = 'tx.retry'`); err != nil {
			t.Fatal(err)
		}
		for i := range 3 * outbox.ChunkSize {
			mustEnqueue(t, d, t0.Add(time.Second), "tx.write", map[string]int{"n": i})
		}
		p := outbox.NewDispatcher(d)
		p.Handle("plain.", func(ctx context.Context, m outbox.Message) error { return nil })
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error { return nil })
		const limit = 40
		del, _, err := p.DeliverBatch(ctx, t0.Add(time.Minute), limit)
		if err != nil || del != limit {
			t.Fatalf("got delivered %d err %v, want %d", del, err, limit)
		}
		for _, e := range append(mustList(t, d, outbox.StatusPending), mustList(t, d, outbox.StatusRetrying)...) {
			if e.Topic != "tx.write" {
				t.Fatalf("%s message due at %v: still undelivered after a batch of %d, want delivered before newer ones", e.Topic, t0, limit)
			}
		}
	})
}

// A shutdown while transactional first deliveries are handled under lock
// undoes them and leaves them due, untried, without reporting an error
// (the claiming path's shutdown reports none either).
func TestShutdownDuringLockedDeliveryIsNoError(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		for i := range 3 {
			mustEnqueue(t, d, t0, "tx.write", map[string]int{"n": i})
		}
		for _, last := range []bool{false, true} {
			ctx, cancel := context.WithCancel(context.Background())
			p := outbox.NewDispatcher(d)
			calls := 0
			p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
				calls++
				if !last || calls == 3 {
					cancel()
				}
				return writeSink(ctx, tx, "x")
			})
			del, failed, err := p.DeliverBatch(ctx, t0, 10)
			cancel()
			if err != nil || del != 0 || failed != 0 {
				t.Fatalf("cancelled at the last message %v: got delivered %d failed %d err %v, want 0/0/nil", last, del, failed, err)
			}
			pending := mustList(t, d, outbox.StatusPending)
			if len(pending) != 3 {
				t.Fatalf("got %d pending, want 3", len(pending))
			}
			for _, e := range pending {
				if e.Attempts != 0 || e.LastError != "" || !e.AvailableAt.Equal(t0) {
					t.Fatalf("message after shutdown: got %+v, want untried and due at %v", e, t0)
				}
			}
			if got := sinkRecipients(t, d); len(got) != 0 {
				t.Fatalf("committed writes: got %v, want none", got)
			}
		}
	})
}

// DB.Tx runs deliverLocked's function again after a serialization failure
// at commit: the count of the failed attempt must not survive into a retry
// that finds nothing to deliver (here another transaction holds the row).
func TestLockedDeliveryRetriedAfterACommitFailureCountsOnlyWhatCommitted(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		if d.Engine != db.Postgres {
			t.Skip("a deferred trigger failing the commit needs PostgreSQL")
		}
		ctx := context.Background()
		for _, stmt := range []string{
			`CREATE TABLE review_commit_fails (n INT)`,
			`CREATE FUNCTION review_fail() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'serialization' USING ERRCODE = '40001'; END $$`,
			`CREATE CONSTRAINT TRIGGER review_fail AFTER INSERT ON review_commit_fails
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION review_fail()`,
		} {
			if _, err := d.W.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		mustEnqueue(t, d, t0, "tx.write", nil)
		locked, release := make(chan struct{}), make(chan struct{})
		p := outbox.NewDispatcher(d)
		calls := 0
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			calls++
			if calls == 1 {
				go func() { // takes the row once the first attempt rolls back
					tx2, err := d.W.BeginTx(ctx, nil)
					if err != nil {
						panic(err)
					}
					defer tx2.Rollback()
					if _, err := tx2.Exec(`SELECT id FROM outbox WHERE id = $1 FOR UPDATE`, m.ID); err != nil {
						panic(err)
					}
					close(locked)
					<-release
				}()
			}
			if calls > 1 {
				return nil
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO review_commit_fails (n) VALUES (1)`)
			return err
		})
		del, _, err := p.DeliverBatch(ctx, t0, 10)
		<-locked
		close(release)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(mustList(t, d, outbox.StatusDelivered)); del != got {
			t.Fatalf("got delivered %d, want %d (rows marked delivered)", del, got)
		}
	})
}
