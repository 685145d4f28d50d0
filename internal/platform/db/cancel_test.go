package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A context cancelled before or during a Flush leaves no connection in use
// and nothing written.
func TestFlushCancelledLeavesPoolSound(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if d.Engine != db.Postgres {
			t.Skip("pgx batch only")
		}
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE cancel_rows (k INTEGER PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		for i, delay := range []time.Duration{0, time.Millisecond, 20 * time.Millisecond} {
			cctx, cancel := context.WithCancel(ctx)
			err := d.Tx(cctx, func(tx *sql.Tx) error {
				var b db.Batch
				b.ExecContext(cctx, `INSERT INTO cancel_rows VALUES ($1)`, i)
				b.ExecContext(cctx, `SELECT pg_sleep(0.2)`)
				if delay == 0 {
					cancel()
				} else {
					time.AfterFunc(delay, cancel)
				}
				return d.Flush(cctx, tx, &b)
			})
			cancel()
			t.Logf("delay %v: %v", delay, err)
			if err == nil {
				t.Errorf("delay %v: flush with a cancelled context succeeded", delay)
			}
		}
		time.Sleep(100 * time.Millisecond)
		if s := d.W.Stats(); s.InUse != 0 {
			t.Errorf("connections in use: %d", s.InUse)
		}
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cancel_rows`).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows: %d (%v), want 0", n, err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			var b db.Batch
			b.ExecContext(ctx, `INSERT INTO cancel_rows VALUES (7)`)
			b.ExecContext(ctx, `INSERT INTO cancel_rows VALUES (8)`)
			return d.Flush(ctx, tx, &b)
		}); err != nil {
			t.Fatalf("after: %v", err)
		}
	})
}
