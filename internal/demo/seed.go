package demo

import (
	"context"
	"database/sql"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
)

// Seed writes the whole demo: places, accounts, and the areas' demo data.
func Seed(ctx context.Context, d *db.DB, a *auth.Service, at time.Time) error {
	if err := ensureRegions(ctx, d, at); err != nil {
		return err
	}
	return SeedUsers(ctx, a, nil, 0)
}

// ensureRegions writes the demo regions (until the places seed owns them).
func ensureRegions(ctx context.Context, d *db.DB, at time.Time) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range [][4]string{
			{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"},
			{"990121", "示范县", "county", "990100"}, {"990122", "东山县", "county", "990100"},
			{"990121001", "城关镇", "township", "990121"}, {"990121002", "河西乡", "township", "990121"},
			{"990121001001", "东关社区", "village", "990121001"}, {"990121002001", "柳树村", "village", "990121002"},
		} {
			var parent any
			if r[3] != "" {
				parent = r[3]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING`,
				r[0], r[1], r[2], parent, at); err != nil {
				return err
			}
		}
		return nil
	})
}
