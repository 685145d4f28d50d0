package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/db"
)

// Change is one entry of the public change log of an item.
type Change struct {
	ID       int64     `json:"id"`
	ItemCode string    `json:"code"`
	Version  int       `json:"version"`
	At       time.Time `json:"at"`
	Action   string    `json:"action"` // created, published, suspended, resumed, abolished, or an adjustment kind
	Summary  string    `json:"summary"`
	BatchID  int64     `json:"batch_id,omitempty"`
}

// actionLabels names change-log actions in Chinese.
var actionLabels = map[string]string{
	"created": "新建", "published": "发布", "suspended": "暂停", "resumed": "恢复", "abolished": "取消",
	"cancel": "取消", "hand_down": "下放", "take_over": "承接", "add": "新增", "merge": "合并", "change": "变更",
}

// ActionLabel is the Chinese name of a change-log action.
func ActionLabel(a string) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return a
}

func addChange(ctx context.Context, q db.Q, c Change, actor int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO item_changes (item_code, version, at, action, summary, batch_id, actor_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ItemCode, c.Version, c.At, c.Action, c.Summary, nullID(c.BatchID), nullID(actor))
	if err != nil {
		return fmt.Errorf("change log %s: %w", c.ItemCode, err)
	}
	return nil
}

func listChanges(ctx context.Context, q db.Q, where string, arg any) ([]Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, item_code, version, at, action, summary, batch_id FROM item_changes
		WHERE `+where+` ORDER BY at, id`, arg)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var batch sql.NullInt64
		if err := rows.Scan(&c.ID, &c.ItemCode, &c.Version, &c.At, &c.Action, &c.Summary, &batch); err != nil {
			return nil, fmt.Errorf("scan change: %w", err)
		}
		c.At = c.At.UTC()
		c.BatchID = batch.Int64
		out = append(out, c)
	}
	return out, rows.Err()
}
