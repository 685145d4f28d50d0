package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
)

// sinkRecipients lists the recipients written to dev_messages, sorted.
func sinkRecipients(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), `SELECT recipient FROM dev_messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func writeSink(ctx context.Context, tx *sql.Tx, who string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO dev_messages (channel, recipient, subject, body, created_at) VALUES ('sms', $1, '', '', $2)`, who, t0)
	return err
}

// A transactional handler's writes commit with the delivery mark: over more
// messages than one chunk, the failing and panicking handlers' writes are
// undone alone, and plain handlers in the same batch are marked too.
func TestTxHandlerWritesCommitWithTheMarkAndFailuresAreUndoneAlone(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n := outbox.ChunkSize + 9
		for i := range n {
			mustEnqueue(t, d, t0, "tx.write", map[string]int{"n": i})
		}
		mustEnqueue(t, d, t0, "plain.call", nil)
		p := outbox.NewDispatcher(d)
		plainCalls := 0
		p.Handle("plain.", func(ctx context.Context, m outbox.Message) error { plainCalls++; return nil })
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			var v struct{ N int }
			if err := m.Decode(&v); err != nil {
				return err
			}
			if err := writeSink(ctx, tx, fmt.Sprintf("%03d", v.N)); err != nil {
				return err
			}
			switch {
			case v.N%10 == 3:
				return errors.New("refused after writing")
			case v.N == 5:
				panic("handler bug after writing")
			}
			return nil
		})
		del, failed, err := p.DeliverBatch(ctx, t0, 100)
		var want []string
		wantFailed := 0
		for i := range n {
			if i%10 == 3 || i == 5 {
				wantFailed++
				continue
			}
			want = append(want, fmt.Sprintf("%03d", i))
		}
		if err != nil || del != n+1-wantFailed || failed != wantFailed {
			t.Fatalf("got delivered %d failed %d err %v, want %d/%d", del, failed, err, n+1-wantFailed, wantFailed)
		}
		if plainCalls != 1 {
			t.Fatalf("plain handler: got %d calls, want 1", plainCalls)
		}
		if got := sinkRecipients(t, d); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("committed writes:\ngot  %v\nwant %v", got, want)
		}
		if got := len(mustList(t, d, outbox.StatusDelivered)); got != n+1-wantFailed {
			t.Fatalf("delivered rows: got %d, want %d", got, n+1-wantFailed)
		}
		if got := len(mustList(t, d, outbox.StatusRetrying)); got != wantFailed {
			t.Fatalf("retrying rows: got %d, want %d", got, wantFailed)
		}
	})
}

