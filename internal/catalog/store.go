package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// The store functions take a db.Q (the caller's transaction or a pool) so
// that a change, its change-log row and its audit event commit together.

// Errors of the catalog.
var (
	ErrItemNotFound    = errs.E(errs.NotFound, "item_not_found", "事项不存在或未发布")
	ErrVersionNotFound = errs.E(errs.NotFound, "item_version_not_found", "事项的该版本不存在")
	ErrDuplicateCode   = errs.E(errs.Conflict, "item_code_duplicate", "事项编码已存在")
	ErrImmutable       = errs.E(errs.Conflict, "item_version_immutable", "已发布的版本不能修改，请创建新版本")
	ErrState           = errs.E(errs.Conflict, "item_state", "事项当前状态不允许该操作")
	ErrForbidden       = errs.E(errs.Forbidden, "catalog_forbidden", "无权管理该区划的事项")
)

type itemRow struct {
	Code           string
	OrgID          int64
	RegionCode     string
	Name           string
	Kind           Kind
	Status         Status
	CurrentVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// VersionInfo describes one version for the versions list.
type VersionInfo struct {
	Version     int          `json:"version"`
	State       VersionState `json:"state"`
	Name        string       `json:"name"`
	ChangeNote  string       `json:"change_note"`
	CreatedAt   time.Time    `json:"created_at"`
	PublishedAt *time.Time   `json:"published_at,omitempty"`
}

func loadOrgs(ctx context.Context, q db.Q) (map[int64]Org, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, region_code FROM orgs`)
	if err != nil {
		return nil, fmt.Errorf("load orgs: %w", err)
	}
	defer rows.Close()
	out := map[int64]Org{}
	for rows.Next() {
		var o Org
		if err := rows.Scan(&o.ID, &o.Name, &o.RegionCode); err != nil {
			return nil, fmt.Errorf("scan org: %w", err)
		}
		out[o.ID] = o
	}
	return out, rows.Err()
}

func getItemRow(ctx context.Context, q db.Q, code string, lock string) (itemRow, error) {
	var r itemRow
	err := q.QueryRowContext(ctx, `SELECT code, org_id, region_code, name, kind, status, current_version, created_at, updated_at
		FROM items WHERE code = $1`+lock, code).Scan(&r.Code, &r.OrgID, &r.RegionCode, &r.Name, &r.Kind, &r.Status, &r.CurrentVersion, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrItemNotFound
	}
	if err != nil {
		return r, fmt.Errorf("get item %s: %w", code, err)
	}
	return r, nil
}

func insertItemRow(ctx context.Context, q db.Q, it *Item, at time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO items (code, org_id, region_code, name, kind, status, current_version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)`, it.Code, it.OrgID, it.RegionCode, it.Name, it.Kind, it.Status, at)
	if err != nil {
		return fmt.Errorf("insert item %s: %w", it.Code, err)
	}
	return nil
}

func updateItemRow(ctx context.Context, q db.Q, r itemRow, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE items SET org_id = $2, region_code = $3, name = $4, kind = $5, status = $6,
		current_version = $7, updated_at = $8 WHERE code = $1`, r.Code, r.OrgID, r.RegionCode, r.Name, r.Kind, r.Status, r.CurrentVersion, at)
	if err != nil {
		return fmt.Errorf("update item %s: %w", r.Code, err)
	}
	return nil
}

// body is what a version row stores: the item without per-row metadata.
func body(it *Item) (string, error) {
	c := *it
	c.Version, c.Status, c.State, c.PublishedAt, c.Org = 0, "", "", nil, ""
	c.UpdatedAt = time.Time{}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("marshal item %s: %w", it.Code, err)
	}
	return string(b), nil
}

func insertVersion(ctx context.Context, q db.Q, it *Item, actor int64, at time.Time) error {
	b, err := body(it)
	if err != nil {
		return err
	}
	// A version inserted already published (seed, adjustments) carries its
	// publication stamp now: the row can never be updated afterwards.
	var pubAt, pubBy any
	if it.State == StatePublished {
		pubAt, pubBy = at, nullID(actor)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO item_versions (item_code, version, state, body, change_note, created_at, created_by, updated_at, published_at, published_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8, $9)`, it.Code, it.Version, it.State, b, it.ChangeNote, at, nullID(actor), pubAt, pubBy)
	if err != nil {
		return fmt.Errorf("insert version %s v%d: %w", it.Code, it.Version, err)
	}
	return nil
}

