package demo_test

import (
	"context"
	"testing"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/supervise"
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
		clk := clock.NewFrozen(at)
		cs := cases.NewService(cases.Deps{DB: d, Clock: clk, Items: cases.CatalogItems{Catalog: cat},
			Calendar: cases.CalendarAdapter{Cal: calendar.New(d, clk)}, Authorizer: cases.PlacesAuthorizer{DB: d}})
		blobs, err := blob.NewDir(t.TempDir(), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		cal := calendar.New(d, clk)
		rat := ratings.NewService(ratings.Deps{DB: d, Clock: clk, Calendar: ratings.WorkingCalendar{Cal: cal}, BaseURL: "http://127.0.0.1",
			Directory: ratings.CasesDirectory{Cases: cs, Catalog: cat, Places: places.NewService(d, clk), Auth: a}})
		sup := supervise.NewService(supervise.Deps{DB: d, Clock: clk, Calendar: cal, Fees: supervise.CatalogFees{Catalog: cat}, Ratings: supervise.RatingsStats{Ratings: rat}})
		for i := 0; i < 2; i++ {
			if err := demo.Seed(ctx, d, a, demo.Services{Catalog: cat, Cases: cs, Blobs: blobs, Ratings: rat, Supervise: sup}, at); err != nil {
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
		t.Run("cases in every state, seeded once", func(t *testing.T) {
			byStatus := map[string]int{}
			rows, err := d.R.Query(`SELECT status, COUNT(*) FROM cases GROUP BY status`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			total := 0
			for rows.Next() {
				var st string
				var n int
				if err := rows.Scan(&st, &n); err != nil {
					t.Fatal(err)
				}
				byStatus[st], total = n, total+n
			}
			if want := 12 * len(demo.CaseItems); total != want {
				t.Errorf("got %d cases, want %d (12 per demo item, not doubled by the second run)", total, want)
			}
			for _, st := range []string{"submitted", "correction", "accepted", "clock_stopped", "decided", "concluded", "delivered", "refused", "withdrawn"} {
				if byStatus[st] == 0 {
					t.Errorf("no demo case in state %s: %v", st, byStatus)
				}
			}
		})
		t.Run("every demo worker has an inbox", func(t *testing.T) {
			for _, login := range []string{"reviewer", "approver", "clerk"} {
				u, err := a.UserByLogin(ctx, login)
				if err != nil {
					t.Fatal(err)
				}
				p := u.Principal()
				f := cases.Filter{Inbox: true}
				if login == "clerk" {
					f = cases.Filter{Status: []cases.Status{cases.Submitted}}
				}
				got, err := cs.List(ctx, p, f)
				if err != nil || len(got) == 0 {
					t.Errorf("%s inbox: got %d cases, err %v; want some", login, len(got), err)
				}
			}
		})
		t.Run("ratings, a rectification, an appeal, complaints and a finding, seeded once", func(t *testing.T) {
			count := func(q string) int {
				var n int
				if err := d.R.QueryRow(q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, c := range []struct {
				what string
				got  int
				want func(int) bool
			}{
				{"ratings", count(`SELECT COUNT(*) FROM ratings`), func(n int) bool { return n >= 6 && n <= 10 }},
				{"bad ratings", count(`SELECT COUNT(*) FROM ratings WHERE bad`), func(n int) bool { return n == 2 }},
				{"rectifications under a deadline", count(`SELECT COUNT(*) FROM rectifications WHERE status = 'rectifying'`), func(n int) bool { return n == 1 }},
				{"rectifications awaiting the callback", count(`SELECT COUNT(*) FROM rectifications WHERE status = 'open'`), func(n int) bool { return n == 1 }},
				{"pending appeals", count(`SELECT COUNT(*) FROM rating_appeals WHERE status = 'pending'`), func(n int) bool { return n == 1 }},
				{"complaints", count(`SELECT COUNT(*) FROM complaints`), func(n int) bool { return n == 2 }},
				{"answered complaints", count(`SELECT COUNT(*) FROM complaints WHERE status = 'answered'`), func(n int) bool { return n == 1 }},
				{"fee findings", count(`SELECT COUNT(*) FROM supervise_findings WHERE kind = 'fee_not_listed'`), func(n int) bool { return n == 1 }},
			} {
				if !c.want(c.got) {
					t.Errorf("%s: got %d", c.what, c.got)
				}
			}
			u, err := a.UserByLogin(ctx, "supervisor")
			if err != nil {
				t.Fatal(err)
			}
			st, err := sup.CaseStats(ctx, u.Principal(), supervise.StatsQuery{From: "2026-03-01", To: "2026-03-31"})
			if err != nil {
				t.Fatal(err)
			}
			if st.Total.Ratings == 0 || st.Total.Bad != 2 || st.Total.SatisfactionRate <= 0 || st.Total.Complaints == 0 {
				t.Errorf("statistics of the demo got %+v, want its ratings and complaints", st.Total.RatingCount)
			}
		})
		res, err := audit.Verify(ctx, d.R, "")
		if err != nil || len(res.Broken) != 0 {
			t.Fatalf("audit after seed: %+v %v", res, err)
		}
	})
}
