package ratings

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
)

const ratingCols = `id, moment_id, case_no, stage, level, tag_set, tags, comment, channel, rater_id, rater_name, rater_phone,
	recorded_by, call_record, org_id, region_code, item_code, item_name, window_id, staff_id, bad, excluded, created_at`

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertRating(ctx context.Context, tx *sql.Tx, r *Rating) error {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return tx.QueryRowContext(ctx, `INSERT INTO ratings (moment_id, case_no, stage, level, tag_set, tags, comment, channel, rater_id, rater_name,
			rater_phone, recorded_by, call_record, org_id, region_code, item_code, item_name, window_id, staff_id, bad, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
		r.MomentID, r.CaseNo, string(r.Stage), r.Level, string(r.TagSet), mustJSON(tags), r.Comment, string(r.Channel), nullID(r.RaterID),
		r.RaterName, r.RaterPhone, nullID(r.RecordedBy), r.CallRecord, r.OrgID, r.RegionCode, r.ItemCode, r.ItemName, r.WindowID, r.StaffID,
		r.Bad, r.CreatedAt).Scan(&r.ID)
}

func scanRating(row interface{ Scan(...any) error }) (*Rating, error) {
	var r Rating
	var tags string
	var rater, rec sql.NullInt64
	err := row.Scan(&r.ID, &r.MomentID, &r.CaseNo, &r.Stage, &r.Level, &r.TagSet, &tags, &r.Comment, &r.Channel, &rater, &r.RaterName,
		&r.RaterPhone, &rec, &r.CallRecord, &r.OrgID, &r.RegionCode, &r.ItemCode, &r.ItemName, &r.WindowID, &r.StaffID, &r.Bad, &r.Excluded, &r.CreatedAt)
	if err != nil {
		return nil, err
	}
	r.RaterID, r.RecordedBy = rater.Int64, rec.Int64
	if err := json.Unmarshal([]byte(tags), &r.Tags); err != nil {
		return nil, fmt.Errorf("rating %d tags: %w", r.ID, err)
	}
	r.LevelLabel = LevelLabel(r.Level)
	return &r, nil
}

func getRating(ctx context.Context, q db.Q, id int64, lock string) (*Rating, error) {
	r, err := scanRating(q.QueryRowContext(ctx, `SELECT `+ratingCols+` FROM ratings WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("rating %d: %w", id, err)
	}
	return r, nil
}

// where builds a WHERE clause with $n placeholders.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, v any) {
	w.args = append(w.args, v)
	w.conds = append(w.conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(w.args))))
}

func (w *where) raw(cond string) { w.conds = append(w.conds, cond) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// scope adds the Filter's conditions on columns prefixed by alias and time
// column at.
func (w *where) scope(f Filter, alias, at string) {
	if f.Region != "" {
		w.add(alias+"region_code LIKE ?", ids.RegionPrefix(f.Region)+"%")
	}
	if f.OrgID != 0 {
		w.add(alias+"org_id = ?", f.OrgID)
	}
	if f.WindowID != 0 {
		w.add(alias+"window_id = ?", f.WindowID)
	}
	if f.StaffID != 0 {
		w.add(alias+"staff_id = ?", f.StaffID)
	}
	if f.Item != "" {
		w.add(alias+"item_code = ?", f.Item)
	}
	if !f.From.IsZero() {
		w.add(at+" >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add(at+" < ?", f.To.UTC())
	}
}

func queryRatings(ctx context.Context, q db.Q, w *where, limit, offset int) ([]*Rating, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ratingCols+` FROM ratings`+w.sql()+
		fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d OFFSET %d`, limit, offset), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list ratings: %w", err)
	}
	defer rows.Close()
	out := []*Rating{}
	for rows.Next() {
		r, err := scanRating(rows)
		if err != nil {
			return nil, fmt.Errorf("list ratings: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
