package blob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

// Meta is the database record of a stored blob.
type Meta struct {
	Hash        string
	Size        int64
	ContentType string
	CreatedAt   time.Time // first time the content was recorded
}

// RecordMeta records ref in the blobs table through q (normally the
// transaction that attaches the blob to its owner). Recording the same
// content again keeps the first record.
func RecordMeta(ctx context.Context, q db.Q, ref Ref, at time.Time) error {
	if !ValidHash(ref.Hash) {
		return ErrHash
	}
	_, err := q.ExecContext(ctx, `INSERT INTO blobs (hash, size, content_type, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO NOTHING`, ref.Hash, ref.Size, ref.ContentType, clock.Norm(at))
	if err != nil {
		return fmt.Errorf("record blob %s: %w", ref.Hash, err)
	}
	return nil
}

// LookupMeta returns the record of hash, or ErrNotFound.
func LookupMeta(ctx context.Context, q db.Q, hash string) (Meta, error) {
	if !ValidHash(hash) {
		return Meta{}, ErrHash
	}
	m := Meta{Hash: hash}
	err := q.QueryRowContext(ctx, `SELECT size, content_type, created_at FROM blobs WHERE hash = $1`, hash).
		Scan(&m.Size, &m.ContentType, &m.CreatedAt)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Meta{}, ErrNotFound
		}
		return Meta{}, fmt.Errorf("lookup blob %s: %w", hash, err)
	}
	return m, nil
}
