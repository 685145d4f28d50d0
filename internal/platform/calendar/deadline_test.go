package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func dates(t *testing.T, ss ...string) []Date {
	out := []Date{}
	for _, s := range ss {
		out = append(out, mustDate(t, s))
	}
	return out
}

func TestDeadlineAcrossHolidaysWithDerivation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		t.Run("2026-02-13 plus 3 skips 春节 and counts the 02-14 调休", func(t *testing.T) {
			got, err := c.Deadline(ctx, bj(t, "2026-02-13 10:00"), 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := time.Date(2026, 2, 25, 16, 0, 0, 0, time.UTC); !got.At.Equal(want) || got.At.Location() != time.UTC {
				t.Errorf("At = %v want %v (UTC)", got.At, want)
			}
			der := got.Derivation
			if got.Date.String() != "2026-02-25" || der.LastDay != got.Date || !der.At.Equal(got.At) {
				t.Errorf("Date = %v, LastDay = %v want 2026-02-25", got.Date, der.LastDay)
			}
			if want := dates(t, "2026-02-14", "2026-02-24", "2026-02-25"); !slices.Equal(der.Counted, want) {
				t.Errorf("Counted = %v want %v", der.Counted, want)
			}
			if want := []NamedDate{{Date{2026, 2, 14}, "春节调休上班"}}; !slices.Equal(der.Adjusted, want) {
				t.Errorf("Adjusted = %v want %v", der.Adjusted, want)
			}
			if len(der.Holidays) != 9 || der.Holidays[0] != (NamedDate{Date{2026, 2, 15}, "春节"}) || der.Holidays[8].Date != (Date{2026, 2, 23}) {
				t.Errorf("Holidays = %v want 02-15..02-23 春节", der.Holidays)
			}
			if len(der.Weekends) != 0 {
				t.Errorf("Weekends = %v want none (the break's weekend days are 春节)", der.Weekends)
			}
			wantSteps := []string{
				"受理时间 2026-02-13 10:00（北京时间），受理当日不计入期限",
				"2026-02-14 春节调休上班，计为工作日",
				"2026-02-15 至 2026-02-23 春节，不计入",
				"共3个工作日，第3个工作日为 2026-02-25，期限至 2026-02-25 24:00（北京时间）",
			}
			if got := der.Steps(); !slices.Equal(got, wantSteps) {
				t.Errorf("Steps =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSteps, "\n"))
			}
			if !strings.Contains(der.Rule, "受理当日不计入") || !strings.Contains(der.Rule, "第3个工作日24:00") {
				t.Errorf("Rule = %q does not state the rule for 3 days", der.Rule)
			}
		})
		t.Run("2026-09-30 plus 5 skips 国庆 and counts 10-10", func(t *testing.T) {
			got, err := c.Deadline(ctx, bj(t, "2026-09-30 09:00"), 5, nil)
			if err != nil {
				t.Fatal(err)
			}
			der := got.Derivation
			if want := dates(t, "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"); !slices.Equal(der.Counted, want) {
				t.Errorf("Counted = %v want %v", der.Counted, want)
			}
			if want := dates(t, "2026-10-11"); !slices.Equal(der.Weekends, want) {
				t.Errorf("Weekends = %v want %v", der.Weekends, want)
			}
			wantSteps := []string{
				"受理时间 2026-09-30 09:00（北京时间），受理当日不计入期限",
				"2026-10-01 至 2026-10-07 国庆节，不计入",
				"2026-10-10 国庆节调休上班，计为工作日",
				"2026-10-11 周末，不计入",
				"共5个工作日，第5个工作日为 2026-10-13，期限至 2026-10-13 24:00（北京时间）",
			}
			if got := der.Steps(); !slices.Equal(got, wantSteps) {
				t.Errorf("Steps =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSteps, "\n"))
			}
		})
		tests := []struct {
			name  string
			start string
			n     int
			want  string
		}{
			{"acceptance on a saturday counts from monday", "2026-03-07 15:00", 1, "2026-03-09"},
			{"acceptance at 23:30 belongs to that day", "2026-03-02 23:30", 1, "2026-03-03"},
			{"acceptance at 00:30 belongs to the new day", "2026-03-03 00:30", 1, "2026-03-04"},
			{"zero days ends the acceptance day even on a holiday", "2026-02-15 10:00", 0, "2026-02-15"},
			{"2025 国庆中秋 then 10-11 调休", "2025-09-30 16:00", 3, "2025-10-11"},
			{"2025 year end into 2026 元旦 and 01-04 调休", "2025-12-31 10:00", 1, "2026-01-04"},
			{"2024 春节 02-04 调休", "2024-02-02 10:00", 1, "2024-02-04"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := c.Deadline(ctx, bj(t, tt.start), tt.n, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got.Date.String() != tt.want || !got.At.Equal(mustDate(t, tt.want).AddDays(1).Start()) {
					t.Errorf("Deadline(%s, %d) = %v at %v want %s 24:00", tt.start, tt.n, got.Date, got.At, tt.want)
				}
			})
		}
		t.Run("zero days explains a same-day limit", func(t *testing.T) {
			got, _ := c.Deadline(ctx, bj(t, "2026-02-15 10:00"), 0, nil)
			steps := got.Derivation.Steps()
			if last := steps[len(steps)-1]; last != "即时办结，期限至受理当日 2026-02-15 24:00（北京时间）" {
				t.Errorf("last step = %q", last)
			}
		})
	})
}

