package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
)

var t0 = time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)

func mustEnqueue(t *testing.T, d *db.DB, at time.Time, topic string, payload any) {
	t.Helper()
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		return outbox.Enqueue(context.Background(), tx, at, topic, payload)
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func mustList(t *testing.T, d *db.DB, st outbox.Status) []outbox.Entry {
	t.Helper()
	es, err := outbox.List(context.Background(), d.R, st, 1000)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return es
}

func TestEnqueueCommitsWithItsTransaction(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := outbox.Enqueue(ctx, tx, t0, "notify.sms", map[string]string{"phone": "13800000000"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		if es := mustList(t, d, ""); len(es) != 0 {
			t.Fatalf("after rollback: got %d messages, want 0", len(es))
		}
		mustEnqueue(t, d, t0, "notify.sms", map[string]string{"phone": "13800000000"})
		es := mustList(t, d, "")
		if len(es) != 1 || es[0].Status != outbox.StatusPending || es[0].Topic != "notify.sms" || !es[0].CreatedAt.Equal(t0) {
			t.Fatalf("after commit: got %+v, want one pending notify.sms at %v", es, t0)
		}
		if got, want := string(es[0].Payload), `{"phone":"13800000000"}`; got != want {
			t.Fatalf("payload: got %s, want %s", got, want)
		}
		if err := outbox.Enqueue(ctx, d.W, t0, " ", nil); !errors.Is(err, outbox.ErrTopic) {
			t.Fatalf("empty topic: got %v, want ErrTopic", err)
		}
	})
}

func TestConcurrentDeliveryDeliversEachMessageOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n, workers = 200, 4
		for i := range n {
			mustEnqueue(t, d, t0, "case.accepted", map[string]int{"i": i})
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var inflight, maxInflight atomic.Int32
		p := outbox.NewDispatcher(d)
		p.Handle("case.", func(ctx context.Context, m outbox.Message) error {
			cur := inflight.Add(1)
			defer inflight.Add(-1)
			for {
				old := maxInflight.Load()
				if cur <= old || maxInflight.CompareAndSwap(old, cur) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			mu.Lock()
			seen[m.ID]++
			mu.Unlock()
			return nil
		})
		total := deliverConcurrently(t, p, workers, 7)
		if got := total; got != n {
			t.Fatalf("delivered count: got %d, want %d", got, n)
		}
		if len(seen) != n {
			t.Fatalf("distinct messages handled: got %d, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("message %d handled %d times, want 1", id, c)
			}
		}
		c, err := outbox.Pending(ctx, d.R)
		if err != nil || c != (outbox.Counts{Delivered: n}) {
			t.Fatalf("counts: got %+v (err %v), want %d delivered only", c, err, n)
		}
		if maxInflight.Load() < 2 {
			t.Fatalf("max concurrent handlers: got %d, want ≥ 2 (claims must not serialize handlers)", maxInflight.Load())
		}
		t.Logf("%s: max concurrent handlers %d", d.Engine, maxInflight.Load())
	})
}

func TestFailingHandlerIsRetriedWithBackoff(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustEnqueue(t, d, t0, "notify.email", "x")
		calls := 0
		p := outbox.NewDispatcher(d)
		p.Handle("notify.", func(ctx context.Context, m outbox.Message) error {
			calls++
			if m.Attempt != calls {
				t.Errorf("attempt: got %d, want %d", m.Attempt, calls)
			}
			if calls <= 2 {
				return fmt.Errorf("provider down (try %d)", calls)
			}
			return nil
		})
		steps := []struct {
			at                  time.Duration
			delivered, failed   int
			wantStatus          outbox.Status
			wantNext            time.Duration // available_at after the step
			wantErrorContaining string
		}{
			{0, 0, 1, outbox.StatusRetrying, 30 * time.Second, "try 1"},
			{29 * time.Second, 0, 0, outbox.StatusRetrying, 30 * time.Second, "try 1"},
			{30 * time.Second, 0, 1, outbox.StatusRetrying, 90 * time.Second, "try 2"},
			{89 * time.Second, 0, 0, outbox.StatusRetrying, 90 * time.Second, "try 2"},
			{90 * time.Second, 1, 0, outbox.StatusDelivered, 90*time.Second + p.Lease, ""},
		}
		for i, s := range steps {
			del, failed, err := p.DeliverBatch(ctx, t0.Add(s.at), 10)
			if err != nil || del != s.delivered || failed != s.failed {
				t.Fatalf("step %d at +%v: got delivered %d failed %d err %v, want %d/%d", i, s.at, del, failed, err, s.delivered, s.failed)
			}
			e := mustList(t, d, "")[0]
			if e.Status != s.wantStatus || !e.AvailableAt.Equal(t0.Add(s.wantNext)) || !strings.Contains(e.LastError, s.wantErrorContaining) {
				t.Fatalf("step %d: got status %s next %v error %q, want %s next %v error containing %q",
					i, e.Status, e.AvailableAt.Sub(t0), e.LastError, s.wantStatus, s.wantNext, s.wantErrorContaining)
			}
		}
		if e := mustList(t, d, outbox.StatusDelivered); len(e) != 1 || e[0].LastError != "" || !e[0].DeliveredAt.Equal(t0.Add(90*time.Second)) {
			t.Fatalf("delivered row: got %+v, want delivered at +90s with error cleared", e)
		}
	})
}

