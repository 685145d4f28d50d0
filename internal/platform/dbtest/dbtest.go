// Package dbtest gives tests a fresh, migrated database on every engine:
// SQLite always, PostgreSQL when BANHAO_TEST_POSTGRES holds a URL. With
// BANHAO_REQUIRE_ALL=1 a missing PostgreSQL fails the test instead of
// skipping it. Each PostgreSQL test gets its own schema, dropped afterwards.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
)

// RequireAll reports whether CI demands every engine and the browser.
func RequireAll() bool { return os.Getenv("BANHAO_REQUIRE_ALL") == "1" }

// Engines runs fn once per available engine as a subtest named after it.
func Engines(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a temp directory.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return Open(t, "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
}

// PostgresURL returns a URL of a fresh schema in the test server, or skips
// (fails under BANHAO_REQUIRE_ALL=1) when none is configured.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("BANHAO_TEST_POSTGRES")
	if base == "" {
		if RequireAll() {
			t.Fatal("BANHAO_TEST_POSTGRES is not set but BANHAO_REQUIRE_ALL=1")
		}
		t.Skip("PostgreSQL not configured (set BANHAO_TEST_POSTGRES)")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse BANHAO_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a migrated database in a fresh schema.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return Open(t, PostgresURL(t))
}

// Open opens and migrates rawURL, closing it when the test ends.
func Open(t testing.TB, rawURL string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("open %s: %v", rawURL, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx, time.Now().UTC()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}