func TestDeadlineClockStops(t *testing.T) {
	accept := "2026-03-02 10:00" // Monday; 5 working days end 2026-03-09
	tests := []struct {
		name     string
		start    string
		n        int
		now      string // clock, for open stops
		stops    [][3]string
		want     string
		added    []int
		ignored  []bool
		wantLine string // a line Steps must contain
	}{
		{name: "no stop", start: accept, n: 5, want: "2026-03-09"},
		{name: "stop of 2⅓ working days adds 3", start: accept, n: 5,
			stops: [][3]string{{"2026-03-04 09:00", "2026-03-06 17:00", "补正材料"}}, want: "2026-03-12", added: []int{3},
			wantLine: "2026-03-04 09:00 至 2026-03-06 17:00 中止（补正材料），占用2.33个工作日，顺延3个工作日"},
		{name: "stop over a weekend only adds nothing", start: accept, n: 5,
			stops: [][3]string{{"2026-03-07 10:00", "2026-03-08 10:00", "听证"}}, want: "2026-03-09", added: []int{0},
			wantLine: "2026-03-07 10:00 至 2026-03-08 10:00 中止（听证），未占用工作日，不顺延"},
		{name: "stop within the acceptance day adds nothing", start: accept, n: 5,
			stops: [][3]string{{"2026-03-02 11:00", "2026-03-02 17:00", "补正材料"}}, want: "2026-03-09", added: []int{0}},
		{name: "stop from the acceptance day counts from the next day only", start: accept, n: 5,
			stops: [][3]string{{"2026-03-02 11:00", "2026-03-03 12:00", "补正材料"}}, want: "2026-03-10", added: []int{1}},
		{name: "stop beginning after the deadline is ignored", start: accept, n: 5,
			stops: [][3]string{{"2026-03-20 09:00", "2026-03-25 09:00", "补正材料"}}, want: "2026-03-09", added: []int{0}, ignored: []bool{true},
			wantLine: "2026-03-20 09:00 起中止（补正材料），开始时期限已届满，不顺延"},
		{name: "overlapping stops are merged before rounding", start: accept, n: 5,
			stops: [][3]string{{"2026-03-04 09:00", "2026-03-05 09:00", "检验检测"}, {"2026-03-04 12:00", "2026-03-05 12:00", "专家评审"}},
			want:  "2026-03-11", added: []int{2}, wantLine: "中止（检验检测、专家评审），占用1.12个工作日，顺延2个工作日"},
		{name: "open stop lasts until now", start: accept, n: 5, now: "2026-03-05 09:00",
			stops: [][3]string{{"2026-03-04 09:00", "", "补正材料"}}, want: "2026-03-10", added: []int{1},
			wantLine: "2026-03-04 09:00 起中止（补正材料），尚未恢复，暂按截至目前所占工作日时间顺延1个工作日"},
		{name: "stop across 清明 counts only working dates", start: "2026-04-01 10:00", n: 3,
			stops: [][3]string{{"2026-04-03 00:00", "2026-04-08 00:00", "鉴定"}}, want: "2026-04-09", added: []int{2}},
		{name: "a later stop counts once the first one extended the deadline", start: accept, n: 1,
			stops: [][3]string{{"2026-03-04 12:00", "2026-03-04 18:00", "专家评审"}, {"2026-03-03 00:00", "2026-03-04 00:00", "补正材料"}},
			want:  "2026-03-05", added: []int{1, 1},
			wantLine: "法定（承诺）期限1个工作日，加中止顺延2个工作日，共3个工作日，第3个工作日为 2026-03-05，期限至 2026-03-05 24:00（北京时间）"},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, clk := mustSeeded(t, d)
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				now := "2026-06-01 00:00"
				if tt.now != "" {
					now = tt.now
				}
				clk.Set(bj(t, now))
				var stops []Interval
				for _, s := range tt.stops {
					iv := Interval{From: bj(t, s[0]), Reason: s[2]}
					if s[1] != "" {
						iv.To = bj(t, s[1])
					}
					stops = append(stops, iv)
				}
				got, err := c.Deadline(ctx, bj(t, tt.start), tt.n, stops)
				if err != nil {
					t.Fatal(err)
				}
				if got.Date.String() != tt.want {
					t.Errorf("Date = %s want %s", got.Date, tt.want)
				}
				der := got.Derivation
				var added []int
				var ignored []bool
				sum := 0
				for _, s := range der.Stops {
					added = append(added, s.DaysAdded)
					ignored = append(ignored, s.Ignored)
					sum += s.DaysAdded
				}
				if tt.added != nil && !slices.Equal(added, tt.added) {
					t.Errorf("days added = %v want %v", added, tt.added)
				}
				if tt.ignored != nil && !slices.Equal(ignored, tt.ignored) {
					t.Errorf("ignored = %v want %v", ignored, tt.ignored)
				}
				if der.StopDays != sum || len(der.Counted) != tt.n+sum {
					t.Errorf("StopDays = %d, counted %d; want %d and %d", der.StopDays, len(der.Counted), sum, tt.n+sum)
				}
				if tt.wantLine != "" && !slices.ContainsFunc(der.Steps(), func(l string) bool { return strings.Contains(l, tt.wantLine) }) {
					t.Errorf("Steps lack %q:\n%s", tt.wantLine, strings.Join(der.Steps(), "\n"))
				}
			})
		}
		t.Run("a stop ending before it starts is invalid", func(t *testing.T) {
			_, err := c.Deadline(ctx, bj(t, accept), 5, []Interval{{From: bj(t, "2026-03-04 09:00"), To: bj(t, "2026-03-03 09:00")}})
			if !errors.Is(err, ErrStopInvalid) {
				t.Errorf("got %v want ErrStopInvalid", err)
			}
		})
		t.Run("a stop without start is invalid", func(t *testing.T) {
			if _, err := c.Deadline(ctx, bj(t, accept), 5, []Interval{{To: bj(t, "2026-03-03 09:00")}}); !errors.Is(err, ErrStopInvalid) {
				t.Errorf("got %v want ErrStopInvalid", err)
			}
		})
		t.Run("negative days are invalid", func(t *testing.T) {
			if _, err := c.Deadline(ctx, bj(t, accept), -1, nil); !errors.Is(err, ErrNegativeDays) {
				t.Errorf("got %v want ErrNegativeDays", err)
			}
		})
	})
}

