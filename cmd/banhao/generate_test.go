package main

import (
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/config"
)

// generated runs `banhao generate` with seed 7 on url and opens the result;
// blobs is the demo seed's blob directory.
func generated(t *testing.T, url, cases, items string) (a *app, blobs string) {
	t.Helper()
	blobs = t.TempDir()
	if code, stdout, stderr := cli(t, url, "generate", "--blob-dir", blobs, "--cases", cases, "--items", items, "--seed", "7"); code != 0 {
		t.Fatalf("generate: exit %d: %s\n%s", code, stderr, stdout)
	}
	cfg := config.Default()
	cfg.DB, cfg.BlobDir = url, blobs
	a, err := open(context.Background(), cfg, &cliEnv{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a, blobs
}

func TestGenerateWritesCasesTheServiceReadsOnBothEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo and generates a few thousand rows")
	}
	for engine, url := range dbURLs(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			a, blobs := generated(t, url, "2000", "200")
			var nCases, nItems, nOpen int
			if err := a.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE no LIKE '%-5_____-%'`).Scan(&nCases); err != nil {
				t.Fatal(err)
			}
			if err := a.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE code LIKE '8%'`).Scan(&nItems); err != nil {
				t.Fatal(err)
			}
			if nCases != 2000 || nItems != 200 {
				t.Fatalf("got %d generated cases and %d items, want 2000 and 200", nCases, nItems)
			}
			if err := a.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE no LIKE '%-5_____-%'
				AND next_light_change_at IS NOT NULL`).Scan(&nOpen); err != nil {
				t.Fatal(err)
			}
			if nOpen == 0 {
				t.Errorf("got no generated case with a light to change, want some open cases")
			}
			var no, status string
			if err := a.db.R.QueryRowContext(ctx, `SELECT no, status FROM cases WHERE no LIKE '%-5_____-%'
				AND next_light_change_at IS NOT NULL ORDER BY no LIMIT 1`).Scan(&no, &status); err != nil {
				t.Fatal(err)
			}
			u, err := a.auth.UserByLogin(ctx, "supervisor")
			if err != nil {
				t.Fatal(err)
			}
			c, err := a.cas.Get(ctx, u.Principal(), no)
			if err != nil {
				t.Fatalf("get generated case %s: %v", no, err)
			}
			if c.No != no || string(c.Status) != status || !strings.HasPrefix(c.Item, c.Body.ItemSnap.Code) {
				t.Errorf("got case %s status %s item %s (snapshot %s), want %s status %s with its item snapshot",
					c.No, c.Status, c.Item, c.Body.ItemSnap.Code, no, status)
			}
			if _, err := a.cas.RefreshLights(ctx, a.clk.Now()); err != nil {
				t.Errorf("refresh lights over generated cases: %v", err)
			}
			t.Run("the copies' clock_stops column is their body's stops, shifted alike", func(t *testing.T) {
				rows, err := a.db.R.QueryContext(ctx, `SELECT no, body, clock_stops FROM cases WHERE no LIKE '%-5_____-%'
					AND clock_stops IS NOT NULL ORDER BY no LIMIT 50`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					var no, body, stops string
					if err := rows.Scan(&no, &body, &stops); err != nil {
						t.Fatal(err)
					}
					var b struct {
						Stops []cases.ClockStop `json:"stops"`
					}
					var col []cases.ClockStop
					if err := json.Unmarshal([]byte(body), &b); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal([]byte(stops), &col); err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(col, b.Stops) {
						t.Errorf("case %s: got clock_stops %+v, want the body's %+v", no, col, b.Stops)
					}
					n++
				}
				if n == 0 {
					t.Fatal("got no generated case with clock stops, want some")
				}
			})
			t.Run("the copies' deadlines are derived from their shifted dates", func(t *testing.T) {
				rows, err := a.db.R.QueryContext(ctx, `SELECT no FROM cases WHERE no LIKE '%-5_____-%'
					AND accepted_at IS NOT NULL ORDER BY no LIMIT 20`)
				if err != nil {
					t.Fatal(err)
				}
				var nos []string
				for rows.Next() {
					var no string
					if err := rows.Scan(&no); err != nil {
						t.Fatal(err)
					}
					nos = append(nos, no)
				}
				rows.Close()
				if len(nos) == 0 {
					t.Fatal("got no generated accepted case, want some")
				}
				for _, no := range nos {
					c, err := a.cas.Get(ctx, u.Principal(), no)
					if err != nil {
						t.Fatal(err)
					}
					d := c.Deadlines.Promised
					if d == nil || len(d.Derivation) < 2 {
						t.Fatalf("case %s: promised deadline %+v, want one with its derivation", no, d)
					}
					accepted := c.AcceptedAt.In(clock.Shanghai).Format("2006-01-02 15:04")
					if first, last := d.Derivation[0], d.Derivation[len(d.Derivation)-1]; !strings.Contains(first, accepted) || !strings.Contains(last, d.Date) {
						t.Errorf("case %s accepted %s due %s: derivation %q, want it to start at the acceptance and end on the due date", no, accepted, d.Date, d.Derivation)
					}
				}
			})
			// A second run continues the numbering instead of colliding.
			if code, stdout, stderr := cli(t, url, "generate", "--blob-dir", blobs, "--cases", "300", "--items", "10"); code != 0 {
				t.Fatalf("second generate: exit %d: %s\n%s", code, stderr, stdout)
			}
		})
	}
}
