package reform

import (
	"context"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// Lights on the real 2026 State Council schedule: 中秋节 9/25–27, 国庆节
// 10/1–7, adjusted working days Sunday 9/20 and Saturday 10/10.
func TestLightsAroundHolidays(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, bj(2026, time.March, 2, 9))
		D := func(s string) calendar.Date {
			x, err := calendar.ParseDate(s)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		cases := []struct {
			name                   string
			start, deadline, today string
			want                   Light
			wantLeft               int
		}{
			// Left: 9/29, 9/30, 10/8, 10/9 and the adjusted Saturday 10/10.
			// Counting weekdays only it would be 9 — the holiday makes it yellow.
			// The span 9/21..10/10 has 10 working days, so only the five-day rule applies.
			{"five working days left across 国庆 is yellow", "2026-09-21", "2026-10-10", "2026-09-29", Yellow, 5},
			{"six working days left is green", "2026-09-21", "2026-10-10", "2026-09-28", Green, 6},
			{"on a holiday three days are left", "2026-09-21", "2026-10-10", "2026-10-01", Yellow, 3},
			{"the deadline day itself is yellow", "2026-09-21", "2026-10-10", "2026-10-10", Yellow, 1},
			{"the day after the deadline is red", "2026-09-21", "2026-10-10", "2026-10-11", Red, 0},
			// Span 9/14..10/30 has 31 working days (9/20 worked, 9/25 and
			// 10/1–7 off, 10/10 worked); 20 % is 6.2, so 6 left is yellow
			// although more than five days remain.
			{"under 20 % of the span is yellow", "2026-09-14", "2026-10-30", "2026-10-23", Yellow, 6},
			{"seven of 31 left is green", "2026-09-14", "2026-10-30", "2026-10-22", Green, 7},
			{"a year without a published schedule counts weekdays", "2027-01-04", "2027-03-31", "2027-03-25", Yellow, 5},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, left, err := lightOf(context.Background(), f.cal, D(c.start), D(c.deadline), D(c.today))
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want || left != c.wantLeft {
					t.Fatalf("got %s with %d days left, want %s with %d", got, left, c.want, c.wantLeft)
				}
			})
		}
	})
}

// The light and overdue status follow the clock on a stored task.
func TestTaskTurnsOverdue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.June, 1, 9))
		tk := f.mustTask(t, "中介服务超市上线", "", "2026-06-30", f.approval)
		steps := []struct {
			at         time.Time
			light      Light
			status     Status
			listStatus Status
		}{
			{bj(2026, time.June, 1, 9), Green, NotStarted, NotStarted},
			{bj(2026, time.June, 24, 9), Yellow, NotStarted, NotStarted}, // 6/24, 25, 26, 29, 30
			{bj(2026, time.July, 1, 0), Red, Overdue, Overdue},
		}
		for _, s := range steps {
			f.clk.Set(s.at)
			got, err := f.svc.Get(ctx, f.supervisor, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Light != s.light || got.Status != s.status {
				t.Fatalf("at %s: got %s/%s, want %s/%s", s.at, got.Light, got.Status, s.light, s.status)
			}
			list, err := f.svc.List(ctx, f.supervisor, Filter{Status: s.listStatus})
			if err != nil || len(list) != 1 {
				t.Fatalf("at %s: list by %s: %d, %v", s.at, s.listStatus, len(list), err)
			}
		}
	})
}
