package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Execer is what a write whose result nobody reads takes: a *sql.Tx, a
// *sql.DB, or a *Batch that sends it later together with others.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Batch collects writes of one transaction that nothing reads before the
// commit (the state change, its audit event, outbox messages and
// notifications), so that Flush sends them to PostgreSQL in one round trip
// instead of one each. Statements run in the order they were queued.
type Batch struct{ stmts []batched }

type batched struct {
	sql  string
	args []any
}

// ExecContext queues the statement; its result is known only at Flush.
func (b *Batch) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	b.stmts = append(b.stmts, batched{query, args})
	return queued{}, nil
}

// Len is the number of statements queued.
func (b *Batch) Len() int { return len(b.stmts) }

// queued is the result of a statement not sent yet.
type queued struct{}

var errQueued = errors.New("statement queued in a batch: no result")

func (queued) LastInsertId() (int64, error) { return 0, errQueued }
func (queued) RowsAffected() (int64, error) { return 0, errQueued }

// Flush runs the queued statements in tx, in order, and empties b. On
// PostgreSQL, for a transaction begun by DB.Tx, they go as one pgx batch on
// the transaction's connection; elsewhere one after the other.
func (d *DB) Flush(ctx context.Context, tx *sql.Tx, b *Batch) error {
	stmts := b.stmts
	b.stmts = nil
	if len(stmts) == 0 {
		return nil
	}
	conn, ok := d.txConns.Load(tx)
	if !ok || len(stmts) == 1 {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
				return err
			}
		}
		return nil
	}
	return withPgx(conn.(*sql.Conn), func(pc *pgx.Conn) error {
		pb := &pgx.Batch{}
		for _, s := range stmts {
			pb.Queue(s.sql, s.args...)
		}
		br := pc.SendBatch(ctx, pb)
		for i := range stmts {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return fmt.Errorf("batch statement %d of %d: %w", i+1, len(stmts), err)
			}
		}
		return br.Close()
	})
}

// withPgx runs fn on the pgx connection under conn (PostgreSQL only), for
// what database/sql cannot do: send several statements in one round trip.
func withPgx(conn *sql.Conn, fn func(*pgx.Conn) error) error {
	return conn.Raw(func(driverConn any) error { return fn(driverConn.(*stdlib.Conn).Conn()) })
}
