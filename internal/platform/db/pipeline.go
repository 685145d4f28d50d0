package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Rows is what a pipelined read scans: *sql.Rows and pgx's rows alike.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Read is one query of a Pipeline and the function that consumes its rows.
type Read struct {
	SQL  string
	Args []any
	Scan func(Rows) error
}

// Pipeline runs read-only queries outside any transaction and hands each its
// rows, in order. On PostgreSQL they travel as one pgx batch: one round trip
// instead of one per query (database/sql cannot pipeline), and one implicit
// transaction, so they see one snapshot. On SQLite, whose queries cost no
// round trip, they run one after the other on the read pool.
func (d *DB) Pipeline(ctx context.Context, reads ...Read) error {
	if d.Engine != Postgres || len(reads) < 2 {
		for _, r := range reads {
			if err := ReadWith(ctx, d.R, r); err != nil {
				return err
			}
		}
		return nil
	}
	conn, err := d.R.Conn(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	defer conn.Close()
	return withPgx(conn, func(pc *pgx.Conn) error {
		b := &pgx.Batch{}
		for _, r := range reads {
			b.Queue(r.SQL, r.Args...)
		}
		br := pc.SendBatch(ctx, b)
		for _, r := range reads {
			rows, err := br.Query()
			if err == nil {
				err = r.Scan(rows)
				rows.Close()
				if err == nil {
					err = rows.Err()
				}
			}
			if err != nil {
				_ = br.Close()
				return d.Translate(err)
			}
		}
		return br.Close()
	})
}

// ReadWith runs one Read through q (a pool or a transaction).
func ReadWith(ctx context.Context, q Q, r Read) error {
	rows, err := q.QueryContext(ctx, r.SQL, r.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := r.Scan(rows); err != nil {
		return err
	}
	return rows.Err()
}
