package supervise

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// The seed's example: 12 998 accepted, 12 712 concluded → 办结率 97.8 %.
func TestStats_seedCompletionRate12712Of12998(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, bj(2026, 3, 31, 18, 0))
		var rows []fixCase
		for i := 0; i < 12998+40; i++ {
			day := bj(2026, 3, 2+i%20, 9, 0)
			c := fixCase{no: fixNo(i), org: e.org, status: "refused", submitted: day}
			if i < 12998 {
				c.status, c.accepted = "accepted", tptr(day)
			}
			if i < 12712 {
				c.status, c.concluded = "concluded", tptr(day.Add(2*time.Hour))
			}
			rows = append(rows, c)
		}
		insertCases(t, d, rows)
		res := ok[StatsResult](t)(e.svc.CaseStats(context.Background(), e.supervisor, StatsQuery{From: "2026-03-01", To: "2026-03-31", GroupBy: "org"}))
		g := res.Total
		if g.Received != 13038 || g.Accepted != 12998 || g.Concluded != 12712 || g.Refused != 40 {
			t.Fatalf("got received %d accepted %d concluded %d refused %d, want 13038/12998/12712/40", g.Received, g.Accepted, g.Concluded, g.Refused)
		}
		if got := Pct(g.CompletionRate); got != "97.8%" {
			t.Fatalf("办结率 got %s, want 97.8%%", got)
		}
		if len(res.Groups) != 1 || res.Groups[0].Label != "示范县市场监督管理局" || res.Groups[0].Concluded != 12712 {
			t.Fatalf("groups by org got %+v", res.Groups)
		}
	})
}

type fakeRatings []RatingCount

func (f fakeRatings) RatingCounts(context.Context, string, time.Time, time.Time) ([]RatingCount, error) {
	return f, nil
}

