package supervise

import (
	"testing"

	"banhao.dev/banhao/internal/cases"
)

// WantsEvent publishes exactly the events supervision acts on: rules that
// read the body, the second correction, and a light that may be born late.
func TestWantsEvent(t *testing.T) {
	for _, tc := range []struct {
		action        cases.Action
		before, after cases.Status
		want          bool
	}{
		{cases.ActSubmit, cases.Draft, cases.Submitted, false},
		{cases.ActResubmit, cases.Correction, cases.Submitted, false},
		{cases.ActRequestCorrection, cases.Submitted, cases.Correction, true},
		{cases.ActRefuse, cases.Submitted, cases.Refused, true},
		{cases.ActAccept, cases.Submitted, cases.Accepted, true},
		{cases.ActAutoAccept, cases.Submitted, cases.Accepted, true},
		{cases.ActReview, cases.Accepted, cases.Accepted, true},
		{cases.ActStopClock, cases.Accepted, cases.ClockStopped, true},
		{cases.ActDecide, cases.Accepted, cases.Decided, true},
		{cases.ActDecideOnSpot, cases.Submitted, cases.Concluded, true},
		{cases.ActConclude, cases.Decided, cases.Concluded, false},
		{cases.ActDeliver, cases.Concluded, cases.Delivered, false},
		{cases.ActWithdraw, cases.Submitted, cases.Withdrawn, false},
	} {
		if got := WantsEvent(cases.EventKind{Action: tc.action, Before: tc.before, After: tc.after}); got != tc.want {
			t.Errorf("%s %s→%s: got %v, want %v", tc.action, tc.before, tc.after, got, tc.want)
		}
	}
}
