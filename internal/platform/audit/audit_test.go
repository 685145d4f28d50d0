package audit_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestChainVerifiesAndNamesFirstBrokenLink(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		actor := audit.Actor{ID: 0, Role: "admin"}
		for i := 0; i < 4; i++ {
			for _, s := range []string{"case/A", "case/B"} {
				if err := d.Tx(ctx, func(tx *sql.Tx) error {
					_, err := audit.Append(ctx, tx, at.Add(time.Duration(i)*time.Minute), actor, s, "step", map[string]int{"i": i})
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		res, err := audit.Verify(ctx, d.R, "")
		if err != nil || res.Streams != 2 || res.Events != 8 || len(res.Broken) != 0 {
			t.Fatalf("intact chains: got %+v, err %v; want 2 streams, 8 events, none broken", res, err)
		}
		// Tamper with the content of event 3 of stream B.
		if _, err := d.W.ExecContext(ctx, `UPDATE audit_events SET data = '{"i":99}' WHERE stream = 'case/B' AND seq = 3`); err != nil {
			t.Fatal(err)
		}
		res, _ = audit.Verify(ctx, d.R, "case/")
		if len(res.Broken) != 1 || res.Broken[0].Stream != "case/B" || res.Broken[0].Seq != 3 {
			t.Fatalf("tampered: got %+v, want case/B seq 3 broken", res.Broken)
		}
		// Delete event 2 of stream A.
		if _, err := d.W.ExecContext(ctx, `DELETE FROM audit_events WHERE stream = 'case/A' AND seq = 2`); err != nil {
			t.Fatal(err)
		}
		res, _ = audit.Verify(ctx, d.R, "")
		if len(res.Broken) != 2 || res.Broken[0].Stream != "case/A" || res.Broken[0].Seq != 3 {
			t.Fatalf("deleted: got %+v, want case/A broken at seq 3", res.Broken)
		}
		evs, err := audit.Stream(ctx, d.R, "case/B")
		if err != nil || len(evs) != 4 || evs[0].Role != "admin" {
			t.Fatalf("Stream: got %d events, err %v", len(evs), err)
		}
	})
}
