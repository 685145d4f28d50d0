// Package settings stores small key/value settings shared by every node
// (e.g. the demo clock offset, the calendar version).
package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/db"
)

// Get returns the value of key, or "" when unset.
func Get(ctx context.Context, q db.Q, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// Set stores key=value.
func Set(ctx context.Context, q db.Q, at time.Time, key, value string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, at)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}