func TestBackoffDoublesUpToCap(t *testing.T) {
	p := outbox.NewDispatcher(nil)
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {7, 32 * time.Minute}, {8, time.Hour}, {100, time.Hour}} {
		if got := p.Backoff(c.attempt); got != c.want {
			t.Errorf("Backoff(%d): got %v, want %v", c.attempt, got, c.want)
		}
	}
}

func TestMessageIsParkedDeadAfterMaxAttemptsAndCanBeRetried(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustEnqueue(t, d, t0, "webhook.tax", nil)
		mustEnqueue(t, d, t0, "unrouted.topic", nil)
		p := outbox.NewDispatcher(d)
		fail := true
		p.Handle("webhook.", func(ctx context.Context, m outbox.Message) error {
			if fail {
				panic("handler bug")
			}
			return nil
		})
		now := t0
		for i := 0; i < outbox.MaxAttempts+3; i++ {
			if _, _, err := p.DeliverBatch(ctx, now, 10); err != nil {
				t.Fatal(err)
			}
			now = now.Add(2 * time.Hour)
		}
		dead := mustList(t, d, outbox.StatusDead)
		if len(dead) != 2 {
			t.Fatalf("dead: got %d, want 2", len(dead))
		}
		for _, e := range dead {
			if e.Attempts != outbox.MaxAttempts {
				t.Errorf("message %s: got %d attempts, want %d", e.Topic, e.Attempts, outbox.MaxAttempts)
			}
			want := "handler panic: handler bug"
			if e.Topic == "unrouted.topic" {
				want = "no handler registered"
			}
			if !strings.Contains(e.LastError, want) {
				t.Errorf("message %s: got error %q, want it to contain %q", e.Topic, e.LastError, want)
			}
		}
		if c, _ := outbox.Pending(ctx, d.R); c.Dead != 2 || c.Undelivered() != 0 {
			t.Fatalf("counts: got %+v, want 2 dead, 0 undelivered", c)
		}
		webhookID := dead[0].ID
		if dead[0].Topic != "webhook.tax" {
			webhookID = dead[1].ID
		}
		if err := outbox.Retry(ctx, d.W, now, webhookID); err != nil {
			t.Fatalf("retry dead: %v", err)
		}
		fail = false
		if del, _, err := p.DeliverBatch(ctx, now, 10); err != nil || del != 1 {
			t.Fatalf("after retry: got %d delivered (err %v), want 1", del, err)
		}
		if err := outbox.Retry(ctx, d.W, now, webhookID); !errors.Is(err, outbox.ErrNotDead) {
			t.Fatalf("retry delivered: got %v, want ErrNotDead", err)
		}
	})
}

func TestClaimantWithExpiredLeaseCannotMark(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustEnqueue(t, d, t0, "slow.job", nil)
		fast := outbox.NewDispatcher(d)
		fastCalls := 0
		fast.Handle("slow.", func(ctx context.Context, m outbox.Message) error { fastCalls++; return nil })
		slow := outbox.NewDispatcher(d)
		var fastDelivered int
		slow.Handle("slow.", func(ctx context.Context, m outbox.Message) error {
			// While the slow node is still busy its lease runs out and
			// another node claims and delivers the same message.
			var err error
			fastDelivered, _, err = fast.DeliverBatch(ctx, t0.Add(slow.Lease+time.Second), 10)
			return err
		})
		del, failed, err := slow.DeliverBatch(ctx, t0, 10)
		if err != nil || del != 0 || failed != 0 {
			t.Fatalf("slow node: got delivered %d failed %d err %v, want 0/0 (lease lost)", del, failed, err)
		}
		if fastDelivered != 1 || fastCalls != 1 {
			t.Fatalf("fast node: got delivered %d calls %d, want 1/1", fastDelivered, fastCalls)
		}
		es := mustList(t, d, "")
		if es[0].Status != outbox.StatusDelivered || es[0].Attempts != 2 {
			t.Fatalf("row: got %s after %d attempts, want delivered after 2", es[0].Status, es[0].Attempts)
		}
	})
}

func TestLongestPrefixHandlerWins(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		mustEnqueue(t, d, t0, "notify.sms", nil)
		mustEnqueue(t, d, t0, "notify.email", nil)
		got := map[string]string{}
		p := outbox.NewDispatcher(d)
		p.Handle("notify.", func(ctx context.Context, m outbox.Message) error { got[m.Topic] = "notify."; return nil })
		p.Handle("notify.sms", func(ctx context.Context, m outbox.Message) error { got[m.Topic] = "notify.sms"; return nil })
		if _, _, err := p.DeliverBatch(context.Background(), t0, 10); err != nil {
			t.Fatal(err)
		}
		if got["notify.sms"] != "notify.sms" || got["notify.email"] != "notify." {
			t.Fatalf("routing: got %v, want sms→notify.sms, email→notify.", got)
		}
	})
}

// deliverConcurrently runs workers deliverers of batches of limit at once
// until each gets an empty batch, failing the test on an error, a failed
// message or a batch over its limit; it returns how many were delivered.
func deliverConcurrently(t *testing.T, p *outbox.Dispatcher, workers, limit int) int {
	t.Helper()
	var total atomic.Int32
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				del, failed, err := p.DeliverBatch(context.Background(), t0.Add(time.Second), limit)
				switch {
				case err != nil:
					errc <- err
				case failed != 0:
					errc <- fmt.Errorf("%d failed", failed)
				case del > limit:
					errc <- fmt.Errorf("one batch delivered %d, want ≤ limit %d", del, limit)
				}
				if err != nil || failed != 0 || del > limit {
					return
				}
				total.Add(int32(del))
				if del == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("deliver: %v", err)
	}
	return int(total.Load())
}
