// Package db opens SQLite or PostgreSQL by URL, runs the embedded migrations,
// offers one transaction helper and translates driver errors to errs kinds.
//
// The same SQL text runs on both engines wherever possible: both accept $N
// placeholders, RETURNING, ON CONFLICT upserts and true/false literals.
// Where they differ (locking, date arithmetic) a store writes the method twice
// and picks it by DB.Engine.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite" (pure Go, no cgo)
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Q is what store functions take: a *sql.DB or a *sql.Tx.
type Q interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database.
type DB struct {
	Engine Engine
	URL    string
	// W runs transactions and writes. On SQLite it has one connection, so
	// writers queue in Go instead of spinning on SQLITE_BUSY.
	W *sql.DB
	// R serves reads outside transactions (WAL readers run concurrently).
	R *sql.DB

	// txConns maps a PostgreSQL transaction of Tx to its connection, for
	// Flush to send a Batch on it.
	txConns sync.Map // *sql.Tx → *sql.Conn
}

// Open opens the database named by rawURL: "sqlite:path/to/file.db" or
// "postgres://…". It does not migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, rawURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	default:
		return nil, fmt.Errorf("unsupported database URL %q: use sqlite:FILE or postgres://…", redact(rawURL))
	}
}

func openSQLite(ctx context.Context, rawURL string) (*DB, error) {
	path := strings.TrimPrefix(rawURL, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, errors.New("sqlite URL needs a file path, e.g. sqlite:./banhao.db")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	// WAL lets readers run beside the writer; synchronous=NORMAL is durable
	// against process crashes in WAL mode (only power loss may drop the last
	// commits); foreign keys are off by default in SQLite.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	dsn := "file:" + path + "?" + pragmas
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	d := &DB{Engine: SQLite, URL: rawURL, W: w, R: r}
	if err := w.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	p, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redact(rawURL), err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect postgres %s: %w", redact(rawURL), err)
	}
	return &DB{Engine: Postgres, URL: rawURL, W: p, R: p}, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.W.Close()
	if d.R != d.W {
		if e := d.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Tx runs fn in a transaction and commits when fn returns nil. A state
// change, its timeline event and its outbox message are written through the
// same tx so they commit together. Serialization failures and deadlocks on
// PostgreSQL are retried a few times.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = d.tx(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

func (d *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var tx *sql.Tx
	var err error
	if d.Engine == Postgres {
		// Begun on a connection of its own, so that Flush can pipeline
		// a Batch on the transaction's connection.
		conn, cerr := d.W.Conn(ctx)
		if cerr != nil {
			return fmt.Errorf("begin: %w", d.Translate(cerr))
		}
		defer conn.Close() // after the commit or rollback below
		if tx, err = conn.BeginTx(ctx, nil); err == nil {
			d.txConns.Store(tx, conn)
			defer d.txConns.Delete(tx)
		}
	} else {
		tx, err = d.W.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", d.Translate(err))
	}
	// Rolled back however fn ends, a panic included (the web, job and
	// outbox layers recover from those): else the deferred conn.Close
	// above waits forever for the open transaction, which keeps its
	// connection and row locks (and on SQLite the only writer).
	defer func() { _ = tx.Rollback() }() // after a commit: ErrTxDone
	if err := fn(tx); err != nil {
		return d.Translate(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", d.Translate(err))
	}
	return nil
}

// Redacted returns the URL without its password, for logs.
func (d *DB) Redacted() string { return redact(d.URL) }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "****")
	}
	return u.String()
}

// Placeholders returns "$from, $from+1, …" n times, for IN lists.
func Placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// ForUpdate is the row-lock suffix of a SELECT: PostgreSQL locks the rows;
// SQLite needs none because the write transaction already holds the lock.
func (d *DB) ForUpdate() string {
	if d.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// SkipLocked is the suffix for claiming work items with several nodes.
func (d *DB) SkipLocked() string {
	if d.Engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}
