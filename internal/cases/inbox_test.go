package cases

import (
	"context"
	"slices"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestClerkInbox_holdsAuthorizedCasesAwaitingAcceptanceOrAtAClerkStep(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		submitted := e.mustSubmitOnline(t, itemPromised)
		atClerk := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		atReviewer := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		atReviewer = ok(e.svc.Review(ctx, w.clerk, atReviewer.No, OpinionRequest{}))
		nos := func(cs []*Case) []string {
			out := []string{}
			for _, c := range cs {
				out = append(out, c.No)
			}
			slices.Sort(out)
			return out
		}
		want := []string{submitted.No, atClerk.No}
		slices.Sort(want)
		for _, tt := range []struct {
			name string
			f    Filter
			want []string
		}{
			{"inbox lists submitted and clerk-step cases", Filter{Inbox: true}, want},
			{"inbox with the clerk role is the same", Filter{Inbox: true, Role: "clerk"}, want},
			{"inbox pages after the authorization filter", Filter{Inbox: true, Limit: 1, Offset: 1}, want[:1]},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := e.svc.List(ctx, w.clerk, tt.f)
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				if tt.f.Limit == 1 {
					if len(got) != 1 {
						t.Fatalf("got %d cases, want 1", len(got))
					}
					return
				}
				if g := nos(got); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v (not %s at the reviewer step)", g, tt.want, atReviewer.No)
				}
			})
		}
		t.Run("a clerk without a window authorization for the item sees nothing", func(t *testing.T) {
			got, err := e.svc.List(ctx, w.clerkNoAuth, Filter{Inbox: true})
			if err != nil || len(got) != 0 {
				t.Errorf("got %v (%v), want none", nos(got), err)
			}
		})
	})
}

func TestWindowFiling_missingMaterialsAreNamedInTheCorrectionNotice(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		r, err := e.svc.Submit(ctx, w.clerk, SubmitRequest{Item: itemPromised, Channel: Window,
			Applicant: &Applicant{Name: "王五", IDNumber: otherID}, Materials: []MaterialInput{{MaterialID: "m2", Paper: true}}})
		if err != nil {
			t.Fatalf("window filing without m1 and m3 got %v, want it on record", err)
		}
		no := r.Case.No
		if len(r.Case.Materials) != 1 {
			t.Fatalf("got %d materials on record, want only the presented one", len(r.Case.Materials))
		}
		_, err = e.svc.Accept(ctx, w.clerk, no, AcceptRequest{})
		wantErr(t, err, ErrMaterialsMissing)
		c := ok(e.svc.RequestCorrection(ctx, w.clerk, no, CorrectionRequest{Items: []CorrectionItem{
			{MaterialID: "m1", Reason: "未提交申请书"}, {MaterialID: "m3", Reason: "未提交无犯罪记录证明"}}}))
		if c.Status != Correction || len(c.CorrectionLog) != 1 || len(c.CorrectionLog[0].Items) != 2 {
			t.Fatalf("got %s with notices %+v, want one notice naming both", c.Status, c.CorrectionLog)
		}
		for _, m := range c.Materials {
			if (m.MaterialID == "m1" || m.MaterialID == "m3") && (m.Source != SourceNone || m.Status != MatDefective) {
				t.Errorf("material %s got source %s status %s, want none/defective (never presented)", m.MaterialID, m.Source, m.Status)
			}
		}
		c = ok(e.svc.Resubmit(ctx, w.clerk, no, ResubmitRequest{Materials: []MaterialInput{{MaterialID: "m1", Paper: true}, {MaterialID: "m3", Paper: true}}}))
		c = ok(e.svc.Accept(ctx, w.clerk, no, AcceptRequest{}))
		if c.Status != Accepted || c.Trips != 2 {
			t.Errorf("got %s trips %d, want accepted after 2 trips", c.Status, c.Trips)
		}
	})
	t.Run("an online filing still needs every required material", func(t *testing.T) {
		dbtest.Engines(t, func(t *testing.T, d *db.DB) {
			e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
			_, err := e.svc.Submit(context.Background(), e.who.applicant, SubmitRequest{Item: itemPromised, Channel: Online,
				Materials: []MaterialInput{{MaterialID: "m2", Paper: true}}})
			wantErr(t, err, ErrMaterialsMissing)
		})
	})
}
