package supervise_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/blob"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/ratings"
	"banhao.dev/banhao/internal/supervise"
	"banhao.dev/banhao/migrations"
)

// The statistics read from the narrow columns (migration 0060) equal the
// former ones read from the whole case bodies, over the demo's cases
// (written by the real services), for every grouping and each filter.
func TestStats_columnsEqualBodiesOverTheDemo(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		clk := clock.NewFrozen(at)
		a := auth.NewService(d, clk, auth.TestHash)
		cat := catalog.NewService(d, clk)
		if err := cat.Start(ctx); err != nil {
			t.Fatal(err)
		}
		cal := calendar.New(d, clk)
		pl := places.NewService(d, clk)
		cs := cases.NewService(cases.Deps{DB: d, Clock: clk, Items: cases.CatalogItems{Catalog: cat},
			Calendar: cases.CalendarAdapter{Cal: cal}, Authorizer: cases.PlacesAuthorizer{DB: d}})
		blobs, err := blob.NewDir(t.TempDir(), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		rat := ratings.NewService(ratings.Deps{DB: d, Clock: clk, Calendar: ratings.WorkingCalendar{Cal: cal}, BaseURL: "http://127.0.0.1",
			Directory: ratings.CasesDirectory{Cases: cs, Catalog: cat, Places: pl, Auth: a}})
		sup := supervise.NewService(supervise.Deps{DB: d, Clock: clk, Calendar: cal, Fees: supervise.CatalogFees{Catalog: cat},
			Ratings: supervise.RatingsStats{Ratings: rat}})
		if err := demo.Seed(ctx, d, a, demo.Services{Catalog: cat, Cases: cs, Blobs: blobs, Ratings: rat, Supervise: sup}, at); err != nil {
			t.Fatal(err)
		}
		var withStops, acceptedBy int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(clock_stops), COUNT(CASE WHEN accepted_by <> 0 THEN 1 END) FROM cases`).
			Scan(&withStops, &acceptedBy); err != nil {
			t.Fatal(err)
		}
		if withStops == 0 || acceptedBy == 0 {
			t.Fatalf("the demo got %d cases with clock stops and %d with an acceptor, want some of each", withStops, acceptedBy)
		}
		var org, window int64
		var item string
		if err := d.R.QueryRowContext(ctx, `SELECT org_id, window_id, item_code FROM cases WHERE window_id IS NOT NULL
			AND concluded_at IS NOT NULL ORDER BY id LIMIT 1`).Scan(&org, &window, &item); err != nil {
			t.Fatal(err)
		}
		// Bodies as they were before migration 0062, with the item snapshot
		// inline: migration 0060's backfill and the statistics from bodies
		// below read it there.
		inline := `UPDATE cases SET body = ((cases.body::jsonb - 'item_snapshot_ref') || jsonb_build_object('item_snapshot', s.body::jsonb))::text
			FROM case_snapshots s WHERE s.hash = cases.body::jsonb ->> 'item_snapshot_ref'`
		if d.Engine == db.SQLite {
			inline = `UPDATE cases SET body = json_set(json_remove(body, '$.item_snapshot_ref'), '$.item_snapshot',
				json((SELECT body FROM case_snapshots WHERE hash = json_extract(cases.body, '$.item_snapshot_ref'))))
				WHERE json_extract(body, '$.item_snapshot_ref') IS NOT NULL`
		}
		if res, err := d.W.ExecContext(ctx, inline); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n == 0 {
			t.Fatal("no body refers to a stored snapshot")
		}
		t.Run("the migration's backfill writes the columns the cases store writes", func(t *testing.T) {
			before := statColumns(t, d)
			if _, err := d.W.ExecContext(ctx, `UPDATE cases SET accepted_by = 0, clock_stops = NULL, promised_limit_days = 0, legal_limit_days = 0`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.W.ExecContext(ctx, backfill(t, d)); err != nil {
				t.Fatal(err)
			}
			after := statColumns(t, d)
			if len(after) != len(before) {
				t.Fatalf("got %d cases after the backfill, want %d", len(after), len(before))
			}
			for no, want := range before {
				if got := after[no]; !reflect.DeepEqual(got, want) {
					t.Errorf("case %s: backfill got %+v, want %+v (as the store wrote)", no, got, want)
				}
			}
		})
		queries := []supervise.StatsQuery{{}, {Region: "990121"}, {OrgID: org}, {WindowID: window}, {Item: item}}
		for _, g := range append([]string{""}, supervise.GroupBys...) {
			queries = append(queries, supervise.StatsQuery{GroupBy: g})
		}
		for _, q := range queries {
			q.From, q.To = "2025-01-01", "2026-12-31"
			name, _ := json.Marshal(q)
			t.Run(string(name), func(t *testing.T) {
				got, err := supervise.StatsFromColumns(ctx, sup, q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := supervise.StatsFromBodies(ctx, sup, q)
				if err != nil {
					t.Fatal(err)
				}
				if want.Total.Received == 0 || (q.GroupBy != "" && len(want.Groups) == 0) {
					t.Fatalf("the bodies' statistics counted nothing: %+v", want.Total)
				}
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				if string(gj) != string(wj) {
					t.Errorf("from columns got\n%s\nwant (from bodies)\n%s", gj, wj)
				}
			})
		}
	})
}

type statCols struct {
	AcceptedBy      int64
	Stops           []cases.ClockStop
	Promised, Legal float64
}

// statColumns reads the columns of migration 0060 of every case (the stops
// decoded: PostgreSQL's jsonb text is spaced differently from Go's).
func statColumns(t *testing.T, d *db.DB) map[string]statCols {
	t.Helper()
	rows, err := d.R.Query(`SELECT no, accepted_by, clock_stops, promised_limit_days, legal_limit_days FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]statCols{}
	for rows.Next() {
		var no string
		var c statCols
		var stops sql.NullString
		if err := rows.Scan(&no, &c.AcceptedBy, &stops, &c.Promised, &c.Legal); err != nil {
			t.Fatal(err)
		}
		if stops.Valid {
			if err := json.Unmarshal([]byte(stops.String), &c.Stops); err != nil {
				t.Fatalf("case %s: clock_stops: %v", no, err)
			}
		}
		out[no] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// backfill is the UPDATE of migration 0060 for d's engine.
func backfill(t *testing.T, d *db.DB) string {
	t.Helper()
	b, err := fs.ReadFile(migrations.FS, string(d.Engine)+"/0060_case_stats.sql")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	_, upd, ok := strings.Cut(s, "UPDATE cases")
	upd, _, ok2 := strings.Cut(upd, ";\n")
	if !ok || !ok2 {
		t.Fatal("migration 0060 has no UPDATE cases statement")
	}
	return "UPDATE cases" + upd
}
