package ratings

import (
	"testing"

	"banhao.dev/banhao/internal/cases"
)

// WantsEvent publishes the events that bring a case to a rating moment:
// acceptance (however it happens) and conclusion (or delivery without one).
func TestWantsEvent(t *testing.T) {
	for _, tc := range []struct {
		action        cases.Action
		before, after cases.Status
		want          bool
	}{
		{cases.ActSubmit, cases.Draft, cases.Submitted, false},
		{cases.ActAccept, cases.Submitted, cases.Accepted, true},
		{cases.ActAcceptWithPending, cases.Correction, cases.Accepted, true},
		{cases.ActDecideOnSpot, cases.Submitted, cases.Concluded, true},
		{cases.ActReview, cases.Accepted, cases.Accepted, false},
		{cases.ActDecide, cases.Accepted, cases.Decided, false},
		{cases.ActConclude, cases.Decided, cases.Concluded, true},
		{cases.ActDeliver, cases.Decided, cases.Delivered, true},
		{cases.ActDeliver, cases.Concluded, cases.Delivered, false},
		{cases.ActRefuse, cases.Submitted, cases.Refused, false},
	} {
		if got := WantsEvent(cases.EventKind{Action: tc.action, Before: tc.before, After: tc.after}); got != tc.want {
			t.Errorf("%s %s→%s: got %v, want %v", tc.action, tc.before, tc.after, got, tc.want)
		}
	}
}
