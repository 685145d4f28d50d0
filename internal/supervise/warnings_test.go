package supervise

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// cards counts the cards of a case by color, level and scope.
func (e *env) cards(t *testing.T, no, color, level, scope string) int {
	return count(t, e.d, `SELECT COUNT(*) FROM supervise_cards WHERE case_no = $1 AND color = $2 AND level = $3 AND scope = $4`, no, color, level, scope)
}

func (e *env) notes(t *testing.T, user int64, like string) int {
	return count(t, e.d, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND title LIKE $2`, user, like)
}

// A case accepted on the Thursday before the Spring Festival: the step
// (审查, 5 of 10 working days) runs over the adjusted working Saturday 02-14
// and skips the holiday 02-15…02-23, so it turns yellow only on 02-26 and
// red on 02-27. Yellow warns the reviewer; red warns the department head and
// the county's supervisor (not the other county's). An extension (art. 42)
// turns the step green again; a clock stop (art. 45) freezes the case light.
func TestWarnings_holidaysAdjustedDaysExtensionAndClockStop(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 2, 12, 10, 0))
		c := e.submit(t, itemReview, nil)
		c = ok[*cases.Case](t)(e.cases.Accept(ctx, e.clerk, c.No, cases.AcceptRequest{}))
		if c.Deadlines.Step.Date != "2026-02-26" || c.Deadlines.Promised.Date != "2026-03-04" {
			t.Fatalf("step due %s promised %s, want 2026-02-26 and 2026-03-04", c.Deadlines.Step.Date, c.Deadlines.Promised.Date)
		}
		steps := []struct {
			name              string
			at                [5]int
			yellowStep, redSt int
		}{
			{"adjusted working Saturday 02-14 stays green", [5]int{2026, 2, 14, 12, 0}, 0, 0},
			{"holiday 02-20 stays green (holidays do not count)", [5]int{2026, 2, 20, 12, 0}, 0, 0},
			{"last working day 02-26 turns the step yellow", [5]int{2026, 2, 26, 9, 0}, 1, 0},
			{"02-27 turns the step red", [5]int{2026, 2, 27, 9, 0}, 1, 1},
			{"a second tick the same day issues nothing more", [5]int{2026, 2, 27, 10, 0}, 1, 1},
		}
		for _, s := range steps {
			e.at(t, bj(s.at[0], timeMonth(s.at[1]), s.at[2], s.at[3], s.at[4]))
			if got := e.cards(t, c.No, "yellow", "step", "org"); got != s.yellowStep {
				t.Fatalf("%s: yellow department cards got %d, want %d", s.name, got, s.yellowStep)
			}
			if got := e.cards(t, c.No, "red", "step", "org"); got != s.redSt {
				t.Fatalf("%s: red department cards got %d, want %d", s.name, got, s.redSt)
			}
		}
		if got := e.cards(t, c.No, "yellow", "step", "person"); got != 1 {
			t.Errorf("yellow person cards got %d, want 1 (the reviewer)", got)
		}
		if e.notes(t, e.reviewer.UserID, "办件即将超期%") != 1 || e.notes(t, e.approver.UserID, "办件即将超期%") != 0 {
			t.Errorf("yellow warning should reach the reviewer only")
		}
		for who, u := range map[string]int64{"department head": e.approver.UserID, "supervisor": e.supervisor.UserID, "holder": e.reviewer.UserID} {
			if e.notes(t, u, "办件已超期%") != 1 {
				t.Errorf("red warning did not reach the %s", who)
			}
		}
		if e.notes(t, e.ds.UserID, "%") != 0 {
			t.Error("the supervisor of another county was warned")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE stream = $1`, "supervise/case/"+c.No); n != 2 {
			t.Errorf("audit events of the cards got %d, want 2", n)
		}
		// Extension: promised 20 working days, the step's share 10 → 03-04.
		c = ok[*cases.Case](t)(e.cases.Extend(ctx, e.approver, c.No, cases.ExtendRequest{Reason: "需现场核实经营场所"}))
		if c.StepLight != cases.Green || c.Deadlines.Step.Date != "2026-03-04" {
			t.Fatalf("after extension step light %s due %s, want green 2026-03-04", c.StepLight, c.Deadlines.Step.Date)
		}
		// Clock stop on 03-02 for a site inspection: the case light is frozen.
		e.at(t, bj(2026, 3, 2, 9, 0))
		c = ok[*cases.Case](t)(e.cases.StopClock(ctx, e.reviewer, c.No, cases.StopRequest{Kind: "inspection", Reason: "现场核查", ExpectedDays: 10}))
		promised := c.Deadlines.Promised.Date
		e.at(t, bj(2026, 3, 31, 9, 0)) // long after the promised date without the stop
		if got := e.cards(t, c.No, "red", "case", "org"); got != 0 {
			t.Fatalf("case red cards during the clock stop got %d, want 0", got)
		}
		c = ok[*cases.Case](t)(e.cases.ResumeClock(ctx, e.reviewer, c.No))
		if c.Deadlines.Promised.Date <= promised {
			t.Fatalf("promised date after the stop %s, want later than %s", c.Deadlines.Promised.Date, promised)
		}
	})
}

// A step entered when its time is already short (the review ran late and
// the decision step has only the rest of the day) is yellow from the start:
// the lights job publishes only changes, so the warning comes with the case
// event, once, and reaches the new step's holder; red later warns again.
func TestWarnings_stepEnteredYellowWarnsItsHolder(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		c := e.submit(t, itemShort, nil)
		ok[*cases.Case](t)(e.cases.Accept(ctx, e.clerk, c.No, cases.AcceptRequest{}))
		e.at(t, bj(2026, 3, 4, 10, 0)) // the one-day review step is overdue
		c = ok[*cases.Case](t)(e.cases.Review(ctx, e.reviewer, c.No, cases.OpinionRequest{Opinion: "材料齐全，同意"}))
		if c.StepLight != cases.Yellow {
			t.Fatalf("decision step light %s, want yellow when entered", c.StepLight)
		}
		for _, m := range []int{1, 2} {
			e.at(t, bj(2026, 3, 4, 10, m))
		}
		personCards := func(color string) int {
			return count(t, d, `SELECT COUNT(*) FROM supervise_cards WHERE case_no = $1 AND level = 'step' AND scope = 'person' AND user_id = $2 AND color = $3`,
				c.No, e.approver.UserID, color)
		}
		if got := personCards("yellow"); got != 1 {
			t.Errorf("yellow step cards of the approver got %d, want 1", got)
		}
		if got := e.notes(t, e.approver.UserID, "办件即将超期%"); got != 1 {
			t.Errorf("approver yellow warnings got %d, want 1", got)
		}
		e.at(t, bj(2026, 3, 5, 9, 0))
		if got := personCards("red"); got != 1 {
			t.Errorf("red step cards of the approver got %d, want 1", got)
		}
		if got := personCards("yellow"); got != 1 {
			t.Errorf("yellow step cards of the approver after red got %d, want still 1", got)
		}
	})
}
