package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// With PublishOnly, only the events some consumer wants become "case.event"
// messages; the timeline and the applicant's notices are unchanged.
func TestPublishOnly_publishesWantedEventsAndRecordsAll(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		var asked []string
		e.svc.PublishOnly(func(k EventKind) bool {
			asked = append(asked, fmt.Sprintf("%s:%s>%s", k.Action, k.Before, k.After))
			return k.Action == ActAccept || k.After == Concluded
		})
		w := e.who
		c := e.mustSubmitOnline(t, itemPromised)
		ok(e.svc.Accept(ctx, w.clerk, c.No, AcceptRequest{}))
		ok(e.svc.Review(ctx, w.clerk, c.No, OpinionRequest{Opinion: "材料齐全"}))
		ok(e.svc.Review(ctx, w.reviewer, c.No, OpinionRequest{Opinion: "符合条件"}))
		ok(e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "JY1990121000001"}}))
		ok(e.svc.Conclude(ctx, w.approver, c.No))
		ok(e.svc.Deliver(ctx, w.clerk, c.No, DeliverRequest{Method: DeliverExpress, Carrier: "EMS", Tracking: "1234567890"}))
		wantAsked := []string{"submit:draft>submitted", "accept:submitted>accepted", "review:accepted>accepted", "review:accepted>accepted",
			"decide:accepted>decided", "conclude:decided>concluded", "deliver:concluded>delivered"}
		if !slices.Equal(asked, wantAsked) {
			t.Fatalf("events offered to the filter:\ngot  %v\nwant %v", asked, wantAsked)
		}
		rows, err := d.R.QueryContext(ctx, `SELECT payload FROM outbox WHERE topic = 'case.event' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var published []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			published = append(published, p)
		}
		rows.Close()
		if len(published) != 2 || !containsAll(published[0], `"action":"accept"`, `"lights":{"case":"green","step":"green"}`) || !containsAll(published[1], `"action":"conclude"`, `"facts":`) {
			t.Fatalf("published: got %v, want accept (with its lights) and conclude only, with their facts", published)
		}
		if n := e.timelineLen(t, c.No); n != len(wantAsked) {
			t.Fatalf("timeline: got %d events, want %d", n, len(wantAsked))
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox WHERE topic = 'notify.send'`); n != len(wantAsked)-2 {
			t.Fatalf("applicant notices: got %d, want %d (all but the two reviews)", n, len(wantAsked)-2)
		}
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
