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
