package jobs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

var t0 = time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)

// newRunner returns a runner on a frozen wall clock so tests decide when
// periods elapse.
func newRunner(d *db.DB, node string) (*Runner, *clock.Sim) {
	r := New(d, node, nil)
	c := clock.NewFrozen(t0)
	r.Clock = c
	return r, c
}

func TestRacingRunnersRunJobOncePerPeriod(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const nodes, every = 4, 10 * time.Second
		var runs atomic.Int32
		var rs []*Runner
		var cs []*clock.Sim
		for i := range nodes {
			r, c := newRunner(d, "node"+string(rune('a'+i)))
			r.Register("lights", every, func(ctx context.Context) error {
				runs.Add(1)
				time.Sleep(time.Millisecond)
				return nil
			})
			rs, cs = append(rs, r), append(cs, c)
		}
		for period := range 5 {
			for _, at := range []time.Duration{0, every / 2} {
				var wg sync.WaitGroup
				for i, r := range rs {
					cs[i].Set(t0.Add(time.Duration(period)*every + at))
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := r.tick(ctx, r.jobs["lights"]); err != nil {
							t.Errorf("tick: %v", err)
						}
					}()
				}
				wg.Wait()
				if got, want := runs.Load(), int32(period+1); got != want {
					t.Fatalf("period %d +%v: got %d runs, want %d", period, at, got, want)
				}
			}
		}
	})
}

func TestPanickingJobIsRecordedNotFatal(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r, c := newRunner(d, "a")
		r.Register("boom", time.Minute, func(ctx context.Context) error { panic("nil map") })
		r.Register("zzz", time.Hour, func(ctx context.Context) error { return nil })
		ran, err := r.tick(ctx, r.jobs["boom"])
		if err != nil || !ran {
			t.Fatalf("tick: got ran %v err %v, want ran", ran, err)
		}
		c.Advance(time.Second)
		st, err := r.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 2 || st[0].Name != "boom" || st[1].Name != "zzz" || st[1].Every != time.Hour {
			t.Fatalf("status: got %+v, want boom and zzz in order", st)
		}
		b := st[0]
		if !strings.Contains(b.LastError, "panicked: nil map") || b.Running || !b.LastStartedAt.Equal(t0) || !b.LastFinishedAt.Equal(t0) {
			t.Fatalf("boom status: got %+v, want panic error, not running, started/finished at %v", b, t0)
		}
		if !strings.HasPrefix(b.Holder, "a/") {
			t.Fatalf("holder: got %q, want node a", b.Holder)
		}
		if !st[1].LastStartedAt.IsZero() {
			t.Fatalf("never-run job: got started %v, want zero", st[1].LastStartedAt)
		}
	})
}

func TestRunOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		runs := 0
		fail := errors.New("upstream down")
		r, _ := newRunner(d, "cli")
		r.Register("stats", time.Hour, func(ctx context.Context) error {
			runs++
			if runs == 2 {
				return fail
			}
			return nil
		})
		if err := r.RunOnce(ctx, "nope"); !errors.Is(err, ErrUnknown) {
			t.Fatalf("unknown job: got %v, want ErrUnknown", err)
		}
		if err := r.RunOnce(ctx, "stats"); err != nil {
			t.Fatalf("first run: %v", err)
		}
		if err := r.RunOnce(ctx, "stats"); !errors.Is(err, fail) {
			t.Fatalf("second run within the period: got %v, want the job's error", err)
		}
		if runs != 2 {
			t.Fatalf("runs: got %d, want 2 (RunOnce ignores the period)", runs)
		}
		st, _ := r.Status(ctx)
		if st[0].LastError != fail.Error() {
			t.Fatalf("last error: got %q, want %q", st[0].LastError, fail)
		}

		// A serve node holds the lease: the CLI must not run it alongside.
		serve, _ := newRunner(d, "serve")
		inJob, release := make(chan struct{}), make(chan struct{})
		serve.Register("stats", time.Hour, func(ctx context.Context) error { close(inJob); <-release; return nil })
		done := make(chan error)
		go func() { done <- serve.RunOnce(ctx, "stats") }()
		<-inJob
		if err := r.RunOnce(ctx, "stats"); !errors.Is(err, ErrBusy) {
			t.Fatalf("while running elsewhere: got %v, want ErrBusy", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := r.RunOnce(ctx, "stats"); err != nil {
			t.Fatalf("after release: got %v, want success", err)
		}
	})
}

func TestLeaseOfKilledNodeLapses(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dead, _ := newRunner(d, "dead")
		dead.Register("remind", 10*time.Second, func(ctx context.Context) error { return nil })
		// The dead node took the lease and was killed before finishing.
		if got, err := dead.acquire(ctx, dead.jobs["remind"], t0, t0); err != nil || !got {
			t.Fatalf("acquire: got %v err %v", got, err)
		}
		r, c := newRunner(d, "alive")
		ran := 0
		r.Register("remind", 10*time.Second, func(ctx context.Context) error { ran++; return nil })
		for _, s := range []struct {
			at   time.Duration
			want int
		}{{10 * time.Second, 0}, {59 * time.Second, 0}, {time.Minute, 1}} {
			c.Set(t0.Add(s.at))
			if _, err := r.tick(ctx, r.jobs["remind"]); err != nil {
				t.Fatal(err)
			}
			if ran != s.want {
				t.Fatalf("at +%v: got %d runs, want %d (lease TTL %v)", s.at, ran, s.want, r.LeaseTTL)
			}
		}
	})
}

func TestLostLeaseCancelsJob(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r, _ := newRunner(d, "a")
		r.LeaseTTL = 30 * time.Millisecond
		r.Register("long", time.Hour, func(ctx context.Context) error {
			if _, err := d.W.ExecContext(ctx, `UPDATE job_leases SET holder = 'thief' WHERE name = 'long'`); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Second):
				return nil
			}
		})
		if err := r.RunOnce(ctx, "long"); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled after the lease was taken over", err)
		}
	})
}

func TestRunTicksUntilCancelled(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		const every = 40 * time.Millisecond
		var runs atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		start := time.Now()
		for _, node := range []string{"a", "b"} {
			r := New(d, node, nil)
			r.Register("tick", every, func(ctx context.Context) error { runs.Add(1); return nil })
			wg.Add(1)
			go func() { defer wg.Done(); r.Run(ctx) }()
		}
		time.Sleep(5 * every)
		cancel()
		wg.Wait()
		elapsed := time.Since(start)
		// Two runs never start closer than 0.9 periods, whatever the nodes do.
		maxRuns := int32(elapsed/(every*9/10)) + 1
		if got := runs.Load(); got < 1 || got > maxRuns {
			t.Fatalf("runs in %v: got %d, want 1..%d", elapsed, got, maxRuns)
		}
	})
}
