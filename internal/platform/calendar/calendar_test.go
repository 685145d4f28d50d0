package calendar

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

func TestAddWorkingDaysAcrossHolidayBoundaries(t *testing.T) {
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero days returns the date itself", "2026-02-15", 0, "2026-02-15"},
		{"ordinary week", "2026-03-02", 3, "2026-03-05"},
		{"friday plus one skips the weekend", "2026-03-06", 1, "2026-03-09"},
		{"2024 new year day skipped", "2023-12-29", 0, "2023-12-29"},
		{"2024 春节 counts 02-04 and 02-18", "2024-02-02", 2, "2024-02-05"},
		{"2024 春节 break skipped to 02-18 调休", "2024-02-09", 1, "2024-02-18"},
		{"2024 清明 with 04-07 调休", "2024-04-03", 1, "2024-04-07"},
		{"2024 劳动节 with 05-11 调休", "2024-04-30", 5, "2024-05-10"},
		{"2024 端午 monday off", "2024-06-07", 1, "2024-06-11"},
		{"2024 中秋 with 09-14 调休", "2024-09-13", 1, "2024-09-14"},
		{"2024 国庆 with 10-12 调休", "2024-09-30", 5, "2024-10-12"},
		{"2025 元旦 wednesday off", "2024-12-31", 1, "2025-01-02"},
		{"2025 春节 01-26 调休", "2025-01-24", 1, "2025-01-26"},
		{"2025 春节 break then 02-08 调休", "2025-01-27", 4, "2025-02-08"},
		{"2025 清明 friday off", "2025-04-03", 1, "2025-04-07"},
		{"2025 劳动节 04-27 调休 then break", "2025-04-25", 3, "2025-04-29"},
		{"2025 端午 monday off", "2025-05-30", 1, "2025-06-03"},
		{"2025 国庆中秋 eight days then 10-11 调休", "2025-09-30", 3, "2025-10-11"},
		{"2025 into 2026 元旦 to 01-04 调休", "2025-12-31", 1, "2026-01-04"},
		{"2026 春节 counts 02-14 调休", "2026-02-13", 3, "2026-02-25"},
		{"2026 春节 02-28 调休", "2026-02-27", 1, "2026-02-28"},
		{"2026 清明 monday off", "2026-04-03", 1, "2026-04-07"},
		{"2026 劳动节 with 05-09 调休", "2026-04-30", 5, "2026-05-11"},
		{"2026 端午 friday off", "2026-06-18", 1, "2026-06-22"},
		{"2026 中秋 friday off", "2026-09-24", 1, "2026-09-28"},
		{"2026 国庆 with 10-10 调休", "2026-09-30", 5, "2026-10-13"},
		{"2026 09-20 sunday 调休 counted", "2026-09-18", 1, "2026-09-20"},
		{"twenty days over 劳动节", "2026-04-20", 20, "2026-05-20"},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := c.AddWorkingDays(ctx, mustDate(t, tt.from), tt.n)
				if err != nil {
					t.Fatalf("AddWorkingDays(%s, %d): %v", tt.from, tt.n, err)
				}
				if got.String() != tt.want {
					t.Errorf("AddWorkingDays(%s, %d) = %s want %s", tt.from, tt.n, got, tt.want)
				}
			})
		}
		t.Run("next working day after 国庆 eve", func(t *testing.T) {
			got, err := c.NextWorkingDay(ctx, Date{2026, 9, 30})
			if err != nil || got != (Date{2026, 10, 8}) {
				t.Errorf("NextWorkingDay = %v, %v want 2026-10-08", got, err)
			}
		})
		t.Run("negative days are invalid", func(t *testing.T) {
			if _, err := c.AddWorkingDays(ctx, Date{2026, 3, 2}, -1); !errors.Is(err, ErrNegativeDays) {
				t.Errorf("got %v want ErrNegativeDays", err)
			}
		})
	})
}

func TestMissingYearIsAnErrorNamingTheYear(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		tests := []struct {
			name string
			year int
			call func() error
		}{
			{"IsWorking in 2023", 2023, func() error { _, _, err := c.IsWorking(ctx, Date{2023, 6, 1}); return err }},
			{"IsWorking in 2027", 2027, func() error { _, _, err := c.IsWorking(ctx, Date{2027, 1, 4}); return err }},
			{"AddWorkingDays from 2023-12-29 steps into 2023", 2023, func() error { _, err := c.AddWorkingDays(ctx, Date{2023, 12, 29}, 1); return err }},
			{"AddWorkingDays crossing into 2027", 2027, func() error { _, err := c.AddWorkingDays(ctx, Date{2026, 12, 30}, 2); return err }},
			{"Deadline crossing into 2027", 2027, func() error {
				_, err := c.Deadline(ctx, time.Date(2026, 12, 25, 2, 0, 0, 0, time.UTC), 10, nil)
				return err
			}},
			{"WorkingDaysBetween touching 2027", 2027, func() error {
				_, err := c.WorkingDaysBetween(ctx, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), nil)
				return err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.call()
				if !errors.Is(err, ErrYearMissing) {
					t.Fatalf("got %v want ErrYearMissing", err)
				}
				e, _ := errs.As(err)
				if e.Kind != errs.FailedPrecondition || e.Code != "calendar_year_missing" {
					t.Errorf("got kind %s code %s", e.Kind, e.Code)
				}
				if y := e.Extra["year"]; y != tt.year || !strings.Contains(e.Message, "年") || !strings.Contains(e.Message, itoa(tt.year)) {
					t.Errorf("message %q / year %v does not name %d", e.Message, y, tt.year)
				}
			})
		}
		t.Run("the last day of 2026 still works", func(t *testing.T) {
			got, err := c.AddWorkingDays(ctx, Date{2026, 12, 30}, 1)
			if err != nil || got != (Date{2026, 12, 31}) {
				t.Errorf("got %v, %v want 2026-12-31", got, err)
			}
		})
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestMissingNextYearWarnsFromFirstDecember(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		tests := []struct {
			name string
			now  time.Time
			want bool
		}{
			{"november 2026 no warning yet", time.Date(2026, 11, 30, 15, 59, 0, 0, time.UTC), false},
			{"1 december 2026 Beijing time warns", time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC), true},
			{"december 2025 with 2026 loaded is fine", time.Date(2025, 12, 15, 0, 0, 0, 0, time.UTC), false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := c.MissingNextYear(ctx, tt.now)
				if err != nil || got != tt.want {
					t.Errorf("MissingNextYear(%v) = %v, %v want %v", tt.now, got, err, tt.want)
				}
			})
		}
	})
}

func TestOtherNodesSeeEditsWithinASecond(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		editor, clk := mustSeeded(t, d)
		other := New(d, clk)
		day := Date{2026, 3, 3}
		if w, _, err := other.IsWorking(ctx, day); err != nil || !w {
			t.Fatalf("before edit: got %v, %v want working", w, err)
		}
		if err := editor.SetDay(ctx, adminActor, day, KindOff, "本地休息日"); err != nil {
			t.Fatalf("SetDay: %v", err)
		}
		if w, name, _ := editor.IsWorking(ctx, day); w || name != "本地休息日" {
			t.Errorf("editor: got (%v, %q) want the edit at once", w, name)
		}
		if w, _, _ := other.IsWorking(ctx, day); !w {
			t.Errorf("other node re-read the database within the second; want the cached answer")
		}
		clk.Advance(time.Second)
		if w, name, _ := other.IsWorking(ctx, day); w || name != "本地休息日" {
			t.Errorf("other node after 1s: got (%v, %q) want the edit", w, name)
		}
	})
}
