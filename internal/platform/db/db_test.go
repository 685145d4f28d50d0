package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		applied, err := d.Migrate(ctx, time.Now())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate: applied %v, err %v; want nothing", applied, err)
		}
		if err := d.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema on current db: %v", err)
		}
		// A migration missing below the highest applied one (merged later from a
		// parallel branch) is reported as outdated and applied by Migrate.
		if _, err := d.W.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 1`); err != nil {
			t.Fatal(err)
		}
		if err := d.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaOutdated) {
			t.Fatalf("CheckSchema with a gap: got %v, want ErrSchemaOutdated", err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '0001_foundation', $1)`, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', $1)`, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(ctx, time.Now()); !errors.Is(err, db.ErrSchemaTooNew) {
			t.Fatalf("migrate newer schema: got %v, want ErrSchemaTooNew", err)
		}
		if err := d.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaTooNew) {
			t.Fatalf("CheckSchema newer schema: got %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestTxRollsBackAndTranslatesErrors(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		insert := func(q db.Q) error {
			_, err := q.ExecContext(ctx, `INSERT INTO regions (code, name, level, created_at) VALUES ($1, $2, $3, $4)`, "990000", "示范省", "province", now)
			return err
		}
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := insert(tx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after rollback: %d rows, err %v; want 0", n, err)
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error { return insert(tx) }); err != nil {
			t.Fatal(err)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error { return insert(tx) })
		if !db.IsDuplicate(err) || errs.KindOf(err) != errs.Conflict {
			t.Fatalf("duplicate insert: got %v, want conflict/duplicate", err)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ('990100', 'x', 'city', '000000', $1)`, now)
			return err
		})
		if !errors.Is(err, db.ErrReference) {
			t.Fatalf("bad parent: got %v, want ErrReference", err)
		}
		var at time.Time
		if err := d.R.QueryRowContext(ctx, `SELECT created_at FROM regions WHERE code = $1`, "990000").Scan(&at); err != nil {
			t.Fatal(err)
		}
		if !at.Equal(now.Truncate(time.Microsecond)) {
			t.Fatalf("timestamp round trip: got %v, want %v", at, now)
		}
	})
}
