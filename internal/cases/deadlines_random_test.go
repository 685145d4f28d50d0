package cases

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// Random deadline sets (starts over 2024–2026, so every 春节 and 国庆 with
// its 调休 days; limits of 0–60 days; clock stops closed, open or ignored;
// art. 42 and 44) stored and read back equal what was computed.
func TestStoredDeadlines_randomReadBackAsComputed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 5, 12, 0))
		s := e.svc
		rng := rand.New(rand.NewPCG(7, 9))
		base := bj(2024, 1, 1, 0, 0)
		reasons := []string{"补正材料", "专家<评审>", `听证"会"`, "检验&检测"}
		n := 0
		for n < 1500 {
			start := base.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour)))).Truncate(time.Microsecond)
			e.clk.Set(start.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))))
			var stops []Interval
			for range rng.IntN(3) {
				from := start.Add(time.Duration(rng.Int64N(int64(60*24*time.Hour))) - 2*24*time.Hour).Truncate(time.Second)
				iv := Interval{From: from, Reason: reasons[rng.IntN(len(reasons))]}
				if rng.IntN(3) > 0 {
					iv.To = from.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour))))
				}
				stops = append(stops, iv)
			}
			ext := 0
			if rng.IntN(3) == 0 {
				ext = 1 + rng.IntN(20)
			}
			unit := "working_day"
			if rng.IntN(6) == 0 {
				unit = "calendar_day"
			}
			c := &Case{No: "T-1", RegionCode: "990121"}
			if ext > 0 {
				c.Extension = &Extension{Days: ext, Reason: "情况复杂", At: start}
			}
			var err error
			if c.Deadlines.Promised, err = s.limitDeadline(ctx, start, Limit{float64(rng.IntN(30)) + 0.5*float64(rng.IntN(2)), unit}, ext, stops); err != nil {
				continue
			}
			if c.Deadlines.Legal, err = s.limitDeadline(ctx, start, Limit{float64(rng.IntN(60)), "working_day"}, ext, stops); err != nil {
				continue
			}
			st, err := s.cal.Deadline(ctx, start, rng.IntN(10), stops)
			if err != nil {
				continue
			}
			c.Deadlines.Step = &st
			if rng.IntN(2) == 0 {
				if err := s.deliveryDeadline(ctx, c, start.Add(time.Duration(rng.Int64N(int64(30*24*time.Hour))))); err != nil {
					continue
				}
			}
			n++
			want := mustJSON(t, c.Deadlines)
			raw, err := encodeBody(c)
			if err != nil {
				t.Fatal(err)
			}
			var got Case
			if err := decodeBody(raw, &got); err != nil {
				t.Fatal(err)
			}
			if g := mustJSON(t, got.Deadlines); g != want {
				t.Fatalf("decoded JSON:\n got %s\nwant %s", g, want)
			}
			for _, p := range [][2]*Deadline{{got.Deadlines.Promised, c.Deadlines.Promised}, {got.Deadlines.Legal, c.Deadlines.Legal}, {got.Deadlines.Step, c.Deadlines.Step}, {got.Deadlines.Delivery, c.Deadlines.Delivery}} {
				if p[1] != nil && p[1].Unit == "working_day" && p[0].calc == nil {
					t.Fatalf("not stored compactly: %s", raw)
				}
			}
			var old Case
			if err := decodeBody(oldBody(t, c), &old); err != nil {
				t.Fatal(err)
			}
			old.Extension = c.Extension
			again, err := encodeBody(&old)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(raw) {
				t.Fatalf("old body stored again as\n %s\nwant\n %s", again, raw)
			}
			var back Case
			if err := decodeBody(again, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Deadlines, got.Deadlines) {
				t.Fatalf("deep differ")
			}
		}
	})
}
