package calendar

import (
	"context"
	"reflect"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// A derivation stored without its rule, its counted days and its empty
// lists is restored to the one Deadline computed.
func TestDerivationRestore_givesBackWhatDeadlineComputed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, clk := mustSeeded(t, d)
		clk.Set(bj(t, "2026-03-05 12:00")) // the open stop has lasted until now
		ctx := context.Background()
		for _, tc := range []struct {
			name, accept string
			days         int
			stops        []Interval
		}{
			{"plain working days", "2026-03-03 10:00", 3, nil},
			{"a weekend crossed", "2026-03-05 10:00", 5, nil},
			{"春节 with its 调休 working days", "2026-02-13 10:00", 10, nil},
			{"国庆 with its 调休 working days", "2026-09-28 16:30", 8, nil},
			{"a closed, an open and an ignored stop", "2026-03-02 09:00", 5, []Interval{
				{From: bj(t, "2026-03-03 09:00"), To: bj(t, "2026-03-04 15:00"), Reason: "补正材料"},
				{From: bj(t, "2026-03-05 09:00"), Reason: "专家评审"},
				{From: bj(t, "2026-11-20 09:00"), To: bj(t, "2026-11-21 09:00"), Reason: "听证"}}},
			{"zero days (即时办结)", "2026-03-06 10:00", 0, nil},
		} {
			t.Run(tc.name+" is restored whole", func(t *testing.T) {
				dl, err := c.Deadline(ctx, bj(t, tc.accept), tc.days, tc.stops)
				if err != nil {
					t.Fatal(err)
				}
				want := dl.Derivation
				got := want
				got.Rule, got.Counted = "", nil
				if len(got.Weekends) == 0 {
					got.Weekends = nil
				}
				if len(got.Holidays) == 0 {
					got.Holidays = nil
				}
				if len(got.Adjusted) == 0 {
					got.Adjusted = nil
				}
				if len(got.Stops) == 0 {
					got.Stops = nil
				}
				if tc.stops != nil && (len(got.Stops) != 3 || !got.Stops[1].Open || !got.Stops[2].Ignored) {
					t.Fatalf("stops: got %+v, want a closed, an open and an ignored one", got.Stops)
				}
				got.Restore()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("restored\n got %+v\nwant %+v", got, want)
				}
			})
		}
	})
}
