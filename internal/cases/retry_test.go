package cases

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// flakyNotifier fails its first notice with a deadlock, which DB.Tx retries.
type flakyNotifier struct{ calls int }

func (f *flakyNotifier) Notify(ctx context.Context, q db.Execer, at time.Time, n Notice) error {
	if f.calls++; f.calls == 1 {
		return &pgconn.PgError{Code: "40P01", Message: "deadlock detected (test)"}
	}
	return OutboxNotifier{}.Notify(ctx, q, at, n)
}

// A submission whose first attempt is rolled back and retried by DB.Tx is
// written as if the first attempt never happened: one timeline event (the
// rolled-back attempt had moved the case's audit head), its status and trips.
func TestSubmit_retriedAttemptStartsAgainFromTheRequest(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		plain := e.mustSubmitWindow(t, itemPromised)
		flaky := &flakyNotifier{}
		e.svc.notify = flaky
		c := e.mustSubmitWindow(t, itemPromised)
		if flaky.calls < 2 {
			t.Fatalf("notifier called %d times, want a failed and a retried attempt", flaky.calls)
		}
		got := e.get(t, c.No)
		if got.Status != plain.Status || got.Trips != plain.Trips || len(got.Steps) != len(plain.Steps) {
			t.Errorf("retried: status %s trips %d steps %d, want %s %d %d as without a retry",
				got.Status, got.Trips, len(got.Steps), plain.Status, plain.Trips, len(plain.Steps))
		}
		events, err := audit.Stream(ctx, d.R, "case/"+c.No)
		if err != nil || len(events) != 1 || events[0].Seq != 1 {
			t.Fatalf("timeline: got %d events (%v), want one with seq 1", len(events), err)
		}
		if res, err := audit.Verify(ctx, d.R, "case/"+c.No); err != nil || len(res.Broken) != 0 {
			t.Errorf("audit verify: %+v (%v)", res, err)
		}
	})
}
