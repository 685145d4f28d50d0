package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

type label string // a named string type, as the areas scan statuses into

type row struct {
	ID    int64
	Name  label
	N     int
	At    time.Time
	Maybe *time.Time
	Flag  bool
}

func pipeRead(sql string, args []any, out *[]row) db.Read {
	return db.Read{SQL: sql, Args: args, Scan: func(rows db.Rows) error {
		*out = []row{}
		for rows.Next() {
			var r row
			var maybe nullTime
			if err := rows.Scan(&r.ID, &r.Name, &r.N, &r.At, &maybe, &r.Flag); err != nil {
				return err
			}
			r.At = r.At.UTC()
			if maybe.Valid {
				t := maybe.Time.UTC()
				r.Maybe = &t
			}
			*out = append(*out, r)
		}
		return nil
	}}
}

type nullTime = sql.NullTime

// Pipeline gives each read exactly the rows a plain query gives, on both
// engines (on PostgreSQL through one pgx batch), and a failing read fails
// the whole pipeline without breaking the pool.
func TestPipelineReadsLikePlainQueries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 22, 3, 4, 5, 123456000, time.UTC)
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE pipe_rows (id BIGINT PRIMARY KEY, name TEXT NOT NULL, n INTEGER NOT NULL,
			at TIMESTAMP NOT NULL, maybe TIMESTAMP, flag BOOLEAN NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"受理", "审查", "决定"} {
			var maybe any
			if i == 1 {
				maybe = at.Add(time.Hour)
			}
			if _, err := d.W.ExecContext(ctx, `INSERT INTO pipe_rows VALUES ($1, $2, $3, $4, $5, $6)`, i+1, name, i*10, at, maybe, i == 2); err != nil {
				t.Fatal(err)
			}
		}
		const q = `SELECT id, name, n, at, maybe, flag FROM pipe_rows WHERE id >= $1 ORDER BY id`
		var all, tail, none, plain []row
		if err := d.Pipeline(ctx, pipeRead(q, []any{1}, &all), pipeRead(q, []any{2}, &tail), pipeRead(q, []any{9}, &none)); err != nil {
			t.Fatal(err)
		}
		if err := db.ReadWith(ctx, d.R, pipeRead(q, []any{1}, &plain)); err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || len(tail) != 2 || none == nil || len(none) != 0 {
			t.Fatalf("got %d, %d and %v rows, want 3, 2 and an empty list", len(all), len(tail), none)
		}
		for i := range plain {
			a, p := all[i], plain[i]
			if a.ID != p.ID || a.Name != p.Name || a.N != p.N || !a.At.Equal(p.At) || a.Flag != p.Flag ||
				(a.Maybe == nil) != (p.Maybe == nil) || (a.Maybe != nil && !a.Maybe.Equal(*p.Maybe)) {
				t.Errorf("row %d: pipeline %+v, plain query %+v", i, a, p)
			}
		}
		if all[1].Name != "审查" || all[1].Maybe == nil || !all[0].At.Equal(at) || !all[2].Flag {
			t.Errorf("got %+v", all)
		}

		var x, y []row
		err := d.Pipeline(ctx, pipeRead(q, []any{1}, &x), pipeRead(`SELECT id FROM no_such_table`, nil, &y))
		if err == nil {
			t.Fatal("a failing read: got no error")
		}
		failing := db.Read{SQL: q, Args: []any{1}, Scan: func(db.Rows) error { return errStop }}
		if err := d.Pipeline(ctx, failing, pipeRead(q, []any{1}, &y)); !errors.Is(err, errStop) {
			t.Fatalf("a failing scan: got %v, want %v", err, errStop)
		}
		for range 40 { // more than the pool holds: no connection was left broken or leaked
			if err := d.Pipeline(ctx, pipeRead(q, []any{2}, &x), pipeRead(q, []any{3}, &y)); err != nil || len(x) != 2 || len(y) != 1 {
				t.Fatalf("after failures: got %v, %d and %d rows", err, len(x), len(y))
			}
		}
	})
}

var errStop = errors.New("stop")
