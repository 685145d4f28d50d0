package db_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

// A Batch runs its statements in order inside the transaction (reads before
// and after the flush see the right state), a failing statement rolls the
// whole transaction back with the translated error, and a transaction not
// begun by DB.Tx gets the same writes one by one.
func TestBatchWritesInOrderInsideTheTransaction(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE batch_rows (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		count := func(q db.Q) (n int) {
			t.Helper()
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM batch_rows`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO batch_rows VALUES ('a', 1)`); err != nil {
				return err
			}
			var b db.Batch
			// in order: the update sees the insert queued before it
			b.ExecContext(ctx, `INSERT INTO batch_rows VALUES ($1, $2)`, "b", 2)
			b.ExecContext(ctx, `UPDATE batch_rows SET v = v * 10 WHERE k = $1`, "b")
			b.ExecContext(ctx, `UPDATE batch_rows SET v = v + (SELECT v FROM batch_rows WHERE k = 'a') WHERE k = $1`, "b")
			if b.Len() != 3 {
				t.Errorf("queued: got %d, want 3", b.Len())
			}
			if n := count(tx); n != 1 {
				t.Errorf("before the flush: got %d rows, want 1", n)
			}
			if err := d.Flush(ctx, tx, &b); err != nil {
				return err
			}
			if b.Len() != 0 {
				t.Errorf("after the flush: %d still queued", b.Len())
			}
			if n := count(tx); n != 2 {
				t.Errorf("after the flush, in the transaction: got %d rows, want 2", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var v int
		if err := d.R.QueryRowContext(ctx, `SELECT v FROM batch_rows WHERE k = 'b'`).Scan(&v); err != nil || v != 21 {
			t.Fatalf("got v = %d (%v), want 21", v, err)
		}

		err = d.Tx(ctx, func(tx *sql.Tx) error {
			var b db.Batch
			b.ExecContext(ctx, `INSERT INTO batch_rows VALUES ('c', 3)`)
			b.ExecContext(ctx, `INSERT INTO batch_rows VALUES ('a', 9)`) // duplicate key
			b.ExecContext(ctx, `INSERT INTO batch_rows VALUES ('d', 4)`)
			return d.Flush(ctx, tx, &b)
		})
		if !db.IsDuplicate(err) || errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a duplicate in the batch: got %v, want conflict/duplicate", err)
		}
		if n := count(d.R); n != 2 {
			t.Fatalf("after the failed batch: got %d rows, want the 2 from before", n)
		}

		tx, err := d.W.BeginTx(ctx, nil) // not begun by DB.Tx: one by one
		if err != nil {
			t.Fatal(err)
		}
		var b db.Batch
		b.ExecContext(ctx, `INSERT INTO batch_rows VALUES ('e', 5)`)
		b.ExecContext(ctx, `INSERT INTO batch_rows VALUES ('f', 6)`)
		if err := d.Flush(ctx, tx, &b); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if n := count(d.R); n != 4 {
			t.Fatalf("got %d rows, want 4", n)
		}
		if _, err := (&db.Batch{}).ExecContext(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		res, _ := (&db.Batch{}).ExecContext(ctx, "SELECT 1")
		if _, err := res.RowsAffected(); err == nil || !strings.Contains(err.Error(), "queued") {
			t.Errorf("rows affected of a queued statement: got %v, want an error", err)
		}
	})
}
