package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A panic in fn (which the web, job and outbox layers recover from) must not
// leave Tx hung with its connection and row locks: the transaction is rolled
// back and the panic goes on.
func TestTxPanicRollsBackAndReleasesTheConnection(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE panic_rows (k TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			_ = d.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO panic_rows VALUES ('a')`); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		select {
		case p := <-done:
			if p != "boom" {
				t.Fatalf("recovered %v, want the panic", p)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Tx hangs after a panic in fn")
		}
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM panic_rows`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("got %d rows (%v), want the insert rolled back", n, err)
		}
		// The row is not locked by a transaction left open.
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := d.Tx(tctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(tctx, `INSERT INTO panic_rows VALUES ('a')`)
			return err
		}); err != nil {
			t.Fatalf("after the panic: %v", err)
		}
	})
}
