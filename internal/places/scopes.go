package places

import (
	"context"
	"fmt"
	"slices"

	"banhao.dev/banhao/internal/platform/db"
)

// itemScope is what a window serves or an authorization covers: item codes
// and whole domains.
type itemScope struct {
	Items   []string
	Domains []string
}

// loadScopes reads the item/domain rows of the given owners from table
// (window_scopes or window_authorization_scopes), keyed by owner id.
func loadScopes(ctx context.Context, q db.Q, table, owner string, ownerIDs []int64) (map[int64]itemScope, error) {
	out := map[int64]itemScope{}
	if len(ownerIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(ownerIDs))
	for i, id := range ownerIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT %s, kind, value FROM %s WHERE %s IN (%s) ORDER BY value`,
		owner, table, owner, db.Placeholders(1, len(args))), args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, value string
		if err := rows.Scan(&id, &kind, &value); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		sc := out[id]
		if kind == "item" {
			sc.Items = append(sc.Items, value)
		} else {
			sc.Domains = append(sc.Domains, value)
		}
		out[id] = sc
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, sc := range out {
		sortDomains(sc.Domains)
		out[id] = sc
	}
	return out, nil
}

// sortDomains orders domains as Domains lists them.
func sortDomains(ds []string) {
	slices.SortStableFunc(ds, func(a, b string) int { return slices.Index(Domains, a) - slices.Index(Domains, b) })
}

// writeScopes replaces the item/domain rows of one owner.
func writeScopes(ctx context.Context, q db.Q, table, owner string, id int64, sc itemScope) error {
	if _, err := q.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s = $1`, table, owner), id); err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	ins := fmt.Sprintf(`INSERT INTO %s (%s, kind, value) VALUES ($1, $2, $3)`, table, owner)
	for _, v := range sc.Items {
		if _, err := q.ExecContext(ctx, ins, id, "item", v); err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
	}
	for _, v := range sc.Domains {
		if _, err := q.ExecContext(ctx, ins, id, "domain", v); err != nil {
			return fmt.Errorf("write %s: %w", table, err)
		}
	}
	return nil
}
