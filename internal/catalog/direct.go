package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
)

// publishDirectTx publishes a prepared item as a new version in one step,
// without the draft → review steps: for the demo seed, and for adjustment
// batches, whose review happened when the batch itself was published. A
// working version the admin is editing is kept and renumbered after it.
func (s *Service) publishDirectTx(ctx context.Context, tx db.Q, c Caller, it *Item, now time.Time, batch int64, action, summary string) error {
	row, err := getItemRow(ctx, tx, it.Code, s.db.ForUpdate())
	fresh := errors.Is(err, ErrItemNotFound)
	if err != nil && !fresh {
		return err
	}
	it.State, it.UpdatedAt, it.PublishedAt = StatePublished, now, &now
	if fresh {
		it.Version, it.Status = 1, StatusPublished
		row = itemRow{Code: it.Code, Status: StatusDraft}
		if err := insertItemRow(ctx, tx, it, now); err != nil {
			return err
		}
	} else {
		if row.Status == StatusAbolished {
			return ErrState.Withf("事项 %s 已取消", it.Code)
		}
		var maxV int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM item_versions WHERE item_code = $1`, it.Code).Scan(&maxV); err != nil {
			return fmt.Errorf("max version %s: %w", it.Code, err)
		}
		it.Version = row.CurrentVersion + 1
		if maxV >= it.Version {
			// Move the working version out of the way (unpublished rows may change).
			if _, err := tx.ExecContext(ctx, `UPDATE item_versions SET version = $2 WHERE item_code = $1 AND state <> 'published'`, it.Code, maxV+1); err != nil {
				return fmt.Errorf("renumber working version %s: %w", it.Code, err)
			}
		}
		it.Status = row.Status
		if it.Status == StatusDraft || it.Status == StatusReview {
			it.Status = StatusPublished
		}
	}
	if err := insertVersion(ctx, tx, it, c.UserID, now); err != nil {
		return err
	}
	before := row.Status
	row.Status, row.CurrentVersion, row.Name, row.Kind, row.OrgID, row.RegionCode = it.Status, it.Version, it.Name, it.Kind, it.OrgID, it.RegionCode
	if err := updateItemRow(ctx, tx, row, now); err != nil {
		return err
	}
	if err := addChange(ctx, tx, Change{ItemCode: it.Code, Version: it.Version, At: now, Action: action, Summary: summary, BatchID: batch}, c.UserID); err != nil {
		return err
	}
	data := map[string]any{"before": before, "after": it, "batch_id": batch}
	_, err = audit.Append(ctx, tx, now, c.actor(), "item/"+it.Code, "publish_"+action, data)
	return err
}
