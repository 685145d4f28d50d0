package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/migrations"
)

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaTooNew is returned when the database was migrated by a newer binary.
var ErrSchemaTooNew = errs.E(errs.FailedPrecondition, "schema_too_new", "数据库结构版本比本程序新，请升级 banhao 后再启动")

// ErrSchemaOutdated is returned by CheckSchema when migrations are pending.
var ErrSchemaOutdated = errs.E(errs.FailedPrecondition, "schema_outdated", "数据库结构需要升级，请先运行 banhao migrate")

// Migrations lists the embedded migrations for the engine, in order.
func (d *DB) Migrations() ([]Migration, error) {
	dir := string(d.Engine)
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %s: %w", dir, err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", name)
		}
		body, err := fs.ReadFile(migrations.FS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("two migrations numbered %d", ms[i].Version)
		}
	}
	return ms, nil
}

const createVersions = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL)`

// SchemaVersion returns the highest applied migration (0 for an empty database).
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	if _, err := d.W.ExecContext(ctx, createVersions); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var v sql.NullInt64
	if err := d.W.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// CheckSchema fails when the database is newer than this binary, or older.
func (d *DB) CheckSchema(ctx context.Context) error {
	ms, err := d.Migrations()
	if err != nil {
		return err
	}
	v, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].Version
	if v > latest {
		return ErrSchemaTooNew.Withf("数据库为第 %d 版，本程序只认识到第 %d 版", v, latest)
	}
	done, err := d.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !done[m.Version] {
			return ErrSchemaOutdated.Withf("缺少迁移 %s", m.Name)
		}
	}
	return nil
}

// appliedVersions returns the set of applied migration versions.
func (d *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := d.W.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// Migrate applies every embedded migration not yet applied, in order, each
// in its own transaction (a migration numbered below the highest applied one
// — e.g. merged later from a parallel branch — is still applied). It refuses
// a database whose schema is newer than the binary. With several nodes on
// PostgreSQL an advisory lock makes one node migrate at a time.
func (d *DB) Migrate(ctx context.Context, now time.Time) (applied []string, err error) {
	ms, err := d.Migrations()
	if err != nil {
		return nil, err
	}
	v, err := d.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if latest := ms[len(ms)-1].Version; v > latest {
		return nil, ErrSchemaTooNew.Withf("数据库为第 %d 版，本程序只认识到第 %d 版", v, latest)
	}
	done, err := d.appliedVersions(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if done[m.Version] {
			continue
		}
		skipped := false
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if d.Engine == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243001)`); err != nil {
					return err
				}
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					skipped = true
					return nil
				}
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, now)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if !skipped {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}