// Six hand-made cases (see the comments) against hand-computed figures.
func TestStats_handComputedFixture(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 31, 18, 0))
		mon9, tue9, tue10, wed9 := bj(2026, 3, 2, 9, 0), bj(2026, 3, 3, 9, 0), bj(2026, 3, 3, 10, 0), bj(2026, 3, 4, 9, 0)
		legal := tptr(bj(2026, 3, 31, 0, 0))
		rows := []fixCase{
			// A: online, 2 working days (Mon 9:00 → Wed 9:00), on time, no trip, granted.
			{no: fixNo(1), channel: "online", status: "delivered", decision: "grant", accepted: &mon9, concluded: &wed9, promised: tptr(bj(2026, 3, 7, 0, 0)), legal: legal},
			// B: 5 working days minus a one-day stop = 4, late against promised, 2 trips, second correction.
			{no: fixNo(2), window: e.window, status: "concluded", decision: "grant", accepted: &mon9, concluded: tptr(bj(2026, 3, 9, 9, 0)),
				promised: tptr(bj(2026, 3, 6, 0, 0)), legal: legal, trips: 2, corrections: 2, second: true,
				body: `{"stops":[{"kind":"inspection","from":"2026-03-03T01:00:00Z","to":"2026-03-04T01:00:00Z","step":-1}],"item_snapshot":{"promised_limit":{"days":3},"legal_limit":{"days":20}}}`},
			// C: 即办件 decided on the spot, 0 days, one trip.
			{no: fixNo(3), window: e.window, caseType: "immediate", status: "concluded", decision: "grant", accepted: &tue10, concluded: &tue10,
				promised: tptr(bj(2026, 3, 4, 0, 0)), legal: legal, trips: 1, body: `{"item_snapshot":{"promised_limit":{"days":0},"legal_limit":{"days":20}}}`},
			// D: refused after one correction, one trip.
			{no: fixNo(4), window: e.window, status: "refused", trips: 1, corrections: 1},
			// E: online, accepted with a pending material (supplied), then withdrawn.
			{no: fixNo(5), channel: "online", status: "withdrawn", accepted: &mon9},
			// F: pending material never supplied, denied, 4 working days.
			{no: fixNo(6), window: e.window, status: "concluded", decision: "deny", accepted: &mon9, concluded: tptr(bj(2026, 3, 6, 9, 0)),
				promised: tptr(bj(2026, 3, 14, 0, 0)), legal: legal, trips: 1},
		}
		for i := range rows {
			rows[i].org, rows[i].submitted = e.org, mon9
		}
		rows[2].submitted = tue9
		insertCases(t, d, rows)
		for _, p := range []struct {
			no       string
			supplied any
		}{{fixNo(5), tue9}, {fixNo(6), nil}} {
			if _, err := d.W.ExecContext(ctx, `INSERT INTO case_pending (case_id, material_id, name, commitment, due_date, due_at, remind_at, supplied_at, created_at)
				SELECT id, 'm2', '营业场所证明', '承诺补交', '2026-03-10', $2, $2, $3, $2 FROM cases WHERE no = $1`, p.no, mon9, p.supplied); err != nil {
				t.Fatal(err)
			}
		}
		e.svc.ratings = fakeRatings{{CaseNo: fixNo(1), OrgID: e.org, Ratings: 2, Satisfied: 1, Bad: 1, CallbacksDue: 1, CallbacksDone: 1, Rectifications: 1},
			{OrgID: e.org, Complaints: 1, ComplaintsClosed: 1}, {CaseNo: "990121-20250101-000001-0", Ratings: 9}}
		res := ok[StatsResult](t)(e.svc.CaseStats(ctx, e.supervisor, StatsQuery{From: "2026-03-01", To: "2026-03-31", GroupBy: "window"}))
		g := res.Total
		ints := []struct {
			name      string
			got, want int
		}{
			{"received", g.Received, 6}, {"accepted", g.Accepted, 5}, {"refused", g.Refused, 1}, {"concluded", g.Concluded, 4},
			{"granted", g.Granted, 3}, {"denied", g.Denied, 1}, {"withdrawn", g.Withdrawn, 1}, {"on time promised", g.OnTimePromised, 3},
			{"on time legal", g.OnTimeLegal, 4}, {"immediate", g.Immediate, 1}, {"online", g.Online, 2}, {"trips 0", g.Trips0, 2},
			{"trips 1", g.Trips1, 3}, {"trips 2+", g.Trips2Plus, 1}, {"corrected", g.Corrected, 2}, {"second corrections", g.SecondCorrections, 1},
			{"pending cases", g.PendingCases, 2}, {"pending fulfilled", g.PendingFulfilled, 1}, {"ratings (case outside the selection ignored)", g.Ratings, 2},
			{"bad", g.Bad, 1}, {"complaints", g.Complaints, 1},
		}
		for _, c := range ints {
			if c.got != c.want {
				t.Errorf("%s got %d, want %d", c.name, c.got, c.want)
			}
		}
		floats := []struct {
			name      string
			got, want float64
		}{
			{"办结率", g.CompletionRate, 0.8}, {"on-time rate", g.OnTimeRate, 0.75}, {"legal on-time rate", g.OnTimeLegalRate, 1},
			{"avg working days", g.AvgDays, 2.5}, {"p90 working days", g.P90Days, 4}, {"immediate share", g.ImmediateShare, 1.0 / 6},
			{"online share", g.OnlineShare, 2.0 / 6}, {"最多跑一次", g.MaxOneTripRate, 5.0 / 6}, {"correction rate", g.CorrectionRate, 2.0 / 6},
			{"satisfaction", g.SatisfactionRate, 0.5}, {"callback rate", g.CallbackRate, 1}, {"rectification rate", g.RectificationRate, 0},
		}
		for _, c := range floats {
			if math.Abs(c.got-c.want) > 1e-9 {
				t.Errorf("%s got %v, want %v", c.name, c.got, c.want)
			}
		}
		byKey := map[string]Stats{}
		for _, s := range res.Groups {
			byKey[s.Label] = s
		}
		if w := byKey["示范县政务服务中心 A01窗口"]; w.Received != 4 || w.Concluded != 3 {
			t.Errorf("window A01 got received %d concluded %d, want 4 and 3 (groups %v)", w.Received, w.Concluded, res.Groups)
		}
		if w := byKey["（未指定）"]; w.Received != 2 {
			t.Errorf("cases without a window got %d, want 2", w.Received)
		}
		byDay := ok[StatsResult](t)(e.svc.CaseStats(ctx, e.supervisor, StatsQuery{From: "2026-03-01", To: "2026-03-31", GroupBy: "day"}))
		if len(byDay.Groups) != 2 || byDay.Groups[0].Key != "2026-03-02" || byDay.Groups[0].Received != 5 || byDay.Groups[1].Received != 1 {
			t.Errorf("by day got %+v, want 5 on 03-02 and 1 on 03-03", byDay.Groups)
		}
		byYear := ok[StatsResult](t)(e.svc.CaseStats(ctx, e.supervisor, StatsQuery{From: "2026-01-01", To: "2026-12-31", GroupBy: "year"}))
		if len(byYear.Groups) != 1 || byYear.Groups[0].Key != "2026" || byYear.Groups[0].Received != 6 {
			t.Errorf("by year got %+v, want the 6 cases in 2026", byYear.Groups)
		}
		empty := ok[StatsResult](t)(e.svc.CaseStats(ctx, e.supervisor, StatsQuery{From: "2026-04-01", To: "2026-04-30"}))
		if empty.Total.Received != 0 || empty.Total.CompletionRate != 0 {
			t.Errorf("an empty period got %+v", empty.Total)
		}
		t.Run("a complaint not about a case stays out of another department, a window or an item", func(t *testing.T) {
			e.svc.ratings = fakeRatings{{OrgID: e.org + 1, Complaints: 1}, {OrgID: e.org, Complaints: 2}}
			for _, c := range []struct {
				q    StatsQuery
				want int
			}{
				{StatsQuery{}, 3},
				{StatsQuery{OrgID: e.org}, 2},
				{StatsQuery{WindowID: e.window}, 0},
				{StatsQuery{Item: "x"}, 0},
			} {
				c.q.From, c.q.To = "2026-03-01", "2026-03-31"
				got := ok[StatsResult](t)(e.svc.CaseStats(ctx, e.supervisor, c.q)).Total.Complaints
				if got != c.want {
					t.Errorf("query %+v: got %d complaints, want %d", c.q, got, c.want)
				}
			}
		})
	})
}

func TestStats_badInputAndScope(t *testing.T) {
	e := newEnv(t, dbtest.SQLite(t), bj(2026, 3, 31, 18, 0))
	ctx := context.Background()
	for _, c := range []struct {
		name string
		p    *auth.Principal
		q    StatsQuery
		want error
	}{
		{"anonymous", nil, StatsQuery{}, auth.ErrUnauthenticated},
		{"clerk", e.clerk, StatsQuery{}, auth.ErrForbidden},
		{"other county", e.supervisor, StatsQuery{Region: "990122"}, ErrRegionOutOfScope},
		{"bad group", e.supervisor, StatsQuery{GroupBy: "planet"}, ErrGroupBy},
		{"bad date", e.supervisor, StatsQuery{From: "2026-13-01"}, ErrPeriod},
		{"reversed period", e.supervisor, StatsQuery{From: "2026-03-10", To: "2026-03-01"}, ErrPeriod},
	} {
		t.Run(c.name+" is rejected", func(t *testing.T) {
			if _, err := e.svc.CaseStats(ctx, c.p, c.q); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}