func TestDerivationJSONUsesSnakeCase(t *testing.T) {
	c, _ := mustSeeded(t, dbtest.SQLite(t))
	got, err := c.Deadline(context.Background(), bj(t, "2026-02-13 10:00"), 3,
		[]Interval{{From: bj(t, "2026-02-24 09:00"), To: bj(t, "2026-02-24 10:00"), Reason: "补正材料"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	var der map[string]json.RawMessage
	_ = json.Unmarshal(m["derivation"], &der)
	var keys []string
	for k := range der {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"acceptance_day", "adjusted_working_days", "at", "counted", "last_day", "rule", "skipped_holidays", "skipped_weekends", "start", "stop_days", "stops", "working_days"}
	if !slices.Equal(keys, want) {
		t.Errorf("derivation keys = %v want %v", keys, want)
	}
	for _, frag := range []string{`"date":"2026-02-26"`, `"working_days_added":1`, `{"date":"2026-02-14","name":"春节调休上班"}`} {
		if !strings.Contains(string(b), frag) {
			t.Errorf("JSON lacks %s: %s", frag, b)
		}
	}
}

// TestDeadlineAgreesWithAddAndBetween checks three operations against each
// other for every acceptance day from 2024-01-01 to 2026-11-30.
func TestDeadlineAgreesWithAddAndBetween(t *testing.T) {
	c, _ := mustSeeded(t, dbtest.SQLite(t))
	ctx := context.Background()
	for a := (Date{2024, 1, 1}); a.Before(Date{2026, 12, 1}); a = a.AddDays(1) {
		for _, n := range []int{0, 1, 5, 20} {
			start := a.Start().Add(10 * time.Hour)
			dl, err := c.Deadline(ctx, start, n, nil)
			if err != nil {
				t.Fatalf("Deadline(%s, %d): %v", a, n, err)
			}
			add, _ := c.AddWorkingDays(ctx, a, n)
			between, err := c.WorkingDaysBetween(ctx, a.End(), dl.At, nil)
			if err != nil {
				t.Fatalf("WorkingDaysBetween: %v", err)
			}
			der := dl.Derivation
			span := len(der.Counted) + len(der.Weekends) + len(der.Holidays)
			if days := int(dl.Date.Start().Sub(a.Start()).Hours()/24 + 0.5); span != days {
				t.Errorf("%s+%d: counted+skipped = %d dates want %d", a, n, span, days)
			}
			if dl.Date != add || len(der.Counted) != n || math.Abs(between-float64(n)) > 1e-9 {
				t.Fatalf("%s+%d: Deadline %s, AddWorkingDays %s, counted %d, between %.3f", a, n, dl.Date, add, len(der.Counted), between)
			}
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		stops    [][2]string
		want     float64
	}{
		{"half a working day", "2026-03-02 09:00", "2026-03-02 21:00", nil, 0.5},
		{"friday noon to monday noon is one day", "2026-03-06 12:00", "2026-03-09 12:00", nil, 1},
		{"春节 counts only 02-13, 02-14 调休 and 02-24", "2026-02-13 00:00", "2026-02-25 00:00", nil, 3},
		{"a stop is subtracted", "2026-03-02 00:00", "2026-03-07 00:00", [][2]string{{"2026-03-03 12:00", "2026-03-04 12:00"}}, 4},
		{"a stop outside the span is clipped", "2026-03-02 00:00", "2026-03-03 00:00", [][2]string{{"2026-03-02 18:00", "2026-03-05 00:00"}}, 0.75},
		{"overlapping stops are not subtracted twice", "2026-03-02 00:00", "2026-03-07 00:00",
			[][2]string{{"2026-03-03 00:00", "2026-03-04 00:00"}, {"2026-03-03 12:00", "2026-03-04 12:00"}}, 3.5},
		{"reversed span is negative", "2026-03-03 00:00", "2026-03-02 12:00", nil, -0.5},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, _ := mustSeeded(t, d)
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var stops []Interval
				for _, s := range tt.stops {
					stops = append(stops, Interval{From: bj(t, s[0]), To: bj(t, s[1])})
				}
				got, err := c.WorkingDaysBetween(ctx, bj(t, tt.from), bj(t, tt.to), stops)
				if err != nil || math.Abs(got-tt.want) > 1e-9 {
					t.Errorf("got %v, %v want %v", got, err, tt.want)
				}
			})
		}
		t.Run("remaining time turns negative after the deadline", func(t *testing.T) {
			dl, _ := c.Deadline(ctx, bj(t, "2026-02-13 10:00"), 3, nil)
			for _, tc := range []struct {
				now  string
				want float64
			}{{"2026-02-24 12:00", 1.5}, {"2026-02-20 12:00", 2}, {"2026-02-26 12:00", -0.5}} {
				got, err := c.RemainingWorking(ctx, bj(t, tc.now), dl.At, nil)
				if err != nil || math.Abs(got-tc.want) > 1e-9 {
					t.Errorf("RemainingWorking at %s = %v, %v want %v", tc.now, got, err, tc.want)
				}
			}
		})
	})
}

func BenchmarkDeadline(b *testing.B) {
	c, _ := mustSeeded(b, dbtest.SQLite(b))
	ctx := context.Background()
	start := time.Date(2026, 1, 20, 2, 0, 0, 0, time.UTC)
	stops := []Interval{{From: time.Date(2026, 2, 2, 1, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 5, 9, 0, 0, 0, time.UTC), Reason: "补正材料"}}
	for _, n := range []int{5, 20} {
		b.Run(itoa(n)+"days", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Deadline(ctx, start, n, stops); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
