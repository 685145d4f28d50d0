package cases

import (
	"context"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

// Expected dates are counted by hand from the State Council's 2026 schedule:
// Spring Festival 02-15..02-23 off, 02-14 (Sat) and 02-28 (Sat) working;
// Mid-Autumn 09-25 off; National Day 10-01..10-07 off, 09-20 (Sun) and
// 10-10 (Sat) working.
func TestDeadlines_crossHolidayBreaksWithAdjustedWorkingDays(t *testing.T) {
	tests := []struct {
		name            string
		accept          time.Time
		promised, legal string
		mentions        []string
	}{
		{"spring festival: 02-14 and 02-28 count, 02-15..02-23 skipped", bj(2026, 2, 12, 10, 0), "2026-03-04", "2026-03-18", []string{"春节", "调休"}},
		{"national day: 09-20 and 10-10 count, 中秋 09-25 and 10-01..10-07 skipped", bj(2026, 9, 18, 16, 30), "2026-10-09", "2026-10-22", []string{"国庆", "中秋", "调休"}},
		{"weekend acceptance: the acceptance day never counts", bj(2026, 3, 7, 11, 0), "2026-03-20", "2026-04-03", nil},
	}
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ok := okFn(t)
				e := newEnv(t, d, tt.accept)
				c := ok(e.svc.Accept(context.Background(), e.who.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
				if got := c.Deadlines.Promised.Date; got != tt.promised {
					t.Errorf("promised got %s, want %s", got, tt.promised)
				}
				if got := c.Deadlines.Legal.Date; got != tt.legal {
					t.Errorf("legal got %s, want %s", got, tt.legal)
				}
				lines := strings.Join(c.Deadlines.Promised.Derivation, "\n")
				for _, m := range tt.mentions {
					if !strings.Contains(lines, m) {
						t.Errorf("derivation does not mention %s:\n%s", m, lines)
					}
				}
				if len(c.Deadlines.Promised.Detail) == 0 {
					t.Error("deadline has no structured derivation")
				}
			})
		}
	})
}

func TestDeadlines_clockStopAndExtensionMoveThem(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0)) // Monday
		w := e.who
		c := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		c = ok(e.svc.Review(ctx, w.clerk, c.No, OpinionRequest{}))
		if c.Deadlines.Promised.Date != "2026-03-16" {
			t.Fatalf("promised got %s, want 2026-03-16", c.Deadlines.Promised.Date)
		}
		// Stop from Tue 03-03 00:00 to Fri 03-06 00:00: three working days.
		e.clk.Set(bj(2026, 3, 3, 0, 0))
		c = ok(e.svc.StopClock(ctx, w.reviewer, c.No, StopRequest{Kind: "expert_review", Reason: "组织专家评审", ExpectedDays: 3}))
		if c.Status != ClockStopped {
			t.Fatalf("after stop got %s, want clock_stopped", c.Status)
		}
		if n := c.NextLightChangeAt; n != nil && c.CaseYellowAt != nil && n.Equal(*c.CaseYellowAt) {
			t.Errorf("next light change is the case's yellow instant while the clock is stopped; want the case light frozen")
		}
		if _, err := e.svc.Review(ctx, w.reviewer, c.No, OpinionRequest{}); err == nil {
			t.Fatal("review during a manual clock stop succeeded, want illegal_transition")
		}
		e.clk.Set(bj(2026, 3, 6, 0, 0))
		c = ok(e.svc.ResumeClock(ctx, w.reviewer, c.No))
		if got := c.Deadlines.Promised.Date; got != "2026-03-19" {
			t.Errorf("promised after a 3-working-day stop got %s, want 2026-03-19", got)
		}
		if got := c.Deadlines.Legal.Date; got != "2026-04-02" {
			t.Errorf("legal after a 3-working-day stop got %s, want 2026-04-02", got)
		}
		c = ok(e.svc.Extend(ctx, w.approver, c.No, ExtendRequest{Reason: "情况复杂，需进一步核实"}))
		if got := c.Deadlines.Legal.Date; got != "2026-04-17" { // 2026-04-03..06 清明 off
			t.Errorf("legal after extension got %s, want 2026-04-17", got)
		}
		if !c.Extended || c.Deadlines.Legal.Days != 30 {
			t.Errorf("extension got extended=%v days=%d, want true, 30", c.Extended, c.Deadlines.Legal.Days)
		}
		_, err := e.svc.Extend(ctx, w.approver, c.No, ExtendRequest{Reason: "再次延期"})
		wantErr(t, err, ErrAlreadyExtended)
		if !hasDoc(c, DocExtension) || !hasDoc(c, DocStop) {
			t.Errorf("documents got %v, want an extension notice and a stop notice", c.Documents)
		}
	})
}

