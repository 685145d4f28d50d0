package reform

import (
	"context"
	"math"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// The monthly report against a hand-computed fixture.
//
// March 2026, as of 10 April:
//
//	市场监管局 (lead): due 3/15 done 3/10 (on time), due 3/31 done 4/3 (late), due 3/20 open (overdue)
//	自然资源局 (lead): due 3/31 done 3/31 (on time), due 3/25 open (overdue)
//	not in March: due 4/30 open; 东山县's task due 3/31 (other region)
//
// April 2026 as of 10 April: 市场监管局 due 4/8 open (overdue), 自然资源局 due 4/30 open (in progress).
func TestMonthlyReport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.April, 10, 9))
		a1 := f.mustTask(t, "A1", "2026-03-01", "2026-03-15", f.market)
		a2 := f.mustTask(t, "A2", "2026-03-01", "2026-03-31", f.market, f.land)
		f.mustTask(t, "A3", "2026-03-01", "2026-03-20", f.market)
		b1 := f.mustTask(t, "B1", "2026-03-01", "2026-03-31", f.land)
		f.mustTask(t, "B2", "2026-03-01", "2026-03-25", f.land)
		f.mustTask(t, "B3", "2026-03-01", "2026-04-30", f.land)
		f.mustTask(t, "A4", "2026-03-01", "2026-04-08", f.market)
		if _, err := f.svc.Create(ctx, f.supervisorDS, TaskInput{Title: "东山", LeadOrgID: f.dongshan, StartDate: "2026-03-01", Deadline: "2026-03-31"}); err != nil {
			t.Fatal(err)
		}
		f.mustComplete(t, a1.ID, "2026-03-10")
		f.mustComplete(t, a2.ID, "2026-04-03")
		f.mustComplete(t, b1.ID, "2026-03-31")

		type row struct {
			due, onTime, late, overdue, open int
			rate, onTimeRate                 float64
		}
		check := func(t *testing.T, name string, got ReportRow, want row) {
			t.Helper()
			g := row{got.Due, got.DoneOnTime, got.DoneLate, got.Overdue, got.InProgress, got.CompletionRate, got.OnTimeRate}
			if g.due != want.due || g.onTime != want.onTime || g.late != want.late || g.overdue != want.overdue || g.open != want.open ||
				math.Abs(g.rate-want.rate) > 1e-9 || math.Abs(g.onTimeRate-want.onTimeRate) > 1e-9 {
				t.Errorf("%s: got %+v, want %+v", name, g, want)
			}
		}
		rep, err := f.svc.MonthlyReport(ctx, f.supervisor, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 2 || rep.Rows[0].Unit.ID != f.market || rep.Rows[1].Unit.ID != f.land || len(rep.Tasks) != 5 {
			t.Fatalf("rows %+v, %d tasks", rep.Rows, len(rep.Tasks))
		}
		check(t, "市场监管局", rep.Rows[0], row{3, 1, 1, 1, 0, 2.0 / 3, 1.0 / 3})
		check(t, "自然资源局", rep.Rows[1], row{2, 1, 0, 1, 0, 0.5, 0.5})
		check(t, "合计", rep.Total, row{5, 2, 1, 2, 0, 0.6, 0.4})

		apr, err := f.svc.MonthlyReport(ctx, f.supervisor, "2026-04")
		if err != nil {
			t.Fatal(err)
		}
		check(t, "April total", apr.Total, row{2, 0, 0, 1, 1, 0, 0})

		if _, err := f.svc.MonthlyReport(ctx, f.supervisor, "2026-3"); fieldsOf(err)["month"] == "" {
			t.Fatalf("bad month: %v", err)
		}
		if _, err := f.svc.MonthlyReport(ctx, f.approverMarket, "2026-03"); err == nil {
			t.Fatal("an approver read the region's report")
		}
	})
}
