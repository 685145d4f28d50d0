package ratings

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestRectification_flow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		c, _ := e.concluded(t)
		r := must[*Rating](t)(e.svc.Rate(ctx, w.applicant, c.No, bad()))
		x := r.Rectification
		if x == nil || x.Status != RectOpen || x.OrgID != orgA {
			t.Fatalf("got rectification %+v, want an open one for org A", x)
		}
		// One working day for the callback: by 24:00 Tuesday.
		if want := bj(2026, 3, 4, 0, 0); !x.CallbackDue.Equal(want) {
			t.Fatalf("callback due %v, want %v", x.CallbackDue, want)
		}
		note := RectAction{Note: "已电话联系申请人"}
		t.Run("another department cannot work it", func(t *testing.T) {
			_, err := e.svc.Act(ctx, w.deptB, x.ID, ActCallback, note)
			wantErr(t, err, ErrNotYourRect)
		})
		t.Run("it cannot close, fix or explain without a callback record", func(t *testing.T) {
			for _, a := range []string{ActClose, ActFix, ActExplain, ActSetDeadline} {
				_, err := e.svc.Act(ctx, w.deptA, x.ID, a, note)
				wantErr(t, err, ErrNoCallback)
			}
		})
		t.Run("an action needs a note", func(t *testing.T) {
			_, err := e.svc.Act(ctx, w.deptA, x.ID, ActCallback, RectAction{})
			wantErr(t, err, ErrNote)
		})
		x = must[*Rectification](t)(e.svc.Act(ctx, w.deptA, x.ID, ActCallback, RectAction{Note: "回访核实：系统提示不清", Record: "REC-1", Verified: true}))
		if x.Status != RectCalledBack || x.CallbackLate || x.CallbackBy != w.deptA.UserID {
			t.Fatalf("after callback got %+v", x)
		}
		_, err := e.svc.Act(ctx, w.deptA, x.ID, ActClose, note)
		wantErr(t, err, ErrNotReported)
		x = must[*Rectification](t)(e.svc.Act(ctx, w.deptA, x.ID, ActSetDeadline, RectAction{Note: "修改办事指南"}))
		// 15 working days from Monday 2026-03-02 09:00 end on Monday 2026-03-23.
		if x.Status != RectRectifying || x.RectifyDue == nil || !x.RectifyDue.Equal(bj(2026, 3, 24, 0, 0)) {
			t.Fatalf("after set-deadline got %+v due %v", x, x.RectifyDue)
		}
		x = must[*Rectification](t)(e.svc.Act(ctx, w.deptA, x.ID, ActFix, RectAction{Note: "办事指南已更正"}))
		x = must[*Rectification](t)(e.svc.Act(ctx, w.deptA, x.ID, ActReport, RectAction{Note: "办事指南已更正，感谢您的监督"}))
		if x.Status != RectReported || x.Outcome != "rectify" {
			t.Fatalf("after report got %+v", x)
		}
		t.Run("only the rater rates the rectification, once", func(t *testing.T) {
			_, err := e.svc.RateRectification(ctx, w.other, x.ID, 5, "")
			wantErr(t, err, ErrNotRater)
			_, err = e.svc.RateRectification(ctx, w.applicant, x.ID, 7, "")
			wantErr(t, err, ErrLevel)
			got := must[*Rectification](t)(e.svc.RateRectification(ctx, w.applicant, x.ID, 5, "改得很快"))
			if got.RaterLevel != 5 {
				t.Fatalf("rater level %d, want 5", got.RaterLevel)
			}
			_, err = e.svc.RateRectification(ctx, w.applicant, x.ID, 4, "")
			wantErr(t, err, ErrAlreadyRated)
		})
		x = must[*Rectification](t)(e.svc.Act(ctx, w.deptA, x.ID, ActClose, RectAction{Note: "整改完成"}))
		if x.Status != RectClosed {
			t.Fatalf("status %s, want closed", x.Status)
		}
		a := must[Aggregate](t)(e.svc.Aggregate(ctx, Filter{OrgID: orgA}))
		if a.CallbacksDone != 1 || a.CallbacksRequired != 1 || a.RectificationsDone != 1 || a.RectificationRate != 1 || a.CallbacksOnTime != 1 {
			t.Fatalf("aggregate %+v, want callback and rectification 1/1", a)
		}
		t.Run("the rater sees the result", func(t *testing.T) {
			mine := must[Mine](t)(e.svc.MyRatings(ctx, w.applicant))
			if len(mine.Ratings) != 1 || mine.Ratings[0].Rectification == nil || mine.Ratings[0].Rectification.ReportNote == "" {
				t.Fatalf("my ratings %+v", mine.Ratings)
			}
		})
	})
}