// When the claim is lost while a transactional handler runs (another node
// took the message over), its writes are undone and nothing is counted.
func TestTxHandlerWritesAreUndoneWhenTheClaimIsLost(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustEnqueue(t, d, t0, "tx.write", nil)
		p := outbox.NewDispatcher(d)
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			if err := writeSink(ctx, tx, "lost"); err != nil {
				return err
			}
			// Another claimant counted a newer attempt meanwhile.
			_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE id = $1`, m.ID)
			return err
		})
		del, failed, err := p.DeliverBatch(ctx, t0, 10)
		if err != nil || del != 0 || failed != 0 {
			t.Fatalf("got delivered %d failed %d err %v, want 0/0 (claim lost)", del, failed, err)
		}
		if got := sinkRecipients(t, d); len(got) != 0 {
			t.Fatalf("writes of a lost claim: got %v, want none", got)
		}
		if es := mustList(t, d, outbox.StatusDelivered); len(es) != 0 {
			t.Fatalf("got %d delivered rows, want 0", len(es))
		}
	})
}

// A batch cut short (the node shuts down) gives its undelivered messages
// back at once, their attempt not counted, instead of recording failures.
// The transactional messages are retries (a first attempt failed), so that
// they are claimed with the plain ones rather than delivered under lock.
func TestShutdownMidBatchReleasesTheRest(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		for i := range 4 {
			topic := "tx.write"
			if i%2 == 1 {
				topic = "plain.call"
			}
			mustEnqueue(t, d, t0, topic, map[string]int{"n": i})
		}
		if _, err := d.W.Exec(`UPDATE outbox SET attempts = 1 WHERE topic = 'tx.write'`); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p := outbox.NewDispatcher(d)
		p.Handle("plain.", func(ctx context.Context, m outbox.Message) error {
			cancel() // shutdown begins while the first plain message is sent
			return nil
		})
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			return writeSink(ctx, tx, "x")
		})
		del, failed, err := p.DeliverBatch(ctx, t0, 10)
		if err != nil || del != 1 || failed != 0 {
			t.Fatalf("got delivered %d failed %d err %v, want 1/0", del, failed, err)
		}
		pending := append(mustList(t, d, outbox.StatusPending), mustList(t, d, outbox.StatusRetrying)...)
		if len(pending) != 3 {
			t.Fatalf("released messages: got %d pending or retrying, want 3", len(pending))
		}
		for _, e := range pending {
			want := 0
			if e.Topic == "tx.write" {
				want = 1
			}
			if e.Attempts != want || e.LastError != "" || !e.AvailableAt.Equal(t0) {
				t.Fatalf("released message: got %+v, want %d attempts (not counted), no error, due at %v", e, want, t0)
			}
		}
		if got := sinkRecipients(t, d); len(got) != 0 {
			t.Fatalf("committed writes: got %v, want none", got)
		}
	})
}

// A chunk mixing first deliveries with retries (attempt numbers 1 and 2)
// is marked delivered as a whole, and only when every claim is still ours.
func TestTxChunkOfMixedAttemptsIsMarkedWhole(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := range 3 {
			mustEnqueue(t, d, t0, "tx.write", map[string]int{"n": i})
		}
		p := outbox.NewDispatcher(d)
		fail, calls := true, 0
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			calls++
			var v struct{ N int }
			if err := m.Decode(&v); err != nil {
				return err
			}
			if fail && v.N == 1 {
				return errors.New("not yet")
			}
			return writeSink(ctx, tx, fmt.Sprintf("%d-%d", v.N, m.Attempt))
		})
		if del, failed, err := p.DeliverBatch(ctx, t0, 10); err != nil || del != 2 || failed != 1 {
			t.Fatalf("first batch: got delivered %d failed %d err %v, want 2/1", del, failed, err)
		}
		later := t0.Add(time.Hour) // past the retry's backoff
		for i := 3; i < 5; i++ {
			mustEnqueue(t, d, later, "tx.write", map[string]int{"n": i})
		}
		fail, calls = false, 0
		if del, failed, err := p.DeliverBatch(ctx, later, 10); err != nil || del != 3 || failed != 0 {
			t.Fatalf("mixed batch: got delivered %d failed %d err %v, want 3/0", del, failed, err)
		}
		if calls != 3 { // one chunk, one mark: not redone message by message
			t.Fatalf("handler calls in the mixed batch: got %d, want 3", calls)
		}
		if got, want := fmt.Sprint(sinkRecipients(t, d)), "[0-1 1-2 2-1 3-1 4-1]"; got != want {
			t.Fatalf("committed writes: got %s, want %s", got, want)
		}
		if got := len(mustList(t, d, outbox.StatusDelivered)); got != 5 {
			t.Fatalf("delivered rows: got %d, want 5", got)
		}
	})
}

// First deliveries whose handlers all run in the delivery transaction are
// locked, handled and marked in it, without a claim (their available_at
// stays where it was), also when messages for plain handlers are queued
// among them; concurrent deliverers deliver every message exactly once.
func TestTxFirstDeliveriesGoWithoutAClaimExactlyOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		p := outbox.NewDispatcher(d)
		var plainCalls atomic.Int32
		p.Handle("plain.", func(ctx context.Context, m outbox.Message) error { plainCalls.Add(1); return nil })
		p.Handle("tx.plain", func(ctx context.Context, m outbox.Message) error { plainCalls.Add(1); return nil }) // overrides "tx."
		p.HandleTx("tx.", func(ctx context.Context, tx *sql.Tx, m outbox.Message) error {
			if m.Attempt != 1 {
				return fmt.Errorf("attempt %d, want 1", m.Attempt)
			}
			var v struct{ N int }
			if err := m.Decode(&v); err != nil {
				return err
			}
			return writeSink(ctx, tx, fmt.Sprintf("%03d", v.N))
		})
		enqueue := func(from, to int) (want []string) {
			for i := from; i < to; i++ {
				topic := "tx.write"
				switch i % 10 {
				case 9:
					topic = "plain.call"
				case 8:
					topic = "tx.plain"
				default:
					want = append(want, fmt.Sprintf("%03d", i))
				}
				mustEnqueue(t, d, t0, topic, map[string]int{"n": i})
			}
			return want
		}

		// One deliverer: no transactional message is claimed.
		want := enqueue(0, 60)
		if del, failed, err := p.DeliverBatch(ctx, t0.Add(time.Second), 100); err != nil || del != 60 || failed != 0 {
			t.Fatalf("one deliverer: got delivered %d failed %d err %v, want 60/0", del, failed, err)
		}
		for _, e := range mustList(t, d, outbox.StatusDelivered) {
			claimed := !e.AvailableAt.Equal(t0)
			if e.Attempts != 1 || claimed != (e.Topic != "tx.write") {
				t.Fatalf("%s message %d: attempts %d, available_at %v; want 1 attempt, claimed only if plain", e.Topic, e.ID, e.Attempts, e.AvailableAt)
			}
		}

		// Four at once: each message once.
		const n, workers = 200, 4
		want = append(want, enqueue(60, 60+n)...)
		total := deliverConcurrently(t, p, workers, 20)
		if got := sinkRecipients(t, d); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("transactional writes (each once):\ngot  %v\nwant %v", got, want)
		}
		if total != n || plainCalls.Load() != (60+n)/5 {
			t.Fatalf("delivered %d (plain calls %d), want %d (%d)", total, plainCalls.Load(), n, (60+n)/5)
		}
	})
}
