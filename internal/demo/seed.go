package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/supervise"
)

// staffOrg is the organization each demo staff role works for.
var staffOrg = map[auth.Role]string{
	auth.Clerk:        "示范县行政审批服务局",
	auth.Reviewer:     "示范县市场监督管理局",
	auth.Approver:     "示范县市场监督管理局",
	auth.Supervisor:   "示范县行政审批服务局",
	auth.CatalogAdmin: "示范县行政审批服务局",
	auth.HotlineAgent: "示范县行政审批服务局",
}

// Services are the areas the demo seeds through.
type Services struct {
	Catalog *catalog.Service
	Cases   *cases.Service // nil: no demo cases
	Blobs   blob.Store     // nil: demo materials are paper originals
	// Ratings and Supervise: nil, no demo ratings, complaints or fee finding.
	Ratings   *ratings.Service
	Supervise *supervise.Service
}

// Seed writes the whole demo: calendar, places, accounts, and the areas'
// demo data. Each part is idempotent.
func Seed(ctx context.Context, d *db.DB, a *auth.Service, svc Services, at time.Time) error {
	var pl places.Demo
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		if err := calendar.SeedOfficial(ctx, tx, at); err != nil {
			return err
		}
		var err error
		pl, err = places.SeedDemo(ctx, tx, at)
		return err
	})
	if err != nil {
		return fmt.Errorf("seed places: %w", err)
	}
	orgFor := func(r auth.Role) int64 { return pl.Orgs[staffOrg[r]] }
	if err := SeedUsers(ctx, a, orgFor, pl.HallID); err != nil {
		return err
	}
	// The demo clerk sits at comprehensive window A01 (商事登记).
	clerk, err := a.UserByLogin(ctx, "clerk")
	if err != nil {
		return err
	}
	pls := places.NewService(d, clock.NewFrozen(at))
	if wid := pl.Windows["A01"]; wid != 0 {
		if _, err := pls.AssignStaff(ctx, auth.SystemPrincipal(), wid, clerk.ID); err != nil {
			return fmt.Errorf("assign demo clerk: %w", err)
		}
	}
	if svc.Catalog != nil {
		lookup := func(name string) (int64, error) {
			if id, ok := pl.Orgs[name]; ok {
				return id, nil
			}
			return 0, fmt.Errorf("unknown demo organization %q", name)
		}
		if _, err := catalog.SeedDemo(ctx, svc.Catalog, lookup, at); err != nil {
			return fmt.Errorf("seed catalog: %w", err)
		}
	}
	if err := SeedReform(ctx, d, pl.Orgs, at); err != nil {
		return fmt.Errorf("seed reform tasks: %w", err)
	}
	if svc.Catalog != nil && svc.Cases != nil {
		if err := seedCases(ctx, d, a, svc, pl.Windows["A01"], at); err != nil {
			return err
		}
		if err := seedRatings(ctx, d, a, svc); err != nil {
			return fmt.Errorf("seed ratings: %w", err)
		}
	}
	return nil
}
