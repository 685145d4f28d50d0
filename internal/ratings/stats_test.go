package ratings

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestCaseCounts_perCaseWithoutExcludedOrRater(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		good, _ := e.concluded(t)
		fixed, _ := e.concluded(t)
		appealed, _ := e.concluded(t)
		must[*Rating](t)(e.svc.Rate(ctx, w.applicant, good.No, RateRequest{Level: 3}))
		r := must[*Rating](t)(e.svc.Rate(ctx, w.applicant, fixed.No, bad()))
		x := must[*Rectification](t)(e.svc.Act(ctx, w.deptA, r.Rectification.ID, ActCallback, RectAction{Note: "回访核实：属实", Record: "REC-1", Verified: true}))
		must[*Rectification](t)(e.svc.Act(ctx, w.deptA, x.ID, ActFix, RectAction{Note: "立行立改"}))
		ra := must[*Rating](t)(e.svc.Rate(ctx, w.applicant, appealed.No, RateRequest{Level: 1, Tags: []string{"反复提交仍未办成"}}))
		ap := must[*Appeal](t)(e.svc.FileAppeal(ctx, w.deptA, ra.ID, AppealRequest{Reasons: "申请人误评：评价内容与本办件无关"}))
		must[*Appeal](t)(e.svc.DecideAppeal(ctx, w.supervisor, ap.ID, DecideRequest{Uphold: true, Note: "经核实，评价与办件无关"}))
		must[*Complaint](t)(e.svc.FileComplaint(ctx, w.applicant, ComplaintRequest{Subject: "case", CaseNo: good.No, Content: "窗口要求重复提交材料"}))
		// A complaint about a window of org B, not about a case.
		now := e.clk.Now()
		if _, err := d.W.ExecContext(ctx, `INSERT INTO complaints (kind, subject, window_id, org_id, region_code, complainant_name, phone, content,
			channel, status, due_at, created_at, updated_at) VALUES ('complaint', 'window', 1, $1, '990121', '王五', '13900000000', '窗口无人', 'online', 'open', $2, $2, $2)`,
			orgB, now); err != nil {
			t.Fatal(err)
		}

		rows := must[[]CaseCount](t)(e.svc.CaseCounts(ctx, "990121", now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)))
		got := map[string]CaseCount{}
		for _, c := range rows {
			got[c.CaseNo] = c
		}
		want := map[string]CaseCount{
			good.No:  {CaseNo: good.No, OrgID: orgA, Ratings: 1, Satisfied: 1, Complaints: 1, CallbacksDue: 1},
			fixed.No: {CaseNo: fixed.No, OrgID: orgA, Ratings: 1, Bad: 1, CallbacksDue: 1, CallbacksDone: 1, Rectifications: 1, Rectified: 1},
			"":       {OrgID: orgB, Complaints: 1, CallbacksDue: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("got rows %+v, want %+v (the appealed rating excluded)", rows, want)
		}
		for no, w := range want {
			if got[no] != w {
				t.Errorf("case %q: got %+v, want %+v", no, got[no], w)
			}
		}
		t.Run("another region counts nothing", func(t *testing.T) {
			if rows := must[[]CaseCount](t)(e.svc.CaseCounts(ctx, "990122", now.AddDate(0, 0, -1), now.AddDate(0, 0, 1))); len(rows) != 0 {
				t.Fatalf("got %+v, want none", rows)
			}
		})
		t.Run("a period after the ratings counts nothing", func(t *testing.T) {
			if rows := must[[]CaseCount](t)(e.svc.CaseCounts(ctx, "99", now.AddDate(0, 0, 1), now.AddDate(0, 0, 2))); len(rows) != 0 {
				t.Fatalf("got %+v, want none", rows)
			}
		})
	})
}

func TestCaseCounts_defaultsApart(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _ := e.concluded(t)
		now := e.clk.Now()
		if _, err := d.W.ExecContext(ctx, `INSERT INTO rating_moments (case_no, stage, applicant_name, org_id, region_code, item_code, item_name,
			case_channel, moment_at, closes_at, default_ok, status, created_at) VALUES ($1, 'accept', '张三', $2, '990121', 'x', 'x', 'online', $3, $3, true, 'defaulted', $3)`,
			c.No, orgA, now); err != nil {
			t.Fatal(err)
		}
		rows := must[[]CaseCount](t)(e.svc.CaseCounts(ctx, "990121", now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)))
		if len(rows) != 1 || rows[0].Defaults != 1 || rows[0].Ratings != 0 || rows[0].Satisfied != 0 {
			t.Fatalf("got %+v, want one default and no rating", rows)
		}
	})
}