// updateWorkingVersion rewrites an unpublished version. The WHERE clause and
// the database trigger both keep published rows untouched.
func updateWorkingVersion(ctx context.Context, q db.Q, it *Item, at time.Time) error {
	b, err := body(it)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE item_versions SET state = $3, body = $4, change_note = $5, updated_at = $6
		WHERE item_code = $1 AND version = $2 AND state <> 'published'`, it.Code, it.Version, it.State, b, it.ChangeNote, at)
	if err != nil {
		return fmt.Errorf("update version %s v%d: %w", it.Code, it.Version, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrImmutable
	}
	return nil
}

func setVersionState(ctx context.Context, q db.Q, code string, version int, from, to VersionState, actor int64, at time.Time) error {
	var stmt string
	switch to {
	case StateReview:
		stmt = `UPDATE item_versions SET state = $4, submitted_at = $5, submitted_by = $6, updated_at = $5
			WHERE item_code = $1 AND version = $2 AND state = $3`
	case StatePublished:
		stmt = `UPDATE item_versions SET state = $4, published_at = $5, published_by = $6, updated_at = $5
			WHERE item_code = $1 AND version = $2 AND state = $3`
	default:
		stmt = `UPDATE item_versions SET state = $4, submitted_at = NULL, submitted_by = NULL, updated_at = $5
			WHERE item_code = $1 AND version = $2 AND state = $3 AND $6 = $6`
	}
	res, err := q.ExecContext(ctx, stmt, code, version, from, to, at, nullID(actor))
	if err != nil {
		return fmt.Errorf("set version %s v%d %s: %w", code, version, to, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrState
	}
	return nil
}

const versionCols = `v.item_code, v.version, v.state, v.body, v.change_note, v.updated_at, v.published_at, i.status, COALESCE(o.name, '')`
const versionFrom = ` FROM item_versions v JOIN items i ON i.code = v.item_code LEFT JOIN orgs o ON o.id = i.org_id`

func scanVersion(sc interface{ Scan(...any) error }) (*Item, error) {
	var (
		code, raw, note, org string
		version              int
		state                VersionState
		status               Status
		updated              time.Time
		published            sql.NullTime
	)
	if err := sc.Scan(&code, &version, &state, &raw, &note, &updated, &published, &status, &org); err != nil {
		return nil, err
	}
	it := &Item{}
	if err := json.Unmarshal([]byte(raw), it); err != nil {
		return nil, fmt.Errorf("decode item %s v%d: %w", code, version, err)
	}
	it.Code, it.Version, it.State, it.ChangeNote, it.Status, it.UpdatedAt = code, version, state, note, status, updated
	if it.OrgID != 0 && org != "" {
		it.Org = org
	}
	if published.Valid {
		t := published.Time.UTC()
		it.PublishedAt = &t
	}
	return it, nil
}

func getVersion(ctx context.Context, q db.Q, code string, version int) (*Item, error) {
	row := q.QueryRowContext(ctx, `SELECT `+versionCols+versionFrom+` WHERE v.item_code = $1 AND v.version = $2`, code, version)
	it, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrVersionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s v%d: %w", code, version, err)
	}
	return it, nil
}

// workingVersion returns the unpublished version of code, or nil.
func workingVersion(ctx context.Context, q db.Q, code string) (*Item, error) {
	row := q.QueryRowContext(ctx, `SELECT `+versionCols+versionFrom+` WHERE v.item_code = $1 AND v.state <> 'published'`, code)
	it, err := scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("working version of %s: %w", code, err)
	}
	return it, nil
}

// currentItems returns the current published version of every item whose
// status is in statuses (all published-ever items when empty).
func currentItems(ctx context.Context, q db.Q, statuses ...Status) ([]*Item, error) {
	query := `SELECT ` + versionCols + versionFrom + ` WHERE i.current_version > 0 AND v.version = i.current_version`
	args := []any{}
	if len(statuses) > 0 {
		query += ` AND i.status IN (` + db.Placeholders(1, len(statuses)) + `)`
		for _, s := range statuses {
			args = append(args, s)
		}
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY v.item_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("current items: %w", err)
	}
	defer rows.Close()
	var out []*Item
	for rows.Next() {
		it, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("scan item: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func listVersions(ctx context.Context, q db.Q, code string) ([]VersionInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, state, body, change_note, created_at, published_at
		FROM item_versions WHERE item_code = $1 ORDER BY version DESC`, code)
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", code, err)
	}
	defer rows.Close()
	var out []VersionInfo
	for rows.Next() {
		var v VersionInfo
		var raw string
		var pub sql.NullTime
		if err := rows.Scan(&v.Version, &v.State, &raw, &v.ChangeNote, &v.CreatedAt, &pub); err != nil {
			return nil, fmt.Errorf("scan version: %w", err)
		}
		var nm struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal([]byte(raw), &nm)
		v.Name = nm.Name
		if pub.Valid {
			t := pub.Time.UTC()
			v.PublishedAt = &t
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
