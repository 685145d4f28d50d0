package calendar

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// stateCouncil is the holiday table of spec 10-foundation.md, transcribed
// here independently of data/*.json: break name, first and last day off,
// adjusted working days. 2024 端午: the notice says "6月10日放假，与周末连休",
// so the break is 06-08..06-10.
var stateCouncil = map[int][]struct {
	name     string
	from, to string
	work     []string
}{
	2024: {
		{"元旦", "01-01", "01-01", nil},
		{"春节", "02-10", "02-17", []string{"02-04", "02-18"}},
		{"清明节", "04-04", "04-06", []string{"04-07"}},
		{"劳动节", "05-01", "05-05", []string{"04-28", "05-11"}},
		{"端午节", "06-08", "06-10", nil},
		{"中秋节", "09-15", "09-17", []string{"09-14"}},
		{"国庆节", "10-01", "10-07", []string{"09-29", "10-12"}},
	},
	2025: {
		{"元旦", "01-01", "01-01", nil},
		{"春节", "01-28", "02-04", []string{"01-26", "02-08"}},
		{"清明节", "04-04", "04-06", nil},
		{"劳动节", "05-01", "05-05", []string{"04-27"}},
		{"端午节", "05-31", "06-02", nil},
		{"国庆节、中秋节", "10-01", "10-08", []string{"09-28", "10-11"}},
	},
	2026: {
		{"元旦", "01-01", "01-03", []string{"01-04"}},
		{"春节", "02-15", "02-23", []string{"02-14", "02-28"}},
		{"清明节", "04-04", "04-06", nil},
		{"劳动节", "05-01", "05-05", []string{"05-09"}},
		{"端午节", "06-19", "06-21", nil},
		{"中秋节", "09-25", "09-27", nil},
		{"国庆节", "10-01", "10-07", []string{"09-20", "10-10"}},
	},
}

type expectation struct {
	working bool
	name    string
}

// expected derives every day of year from the weekday rule and the table,
// using time.Time only (not the package's Date arithmetic).
func expected(t *testing.T, year int) map[string]expectation {
	t.Helper()
	out := map[string]expectation{}
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
		wd := d.Weekday()
		out[d.Format(time.DateOnly)] = expectation{working: wd != time.Saturday && wd != time.Sunday}
	}
	for _, h := range stateCouncil[year] {
		from, _ := time.Parse(time.DateOnly, fmt.Sprintf("%d-%s", year, h.from))
		to, _ := time.Parse(time.DateOnly, fmt.Sprintf("%d-%s", year, h.to))
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			out[d.Format(time.DateOnly)] = expectation{false, h.name}
		}
		for _, w := range h.work {
			out[fmt.Sprintf("%d-%s", year, w)] = expectation{true, h.name + "调休上班"}
		}
	}
	return out
}

func TestEveryDayOfShippedYearsMatchesStateCouncilTable(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		for _, year := range []int{2024, 2025, 2026} {
			want := expected(t, year)
			if len(want) < 365 {
				t.Fatalf("expectation for %d has %d days", year, len(want))
			}
			offs := 0
			for day, w := range want {
				working, name, err := c.IsWorking(ctx, mustDate(t, day))
				if err != nil {
					t.Fatalf("IsWorking(%s): %v", day, err)
				}
				if working != w.working || name != w.name {
					t.Errorf("%s: got (%v, %q) want (%v, %q)", day, working, name, w.working, w.name)
				}
				if !working {
					offs++
				}
			}
			t.Logf("%d: %d days, %d not working", year, len(want), offs)
		}
	})
}

// lunarName maps lunar-go's holiday names to the notices' wording we ship.
var lunarName = map[string]string{"元旦节": "元旦", "国庆中秋": "国庆节、中秋节"}

// TestShippedYearsAgreeWithLunarGo cross-checks every day against an
// independent published dataset (github.com/6tail/lunar-go HolidayUtil,
// which has 2024–2026). lunar-go keeps global state: never run it in parallel.
func TestShippedYearsAgreeWithLunarGo(t *testing.T) {
	c, _ := mustSeeded(t, dbtest.SQLite(t))
	ctx := context.Background()
	for _, year := range []int{2024, 2025, 2026} {
		t.Run(fmt.Sprint(year), func(t *testing.T) {
			for d := (Date{year, time.January, 1}); d.Year == year; d = d.AddDays(1) {
				wantWorking, wantName := !d.IsWeekend(), ""
				if h := HolidayUtil.GetHoliday(d.String()); h != nil {
					wantWorking, wantName = h.IsWork(), h.GetName()
					if n, ok := lunarName[wantName]; ok {
						wantName = n
					}
					if h.IsWork() {
						wantName += "调休上班"
					}
				}
				working, name, err := c.IsWorking(ctx, d)
				if err != nil {
					t.Fatalf("IsWorking(%s): %v", d, err)
				}
				if working != wantWorking || name != wantName {
					t.Errorf("%s: got (%v, %q), lunar-go says (%v, %q)", d, working, name, wantWorking, wantName)
				}
			}
		})
	}
}

func TestSeedOfficialIsIdempotentAndKeepsAdminEdits(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c, _ := mustSeeded(t, d)
		if err := c.SetDay(ctx, adminActor, Date{2026, 3, 3}, KindOff, "本地休息日"); err != nil {
			t.Fatalf("SetDay: %v", err)
		}
		before, _ := c.ListYear(ctx, 2026)
		mustSeeded(t, d) // second run
		after, _ := c.ListYear(ctx, 2026)
		if len(after) != len(before) {
			t.Errorf("second seed changed 2026: got %d days want %d", len(after), len(before))
		}
		years, err := c.Years(ctx)
		if err != nil || len(years) != 3 || years[0].Year != 2024 || years[2].Year != 2026 {
			t.Fatalf("Years() = %+v, %v; want 2024–2026", years, err)
		}
		if w, name, _ := c.IsWorking(ctx, Date{2026, 3, 3}); w || name != "本地休息日" {
			t.Errorf("admin edit lost after reseed: got (%v, %q)", w, name)
		}
	})
}
