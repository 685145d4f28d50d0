package demo_test

import (
	"context"
	"testing"
	"time"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestSeedIsCompleteAndIdempotent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		a := auth.NewService(d, clock.NewFrozen(at), auth.TestHash)
		cat := catalog.NewService(d, clock.NewFrozen(at))
		if err := cat.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := demo.Seed(ctx, d, a, demo.Services{Catalog: cat}, at); err != nil {
				t.Fatalf("seed run %d: %v", i+1, err)
			}
		}
		counts := map[string]int{}
		for _, table := range []string{"users", "orgs", "halls", "windows", "window_authorizations", "regions", "calendar_years", "window_staff", "items"} {
			var n int
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			counts[table] = n
		}
		if counts["users"] != len(demo.Accounts()) || counts["orgs"] < 12 || counts["halls"] < 3 || counts["windows"] < 8 ||
			counts["window_authorizations"] < 5 || counts["calendar_years"] != 3 || counts["window_staff"] != 1 || counts["items"] < 40 {
			t.Fatalf("demo counts %v", counts)
		}
		for _, acc := range demo.Accounts() {
			u, err := a.UserByLogin(ctx, acc.Login)
			if err != nil || !u.Principal().Has(acc.Role) {
				t.Fatalf("account %s: %v roles %v", acc.Login, err, u.Roles)
			}
			if _, err := a.Login(ctx, acc.Login, demo.Password, "127.0.0.1"); err != nil {
				t.Fatalf("login %s: %v", acc.Login, err)
			}
		}
		res, err := audit.Verify(ctx, d.R, "")
		if err != nil || len(res.Broken) != 0 {
			t.Fatalf("audit after seed: %+v %v", res, err)
		}
	})
}