func TestAppeal_upheldExcludesButKeeps(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		c1, _ := e.concluded(t)
		c2, _ := e.concluded(t)
		r := must[*Rating](t)(e.svc.Rate(ctx, w.applicant, c1.No, bad()))
		must[*Rating](t)(e.svc.Rate(ctx, w.applicant, c2.No, RateRequest{Level: 5}))
		_, err := e.svc.FileAppeal(ctx, w.deptA, r.ID, AppealRequest{Reasons: "  "})
		wantErr(t, err, ErrAppealReasons)
		_, err = e.svc.FileAppeal(ctx, w.deptB, r.ID, AppealRequest{Reasons: "恶意评价"})
		wantErr(t, err, ErrNotYourRect)
		ap := must[*Appeal](t)(e.svc.FileAppeal(ctx, w.deptA, r.ID, AppealRequest{Reasons: "申请人误评：办件当场办结，评价内容与本办件无关"}))
		_, err = e.svc.FileAppeal(ctx, w.deptA, r.ID, AppealRequest{Reasons: "再次申诉"})
		wantErr(t, err, ErrAppealPending)
		_, err = e.svc.DecideAppeal(ctx, w.deptA, ap.ID, DecideRequest{Uphold: true, Note: "x"})
		wantErr(t, err, auth.ErrForbidden)
		_, err = e.svc.DecideAppeal(ctx, w.supervisorB, ap.ID, DecideRequest{Uphold: true, Note: "x"})
		wantErr(t, err, auth.ErrOutOfScope)
		_, err = e.svc.DecideAppeal(ctx, w.supervisor, ap.ID, DecideRequest{Uphold: true})
		wantErr(t, err, ErrDecisionNote)
		before := must[Aggregate](t)(e.svc.Aggregate(ctx, Filter{Region: "990121"}))
		if before.Total != 2 || before.Bad != 1 {
			t.Fatalf("before the decision got %+v", before)
		}
		ap = must[*Appeal](t)(e.svc.DecideAppeal(ctx, w.supervisor, ap.ID, DecideRequest{Uphold: true, Note: "经核实，评价与办件无关"}))
		if ap.Status != AppealUpheld {
			t.Fatalf("appeal %s, want upheld", ap.Status)
		}
		after := must[Aggregate](t)(e.svc.Aggregate(ctx, Filter{Region: "990121"}))
		if after.Total != 1 || after.Bad != 0 || after.Excluded != 1 || after.SatisfiedShare != 1 || after.CallbacksRequired != 0 {
			t.Fatalf("after the decision got %+v, want the bad rating excluded", after)
		}
		kept := must[*Rating](t)(e.svc.Get(ctx, w.supervisor, r.ID))
		if !kept.Excluded || kept.Level != 1 || len(kept.Appeals) != 1 {
			t.Fatalf("kept rating %+v, want it kept with its appeal", kept)
		}
		_, err = e.svc.DecideAppeal(ctx, w.supervisor, ap.ID, DecideRequest{Uphold: false, Note: "x"})
		wantErr(t, err, ErrAppealDone)
	})
}
