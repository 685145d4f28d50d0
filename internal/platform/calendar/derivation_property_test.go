package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// oldSteps is Steps as it was before the fast version (eb0f18c): the
// reference the random derivations are checked against.
func oldSteps(d Derivation) []string {
	lines := []string{fmt.Sprintf("受理时间 %s（北京时间），受理当日不计入期限", beijing(d.Start))}
	if d.LastDay.IsZero() {
		return lines
	}
	holiday := map[Date]string{}
	for _, h := range d.Holidays {
		holiday[h.Date] = h.Name
	}
	adjusted := map[Date]string{}
	for _, a := range d.Adjusted {
		adjusted[a.Date] = a.Name
	}
	weekend := map[Date]bool{}
	for _, w := range d.Weekends {
		weekend[w] = true
	}
	label := func(x Date) string {
		if name, ok := holiday[x]; ok {
			return name
		}
		if weekend[x] {
			return "周末"
		}
		return ""
	}
	for x := d.AcceptanceDay.AddDays(1); !x.After(d.LastDay); x = x.AddDays(1) {
		if name, ok := adjusted[x]; ok {
			lines = append(lines, fmt.Sprintf("%s %s，计为工作日", x, name))
			continue
		}
		l := label(x)
		if l == "" {
			continue
		}
		end := x
		for next := x.AddDays(1); !next.After(d.LastDay) && label(next) == l; next = next.AddDays(1) {
			end = next
		}
		if end == x {
			lines = append(lines, fmt.Sprintf("%s %s，不计入", x, l))
		} else {
			lines = append(lines, fmt.Sprintf("%s 至 %s %s，不计入", x, end, l))
		}
		x = end
	}
	for _, st := range d.Stops {
		lines = append(lines, stopLine(st))
	}
	total := d.WorkingDays + d.StopDays
	if total == 0 {
		lines = append(lines, fmt.Sprintf("即时办结，期限至受理当日 %s 24:00（北京时间）", d.LastDay))
		return lines
	}
	head := fmt.Sprintf("共%d个工作日", total)
	if d.StopDays > 0 {
		head = fmt.Sprintf("法定（承诺）期限%d个工作日，加中止顺延%d个工作日，共%d个工作日", d.WorkingDays, d.StopDays, total)
	}
	return append(lines, fmt.Sprintf("%s，第%d个工作日为 %s，期限至 %s 24:00（北京时间）", head, total, d.LastDay, d.LastDay))
}

// Random derivations (with an admin holiday and a working day whose names
// need escaping) render the same lines as the reference, and their JSON and
// Restore round trip equal json.Marshal's.
func TestDerivations_randomAgreeWithTheReference(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		c, clk := mustSeeded(t, d)
		ctx := context.Background()
		// admin-made days: a named working weekday, a holiday with odd name
		if err := c.SetDay(ctx, adminActor, D(2026, 5, 12), KindOff, `停电<&>"x"`); err != nil {
			t.Fatal(err)
		}
		if err := c.SetDay(ctx, adminActor, D(2026, 5, 16), KindWork, "补班\u2028"); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		reasons := []string{"", "补正材料", "专家<评审>", `听证"会"`, "检验&检测"}
		n := 0
		for n < 3000 {
			start := base.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour)))).Truncate(time.Microsecond)
			days := rng.IntN(40)
			if rng.IntN(5) == 0 {
				days = 0
			}
			clk.Set(start.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))))
			var stops []Interval
			for range rng.IntN(4) {
				from := start.Add(time.Duration(rng.Int64N(int64(80*24*time.Hour))) - 5*24*time.Hour).Truncate(time.Second)
				iv := Interval{From: from, Reason: reasons[rng.IntN(len(reasons))]}
				if rng.IntN(3) > 0 {
					iv.To = from.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour))))
				}
				stops = append(stops, iv)
			}
			dl, err := c.Deadline(ctx, start, days, stops)
			if err != nil {
				continue
			}
			n++
			der := dl.Derivation
			if got, want := der.Steps(), oldSteps(der); !slices.Equal(got, want) {
				t.Fatalf("steps differ for %+v\n got %q\nwant %q", der, got, want)
			}
			want, _ := json.Marshal(plainDerivation(der))
			got, err := der.AppendJSON(nil)
			if err != nil || string(got) != string(want) {
				t.Fatalf("json differs\n got %s\nwant %s", got, want)
			}
			// through storage-like JSON: strip, marshal, unmarshal, restore
			s := der
			s.Rule, s.Counted = "", nil
			raw, _ := json.Marshal(plainDerivation(s))
			var back Derivation
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			back.Counted = nil
			if len(back.Weekends) == 0 {
				back.Weekends = nil
			}
			if len(back.Holidays) == 0 {
				back.Holidays = nil
			}
			if len(back.Adjusted) == 0 {
				back.Adjusted = nil
			}
			if len(back.Stops) == 0 {
				back.Stops = nil
			}
			back.Restore()
			if !reflect.DeepEqual(back, der) {
				t.Fatalf("restore differs\n got %+v\nwant %+v", back, der)
			}
			got2, _ := back.AppendJSON(nil)
			if string(got2) != string(want) {
				t.Fatalf("restored json differs\n got %s\nwant %s", got2, want)
			}
		}
	})
}

func TestParseDate_edgeCasesAgreeWithTimeParse(t *testing.T) {
	old := func(s string) (Date, error) {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil || len(s) != 10 {
			return Date{}, fmt.Errorf("bad")
		}
		return dateOfUTC(t), nil
	}
	for _, s := range []string{"+026-03-02", "-026-03-02", "2026-+3-02", "2026-03-+2", "2026-03- 2", " 026-03-02", "0000-02-29", "0001-02-29", "2100-02-29", "2000-02-29", "2026-02-29", "2026-12-31", "2026-12-32", "1900-02-29", "2026-03-0٣"} {
		g, ge := ParseDate(s)
		w, we := old(s)
		if (ge == nil) != (we == nil) || g != w {
			t.Errorf("%q: got %v %v, old %v %v", s, g, ge, w, we)
		}
	}
}
