package ratings

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/ids"
	"banhao.dev/banhao/internal/platform/notify"
)

// maxRouted bounds the people of one department told about one ticket (a
// large department still sees it in its list).
const maxRouted = 20

// routeTo tells the responsible department (its back-office staff) and the
// supervisors of the region that a bad rating or a complaint needs them:
// both are "routed to the responsible department and the supervisor" with a
// deadline (国办发〔2019〕51号: 差评 are verified and rectified by the
// department under supervision). In-app only; nobody's phone is used.
func routeTo(ctx context.Context, tx *sql.Tx, now time.Time, org int64, region string, n notify.Notice) error {
	to, err := routedUsers(ctx, tx, org, region)
	if err != nil {
		return err
	}
	for _, u := range to {
		n.UserID = u
		if err := notify.Send(ctx, tx, now, n); err != nil {
			return fmt.Errorf("route notice: %w", err)
		}
	}
	return nil
}

func routedUsers(ctx context.Context, q db.Q, org int64, region string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT u.id, COALESCE(u.region_code, ''), u.org_id, r.role FROM users u
		JOIN user_roles r ON r.user_id = u.id
		WHERE u.disabled = false AND ((u.org_id = $1 AND $1 <> 0 AND r.role IN ('clerk', 'reviewer', 'approver')) OR r.role = 'supervisor')
		ORDER BY u.id`, org)
	if err != nil {
		return nil, fmt.Errorf("route recipients: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var out []int64
	dept := 0
	for rows.Next() {
		var id int64
		var scope, role string
		var uorg sql.NullInt64
		if err := rows.Scan(&id, &scope, &uorg, &role); err != nil {
			return nil, fmt.Errorf("route recipients: %w", err)
		}
		if seen[id] {
			continue
		}
		switch {
		case role == "supervisor":
			if scope == "" || !ids.InRegion(region, scope) {
				continue
			}
		case dept >= maxRouted:
			continue
		default:
			dept++
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, rows.Err()
}
