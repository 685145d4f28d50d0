package cases

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"banhao.dev/banhao/internal/platform/db"
)

// Item snapshots are stored once, by content (case_snapshots, migration
// 0062), and a case body refers to its snapshot by hash: the snapshot was
// half of every body (≈ 2.7 of 5.7 KB) that every action decoded, encoded
// and wrote again although it never changes. Cases written before keep
// their snapshot inline and are read and written as they are.

// storedBody is Body as stored: item_snapshot (this level shadows Body's
// field of that name) is set only in bodies of older versions, which keep
// it inline; newer bodies carry item_snapshot_ref. Deadlines (shadowed
// too) are stored compactly (deadlines_stored.go).
type storedBody struct {
	*Body
	ItemSnap  *ItemSnapshot   `json:"item_snapshot,omitempty"`
	SnapRef   string          `json:"item_snapshot_ref,omitempty"`
	Deadlines storedDeadlines `json:"deadlines"`
}

// encodeBody is the stored JSON of c's body.
func encodeBody(c *Case) ([]byte, error) {
	sb := storedBody{Body: &c.Body, SnapRef: c.snapRef}
	if c.snapRef == "" {
		sb.ItemSnap = &c.ItemSnap
	}
	sb.Deadlines = storeDeadlines(&c.Deadlines, c.extensionDays())
	b, err := json.Marshal(sb)
	if err != nil {
		return nil, fmt.Errorf("case %s: encode body: %w", c.No, err)
	}
	return b, nil
}

// decodeBody fills c's body from its stored JSON; a snapshot by reference
// is left for resolve.
func decodeBody(raw []byte, c *Case) error {
	sb := storedBody{Body: &c.Body, Deadlines: storedDeadlines{Deadlines: &c.Deadlines}}
	if err := json.Unmarshal(raw, &sb); err != nil {
		return fmt.Errorf("case %s: decode body: %w", c.No, err)
	}
	if err := sb.Deadlines.restore(); err != nil {
		return fmt.Errorf("case %s: decode body: %w", c.No, err)
	}
	c.snapRef = sb.SnapRef
	if sb.ItemSnap != nil {
		c.ItemSnap = *sb.ItemSnap
	}
	return nil
}

// snapshotRef is the content hash of a snapshot and its JSON.
func snapshotRef(snap ItemSnapshot) (string, []byte, error) {
	raw, err := json.Marshal(snap)
	if err != nil {
		return "", nil, fmt.Errorf("encode item snapshot: %w", err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), raw, nil
}

// storeSnapshot gives c's snapshot a reference and writes the snapshot
// through w (idempotent: the same content is one row).
func (s *Service) storeSnapshot(ctx context.Context, w db.Execer, c *Case, at time.Time) error {
	ref, raw, err := snapshotRef(c.ItemSnap)
	if err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO case_snapshots (hash, body, created_at) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING`,
		ref, string(raw), at); err != nil {
		return fmt.Errorf("write item snapshot: %w", err)
	}
	c.snapRef = ref
	s.snaps.Put(ref, c.ItemSnap.clone())
	return nil
}

// resolve fills c.ItemSnap when the body refers to it.
func (s *Service) resolve(ctx context.Context, q db.Q, c *Case) error {
	if c.snapRef == "" {
		return nil
	}
	if snap, ok := s.snaps.Get(c.snapRef); ok {
		c.ItemSnap = snap.clone()
		return nil
	}
	var raw string
	err := q.QueryRowContext(ctx, `SELECT body FROM case_snapshots WHERE hash = $1`, c.snapRef).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("case %s: item snapshot %s missing", c.No, c.snapRef)
	}
	if err != nil {
		return fmt.Errorf("case %s: read item snapshot: %w", c.No, err)
	}
	var snap ItemSnapshot
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return fmt.Errorf("case %s: decode item snapshot: %w", c.No, err)
	}
	s.snaps.Put(c.snapRef, snap.clone())
	c.ItemSnap = snap
	return nil
}

// snapshotCacheSize bounds the snapshots a node keeps (Service.snaps): one
// per item version and set of answers (checklist) in use. Content never
// changes under a hash, so every node's cache is always right; the cache
// holds copies and hands out copies, so a case that changes its snapshot
// changes no other.
const snapshotCacheSize = 1024

// clone copies the snapshot's lists.
func (snap ItemSnapshot) clone() ItemSnapshot {
	snap.Steps = slices.Clone(snap.Steps)
	snap.Checklist = slices.Clone(snap.Checklist)
	snap.Materials = slices.Clone(snap.Materials)
	return snap
}
