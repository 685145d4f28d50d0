package ratings

import (
	"context"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestRate_rules(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		c, _ := e.concluded(t)

		t.Run("invalid input is refused with a specific error", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				req  RateRequest
				want error
			}{
				{"level 0", RateRequest{Level: 0}, ErrLevel},
				{"level 6", RateRequest{Level: 6}, ErrLevel},
				{"tag of another level", RateRequest{Level: 5, Tags: []string{"办事效率很低"}}, ErrTag},
				{"tag of the on-site set on an online case", RateRequest{Level: 5, Tags: []string{"服务态度热情"}}, ErrTag},
				{"bad rating without a reason tag", RateRequest{Level: 2}, ErrTagsRequired},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := e.svc.Rate(ctx, w.applicant, c.No, tc.req)
					wantErr(t, err, tc.want)
				})
			}
		})
		t.Run("someone other than the applicant is refused", func(t *testing.T) {
			_, err := e.svc.Rate(ctx, w.other, c.No, RateRequest{Level: 5})
			wantErr(t, err, ErrNotRater)
		})
		t.Run("staff can never rate", func(t *testing.T) {
			for _, p := range []*auth.Principal{w.clerk, w.deptA, w.supervisor, w.hotline} {
				_, err := e.svc.Rate(ctx, p, c.No, RateRequest{Level: 5})
				wantErr(t, err, ErrStaffRating)
			}
			_, err := e.svc.RateWithCode(ctx, w.clerk, c.No, "whatever", ChWindow, windowA, RateRequest{Level: 5})
			wantErr(t, err, ErrStaffRating)
		})
		t.Run("the applicant rates once per moment", func(t *testing.T) {
			r, err := e.svc.Rate(ctx, w.applicant, c.No, RateRequest{Level: 4, Tags: []string{"办事效率较高"}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Stage != StageConclude || r.TagSet != TagsOnline || r.Bad || r.RaterID != w.applicant.UserID || r.Channel != ChOnline {
				t.Fatalf("got %+v, want a conclusion rating by the applicant", r)
			}
			_, err = e.svc.Rate(ctx, w.applicant, c.No, RateRequest{Stage: StageConclude, Level: 1, Tags: []string{"办事效率很低"}})
			wantErr(t, err, ErrAlreadyRated)
			// The acceptance moment is a second rateable moment.
			r2, err := e.svc.Rate(ctx, w.applicant, c.No, RateRequest{Level: 5})
			if err != nil || r2.Stage != StageAccept {
				t.Fatalf("got %+v %v, want the acceptance moment rated", r2, err)
			}
			_, err = e.svc.Rate(ctx, w.applicant, c.No, RateRequest{Level: 5})
			wantErr(t, err, ErrAlreadyRated)
		})
		t.Run("a rating cannot be changed: the stored level stays", func(t *testing.T) {
			rs, err := e.svc.List(ctx, w.applicant, ListFilter{})
			if err != nil || len(rs) != 2 {
				t.Fatalf("got %d ratings %v, want 2", len(rs), err)
			}
			for _, r := range rs {
				if r.Stage == StageConclude && r.Level != 4 {
					t.Fatalf("conclusion rating level %d, want 4", r.Level)
				}
			}
		})
	})
}

func TestRate_window(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		c, _ := e.concluded(t) // concluded Monday 2026-03-02
		// Five working days: the window ends at 24:00 on Monday 2026-03-09.
		e.clk.Set(bj(2026, 3, 9, 23, 0))
		m, err := e.svc.Rateable(ctx, e.who.applicant, c.No)
		if err != nil {
			t.Fatalf("still inside the window: %v", err)
		}
		if want := bj(2026, 3, 10, 0, 0); !m.ClosesAt.Equal(want) {
			t.Fatalf("window closes %v, want %v", m.ClosesAt, want)
		}
		e.clk.Set(bj(2026, 3, 10, 0, 1))
		_, err = e.svc.Rate(ctx, e.who.applicant, c.No, RateRequest{Stage: StageConclude, Level: 5})
		wantErr(t, err, ErrWindowClosed)
	})
}

