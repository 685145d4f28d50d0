package ratings

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func regionsOf(rs []Rules) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.RegionCode)
	}
	return out
}

// TestRulesWithinAndRemove: a supervisor lists the rules of their own
// region and below, removes a township's rules and the township falls back
// to the county's; scope and role are checked by the service.
func TestRulesWithinAndRemove(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		county, town, east := DefaultRules(), DefaultRules(), DefaultRules()
		county.RegionCode, county.WindowDays = "990121", 7
		town.RegionCode, town.WindowDays = "990121001", 9
		east.RegionCode, east.WindowDays = "990122", 3
		for _, set := range []struct {
			p *auth.Principal
			r Rules
		}{{w.supervisor, county}, {w.supervisor, town}, {w.supervisorB, east}} {
			if _, err := e.svc.SetRules(ctx, set.p, set.r); err != nil {
				t.Fatalf("set %s: %v", set.r.RegionCode, err)
			}
		}

		t.Run("a supervisor lists only the rules of their region and below", func(t *testing.T) {
			got := must[[]Rules](t)(e.svc.RulesWithin(ctx, w.supervisor))
			if g := regionsOf(got); len(g) != 2 || g[0] != "990121" || g[1] != "990121001" || got[1].WindowDays != 9 {
				t.Fatalf("got %v (%+v), want 990121 and 990121001", g, got)
			}
			got = must[[]Rules](t)(e.svc.RulesWithin(ctx, w.supervisorB))
			if g := regionsOf(got); len(g) != 1 || g[0] != "990122" {
				t.Fatalf("got %v, want only 990122", g)
			}
		})
		t.Run("a clerk may not list rules", func(t *testing.T) {
			_, err := e.svc.RulesWithin(ctx, w.clerk)
			wantErr(t, err, auth.ErrForbidden)
		})
		t.Run("another county's supervisor may not remove", func(t *testing.T) {
			wantErr(t, e.svc.RemoveRules(ctx, w.supervisorB, "990121001"), auth.ErrOutOfScope)
		})
		t.Run("a clerk may not remove", func(t *testing.T) {
			wantErr(t, e.svc.RemoveRules(ctx, w.clerk, "990121001"), auth.ErrForbidden)
		})
		t.Run("removing a township's rules falls back to the county's", func(t *testing.T) {
			if err := e.svc.RemoveRules(ctx, w.supervisor, "990121001"); err != nil {
				t.Fatal(err)
			}
			got := must[Rules](t)(e.svc.RulesFor(ctx, "990121001001"))
			if got.RegionCode != "990121" || got.WindowDays != 7 {
				t.Fatalf("got %+v, want the county's rules (7 days)", got)
			}
			evs, err := audit.Stream(ctx, d.R, "rating-rules/990121001")
			if err != nil || len(evs) != 2 || evs[1].Action != "remove" {
				t.Fatalf("got %d audit events %v, want set and remove", len(evs), err)
			}
		})
		t.Run("removing rules a region does not have is a field error", func(t *testing.T) {
			wantErr(t, e.svc.RemoveRules(ctx, w.supervisor, "990121001"), ErrRulesNotSet)
		})
		t.Run("removing the county's rules falls back to the defaults", func(t *testing.T) {
			if err := e.svc.RemoveRules(ctx, w.supervisor, "990121"); err != nil {
				t.Fatal(err)
			}
			got := must[Rules](t)(e.svc.RulesFor(ctx, "990121"))
			if got.RegionCode != "" || got.WindowDays != DefaultRules().WindowDays {
				t.Fatalf("got %+v, want the defaults", got)
			}
		})
	})
}
