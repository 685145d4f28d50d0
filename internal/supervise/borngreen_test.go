package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
)

// An event no rule applies to and whose message shows no yellow or red
// light is dropped without reading the case; any other event reads it (here
// a case that does not exist, so a read shows as "not found").
func TestHandleEvent_readsTheCaseOnlyWhenTheMessageCannotRuleItOut(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		green := &cases.EventLights{Case: cases.Green, Step: cases.Green}
		for _, tc := range []struct {
			name   string
			action cases.Action
			after  cases.Status
			lights *cases.EventLights
			reads  bool
		}{
			{"review, lights green", cases.ActReview, cases.Accepted, green, false},
			{"review, not timed", cases.ActReview, cases.Accepted, &cases.EventLights{}, false},
			{"review, step born yellow", cases.ActReview, cases.Accepted, &cases.EventLights{Case: cases.Green, Step: cases.Yellow}, true},
			{"review, case red", cases.ActReview, cases.Accepted, &cases.EventLights{Case: cases.Red, Step: cases.Green}, true},
			{"review, older message without lights", cases.ActReview, cases.Accepted, nil, true},
			{"accept, lights green (rules read the body)", cases.ActAccept, cases.Accepted, green, true},
			{"decide, lights green (rules read the body)", cases.ActDecide, cases.Decided, green, true},
			{"second correction (rule)", cases.ActRequestCorrection, cases.Correction, nil, true},
			{"conclusion (nothing to do)", cases.ActConclude, cases.Concluded, nil, false},
		} {
			payload, err := json.Marshal(map[string]any{"no": "990121-20260302-999999-1", "action": tc.action, "after": tc.after,
				"at": time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), "lights": tc.lights})
			if err != nil {
				t.Fatal(err)
			}
			err = e.svc.HandleEvent(context.Background(), outbox.Message{ID: 1, Topic: cases.TopicEvent, Payload: payload})
			if read := errors.Is(err, cases.ErrNotFound); read != tc.reads || (err != nil && !read) {
				t.Errorf("%s: got %v, want read %v", tc.name, err, tc.reads)
			}
		}
	})
}
