package cases

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestSeedDemo_leavesCasesInEveryState(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		nos, err := SeedDemo(ctx, e.svc, DemoCast{Applicants: []*auth.Principal{w.applicant}, Clerk: w.clerk, Reviewer: w.reviewer,
			Approver: w.approver, Supervisor: w.supervisor, WindowID: windowA},
			[]DemoItem{{Code: itemPromised, Materials: fullMaterials()}, {Code: itemCustom, Materials: fullMaterials()}})
		if err != nil {
			t.Fatal(err)
		}
		if len(nos) != 2*len(demoPlan) {
			t.Fatalf("got %d demo cases, want %d", len(nos), 2*len(demoPlan))
		}
		seen := map[Status]bool{}
		for _, no := range nos {
			seen[e.get(t, no).Status] = true
		}
		for _, st := range []Status{Submitted, Correction, Refused, Withdrawn, Accepted, ClockStopped, Decided, Concluded, Delivered} {
			if !seen[st] {
				t.Errorf("no demo case in state %s", st)
			}
		}
	})
}
