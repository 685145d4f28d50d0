package supervise

import (
	"bytes"
	"context"
	"testing"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// twoDepartments writes March cases of two departments: the market
// regulator concludes 3 of 4 accepted, the tax bureau 2 of 2.
func twoDepartments(t *testing.T, e *env) (tax int64) {
	t.Helper()
	ctx := context.Background()
	if err := e.d.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at)
		VALUES ('国家税务总局示范县税务局', '11990121MB0000002X', '990121', 'vertical', $1, $1) RETURNING id`, e.clk.Now()).Scan(&tax); err != nil {
		t.Fatal(err)
	}
	mon := bj(2026, 3, 2, 9, 0)
	done := tptr(bj(2026, 3, 3, 9, 0))
	var rows []fixCase
	for i := 0; i < 6; i++ {
		c := fixCase{no: fixNo(i), org: e.org, status: "accepted", submitted: mon, accepted: &mon, promised: tptr(bj(2026, 3, 20, 0, 0)), legal: tptr(bj(2026, 3, 31, 0, 0))}
		if i < 3 {
			c.status, c.concluded = "concluded", done
		}
		if i >= 4 {
			c.org, c.item, c.status, c.concluded, c.trips = tax, "1100001000-990121-01", "concluded", done, 2
		}
		rows = append(rows, c)
	}
	rows = append(rows, fixCase{no: fixNo(99), org: e.org, status: "concluded", submitted: bj(2026, 4, 1, 9, 0), accepted: &mon, concluded: done})
	insertCases(t, e.d, rows)
	return tax
}

func TestMonthlyReport_excelHasSummaryAndOneSheetPerDepartment(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, bj(2026, 4, 2, 9, 0))
		twoDepartments(t, e)
		rep := ok[Report](t)(e.svc.MonthlyReport(context.Background(), e.supervisor, "2026-03", ""))
		var buf bytes.Buffer
		if err := rep.WriteExcel(&buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("open workbook: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		want := []string{SummarySheet, "示范县市场监督管理局", "国家税务总局示范县税务局"}
		if len(sheets) != 3 {
			t.Fatalf("sheets got %v, want %v (any order of departments)", sheets, want)
		}
		rows, err := f.GetRows(SummarySheet)
		if err != nil {
			t.Fatal(err)
		}
		cell := func(sheet string, row []string, title string) string {
			for i, c := range reportColumns {
				if c.Title == title && i+1 < len(row) {
					return row[i+1]
				}
			}
			t.Fatalf("%s: no column %s in %v", sheet, title, row)
			return ""
		}
		got := map[string][2]string{}
		for _, r := range rows[3:] {
			got[r[0]] = [2]string{cell(SummarySheet, r, "受理数"), cell(SummarySheet, r, "办结率")}
		}
		for name, w := range map[string][2]string{"示范县市场监督管理局": {"4", "75.0%"}, "国家税务总局示范县税务局": {"2", "100.0%"}, "合计": {"6", "83.3%"}} {
			if got[name] != w {
				t.Errorf("summary %s got 受理/办结率 %v, want %v", name, got[name], w)
			}
		}
		tax, err := f.GetRows("国家税务总局示范县税务局")
		if err != nil {
			t.Fatal(err)
		}
		if len(tax) < 6 || tax[4][0] != "食品经营许可" || cell("tax", tax[4], "跑两次及以上") != "2" || tax[5][0] != "部门合计" {
			t.Errorf("department sheet rows got %v", tax)
		}
		if _, err := e.svc.MonthlyReport(context.Background(), e.supervisor, "2026-3", ""); err == nil {
			t.Error("a malformed month was accepted")
		}
	})
}

func TestScoreboard_ranksDepartmentsAndHidesThinSatisfaction(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, bj(2026, 4, 2, 9, 0))
		tax := twoDepartments(t, e)
		e.svc.ratings = fakeRatings{{CaseNo: fixNo(0), OrgID: e.org, Ratings: 4, Satisfied: 4}, {CaseNo: fixNo(4), OrgID: tax, Ratings: 5, Satisfied: 4, Bad: 1}}
		rows := ok[[]ScoreRow](t)(e.svc.Scoreboard(context.Background(), "2026-03", ""))
		if len(rows) != 2 || rows[0].OrgID != tax || rows[0].Rank != 1 || rows[1].Rank != 2 {
			t.Fatalf("ranking got %+v, want the tax bureau (100%%) first", rows)
		}
		if rows[0].SatisfactionRate == nil || *rows[0].SatisfactionRate != 0.8 {
			t.Errorf("tax satisfaction got %v, want 0.8 (5 ratings published)", rows[0].SatisfactionRate)
		}
		if rows[1].SatisfactionRate != nil {
			t.Errorf("satisfaction over 4 ratings was published: %v", *rows[1].SatisfactionRate)
		}
	})
}
