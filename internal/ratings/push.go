package ratings

import (
	"context"
	"database/sql"
	"time"

	"banhao.dev/banhao/internal/platform/outbox"
)

// TopicPush is the outbox topic of messages to the external evaluation
// system (the provincial 好差评 platform, GB/T 39735-2020 数据汇聚). The
// wiring registers a webhook handler for it; a failed push stays in the
// outbox and is re-sent with backoff.
const TopicPush = "ratings.push"

// Push is the body of a push. It never carries the rater's identity.
type Push struct {
	Kind string         `json:"kind"` // rating | rectification | default_satisfied | appeal
	Data map[string]any `json:"data"`
}

func push(ctx context.Context, tx *sql.Tx, at time.Time, kind string, data map[string]any) error {
	return outbox.Enqueue(ctx, tx, at, TopicPush, Push{Kind: kind, Data: data})
}

func pushRating(r *Rating) map[string]any {
	m := publicRating(r)
	m["created_at"] = r.CreatedAt
	m["item_name"] = r.ItemName
	m["excluded"] = r.Excluded
	return m
}

func pushRectification(x *Rectification) map[string]any {
	return map[string]any{"id": x.ID, "rating_id": x.RatingID, "org_id": x.OrgID, "region_code": x.RegionCode, "status": x.Status,
		"outcome": x.Outcome, "callback_at": x.CallbackAt, "callback_due": x.CallbackDue, "rectify_due": x.RectifyDue,
		"reported_at": x.ReportedAt, "rater_level": x.RaterLevel, "closed_at": x.ClosedAt, "updated_at": x.UpdatedAt}
}

// DiscardPush is the handler used when no webhook is configured: messages
// are marked delivered so they do not pile up as dead letters.
func DiscardPush(context.Context, outbox.Message) error { return nil }