func TestCustomTemplate_siteInspectionStepStopsTheClock(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		c := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitWindow(t, itemCustom).No, AcceptRequest{}))
		before := c.Deadlines.Promised.Date
		e.clk.Set(bj(2026, 3, 3, 0, 0))
		c = ok(e.svc.Review(ctx, w.clerk, c.No, OpinionRequest{}))
		if c.Status != ClockStopped || c.CurrentStep.Name != "现场勘查" || c.Deadlines.Step.Days != 5 {
			t.Fatalf("got %s at %+v step days %d, want clock_stopped at 现场勘查 with its own 5 days", c.Status, c.CurrentStep, c.Deadlines.Step.Days)
		}
		if _, err := e.svc.ResumeClock(ctx, w.reviewer, c.No); err == nil {
			t.Fatal("resume-clock of a step stop succeeded, want the step to be finished instead")
		}
		e.clk.Set(bj(2026, 3, 5, 0, 0)) // two working days of inspection
		c = ok(e.svc.Review(ctx, w.reviewer, c.No, OpinionRequest{Opinion: "现场符合要求"}))
		if c.Status != Accepted || c.CurrentStep.Name != "审查" {
			t.Fatalf("after inspection got %s at %+v, want accepted at 审查", c.Status, c.CurrentStep)
		}
		if before != "2026-03-16" || c.Deadlines.Promised.Date != "2026-03-18" {
			t.Errorf("promised got %s → %s, want 2026-03-16 → 2026-03-18", before, c.Deadlines.Promised.Date)
		}
	})
}

func TestStepDays_splitTheLimitByShare(t *testing.T) {
	steps := stepsOf(testItems()[itemCustom])
	tests := []struct{ idx, due, own int }{{0, 2, 2}, {2, 6, 4}, {3, 10, 4}}
	for _, tt := range tests {
		due, own := stepDays(steps, tt.idx, 10)
		if due != tt.due || own != tt.own {
			t.Errorf("step %d got due %d own %d, want %d %d", tt.idx, due, own, tt.due, tt.own)
		}
	}
	if due, _ := stepDays(stepsOf(ItemSnapshot{CaseType: "review_approve", OrgID: 1}), 1, 3); due != 3 {
		t.Errorf("一审一核 last step got %d, want 3", due)
	}
}

func hasDoc(c *Case, kind string) bool {
	for _, d := range c.Documents {
		if d.Kind == kind {
			return true
		}
	}
	return false
}

// The yellow threshold is configurable per region (spec 50): a rule of the
// case's county (or a region above it) moves the yellow instant; only a
// supervisor or admin of the region may set it, with valid values.
func TestLightRulePerRegion(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		c := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		if got := c.CaseYellowAt.In(clock.Shanghai).Format("2006-01-02 15:04"); got != "2026-03-13 00:00" {
			t.Fatalf("default yellow from %s, want 2026-03-13 00:00 (2 working days = 20 %% of 10)", got)
		}
		if err := e.svc.SetLightRule(ctx, w.clerk, "990121", LightRule{YellowShare: 0.5}); err == nil {
			t.Fatal("a clerk set a light rule")
		}
		if err := e.svc.SetLightRule(ctx, w.supervisor, "990121", LightRule{YellowShare: 1.5}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("share 1.5: got %v, want invalid", err)
		}
		if err := e.svc.SetLightRule(ctx, w.supervisor, "990121", LightRule{YellowDays: 1, YellowShare: 0.5}); err != nil {
			t.Fatal(err)
		}
		c2 := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		if got := c2.CaseYellowAt.In(clock.Shanghai).Format("2006-01-02 15:04"); got != "2026-03-10 00:00" {
			t.Fatalf("with 50 %% rule yellow from %s, want 2026-03-10 00:00 (last 5 working days)", got)
		}
		if r, _ := e.svc.LightRuleFor(ctx, "990122"); r != DefaultLightRule {
			t.Fatalf("another county got %+v, want the default", r)
		}
	})
}