func TestRate_channels(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		t.Run("window evaluator with the query code", func(t *testing.T) {
			c, code := e.concluded(t)
			_, err := e.svc.RateWithCode(ctx, nil, c.No, "WRONG1", ChWindow, windowA, RateRequest{Level: 5})
			wantErr(t, err, ErrBadCode)
			r, err := e.svc.RateWithCode(ctx, nil, c.No, code, ChWindow, windowA, RateRequest{Level: 5, Tags: []string{"办事效率很高"}})
			if err != nil || r.Channel != ChWindow || r.RaterID != w.applicant.UserID {
				t.Fatalf("got %+v %v, want a window rating by the applicant", r, err)
			}
		})
		t.Run("12345 callback needs the call recording and keeps the applicant as rater", func(t *testing.T) {
			c, _ := e.concluded(t)
			_, err := e.svc.RateByHotline(ctx, w.hotline, c.No, HotlineRequest{RateRequest: RateRequest{Level: 3}})
			wantErr(t, err, ErrCallRecord)
			_, err = e.svc.RateByHotline(ctx, w.clerk, c.No, HotlineRequest{RateRequest: RateRequest{Level: 3}, CallRecord: "REC-1"})
			wantErr(t, err, auth.ErrForbidden)
			r, err := e.svc.RateByHotline(ctx, w.hotline, c.No, HotlineRequest{RateRequest: RateRequest{Level: 3}, CallRecord: "REC-20260302-001"})
			if err != nil || r.RaterID != w.applicant.UserID || r.RecordedBy != w.hotline.UserID || r.CallRecord == "" {
				t.Fatalf("got %+v %v", r, err)
			}
		})
		t.Run("SMS link is sent on conclusion and works once", func(t *testing.T) {
			c, _ := e.concluded(t)
			token := deliverCaseEvents(t, e, c.No)
			if _, err := e.svc.MomentByToken(ctx, token); err != nil {
				t.Fatalf("link: %v", err)
			}
			r, err := e.svc.RateByToken(ctx, nil, token, RateRequest{Level: 5})
			if err != nil || r.Channel != ChSMS || r.Stage != StageConclude {
				t.Fatalf("got %+v %v", r, err)
			}
			_, err = e.svc.RateByToken(ctx, nil, token, RateRequest{Level: 5})
			wantErr(t, err, ErrToken)
		})
	})
}

// TestDefaultSatisfied: where the region enables it, an unrated moment
// counts as 默认好评 after its window, separately from real ratings.
func TestDefaultSatisfied_countedSeparately(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		rules := DefaultRules()
		rules.RegionCode, rules.DefaultSatisfied = "990121", true
		if _, err := e.svc.SetRules(ctx, w.supervisor, rules); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetRules(ctx, w.applicant, rules); err == nil {
			t.Fatal("an applicant changed the rules")
		}
		c1, _ := e.concluded(t)
		c2, _ := e.concluded(t)
		deliverCaseEvents(t, e, c1.No)
		deliverCaseEvents(t, e, c2.No)
		if _, err := e.svc.Rate(ctx, w.applicant, c1.No, RateRequest{Stage: StageConclude, Level: 2, Tags: []string{"多次跑动"}}); err == nil {
			t.Fatal("on-site tag accepted on an online case")
		}
		must[*Rating](t)(e.svc.Rate(ctx, w.applicant, c1.No, RateRequest{Stage: StageConclude, Level: 2, Tags: []string{"平台操作不便"}}))
		e.clk.Set(bj(2026, 3, 20, 9, 0))
		n, err := e.svc.CloseDueMoments(ctx, e.clk.Now())
		if err != nil || n != 3 { // c1 accept, c2 accept, c2 conclude
			t.Fatalf("closed %d moments %v, want 3", n, err)
		}
		a := must[Aggregate](t)(e.svc.Aggregate(ctx, Filter{Region: "990121"}))
		if a.Total != 1 || a.Bad != 1 || a.Satisfied != 0 || a.DefaultSatisfied != 3 || a.SatisfiedShare != 0 {
			t.Fatalf("got %+v, want 1 real bad rating and 3 defaults kept apart", a)
		}
		if n, _ := e.svc.CloseDueMoments(ctx, e.clk.Now()); n != 0 {
			t.Fatalf("second run closed %d, want 0", n)
		}
	})
}

// deliverCaseEvents runs the case.event handler over the outbox and returns
// the rating link token sent by SMS for case no ("" when none).
func deliverCaseEvents(t testing.TB, e *env, no string) string {
	t.Helper()
	ctx := context.Background()
	rows, err := e.d.R.QueryContext(ctx, `SELECT id, topic, payload, created_at FROM outbox WHERE topic = 'case.event' AND delivered_at IS NULL ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type msg struct {
		id      int64
		payload string
	}
	var ms []msg
	for rows.Next() {
		var m msg
		var topic string
		var at time.Time
		if err := rows.Scan(&m.id, &topic, &m.payload, &at); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	rows.Close()
	for _, m := range ms {
		if err := e.svc.HandleCaseEvent(ctx, outboxMsg(m.id, m.payload)); err != nil {
			t.Fatalf("handle case event: %v", err)
		}
		if _, err := e.d.W.ExecContext(ctx, `UPDATE outbox SET delivered_at = $1 WHERE id = $2`, e.clk.Now(), m.id); err != nil {
			t.Fatal(err)
		}
	}
	return lastLinkToken(t, e, no)
}
