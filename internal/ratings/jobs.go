package ratings

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/clock"
)

// CloseDueMoments is the job that ends rating windows: a moment not rated
// by its window's end counts as 默认好评 where its region enabled that when
// the moment opened, and otherwise simply expires. Defaults are never
// written as ratings: they stay on the moment and are counted separately.
// It reads only open moments past their end (indexed), in batches.
func (s *Service) CloseDueMoments(ctx context.Context, now time.Time) (int, error) {
	now = clock.Norm(now)
	total := 0
	for {
		n, err := s.closeBatch(ctx, now, 200)
		total += n
		if err != nil || n < 200 {
			return total, err
		}
	}
}

func (s *Service) closeBatch(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+momentCols+` FROM rating_moments WHERE status = 'open' AND closes_at <= $1 ORDER BY closes_at, id LIMIT $2`, now, limit)
		if err != nil {
			return fmt.Errorf("due rating moments: %w", err)
		}
		var due []Moment
		for rows.Next() {
			m, err := scanMoment(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, m)
		}
		rows.Close()
		for _, m := range due {
			status := MomentExpired
			if m.DefaultOK {
				status = MomentDefaulted
			}
			res, err := tx.ExecContext(ctx, `UPDATE rating_moments SET status = $1 WHERE id = $2 AND status = 'open'`, status, m.ID)
			if err != nil {
				return fmt.Errorf("close rating moment %d: %w", m.ID, err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			n++
			if status == MomentDefaulted {
				if _, err := audit.Append(ctx, tx, now, audit.System, "rating-moment/"+itoa(m.ID), "default-satisfied",
					map[string]any{"case_no": m.CaseNo, "stage": m.Stage, "closes_at": m.ClosesAt}); err != nil {
					return err
				}
				if err := push(ctx, tx, now, "default_satisfied", map[string]any{"case_no": m.CaseNo, "stage": m.Stage, "org_id": m.OrgID,
					"region_code": m.RegionCode, "item_code": m.ItemCode, "at": m.ClosesAt}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}
