package cases

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestLifecycle_promisedItemRunsEveryStepAndRecordsEachEvent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		c := e.mustSubmitOnline(t, itemPromised)
		if c.Status != Submitted || c.Trips != 0 || !ValidNumber(c.No) {
			t.Fatalf("after submit got status %s trips %d no %q, want submitted, 0, a valid number", c.Status, c.Trips, c.No)
		}
		e.clk.Advance(time.Hour)
		c = ok(e.svc.Accept(ctx, w.clerk, c.No, AcceptRequest{}))
		if c.Status != Accepted || c.CurrentStep == nil || c.CurrentStep.Name != "受理" {
			t.Fatalf("after accept got %s at %+v, want accepted at 受理", c.Status, c.CurrentStep)
		}
		if c.Deadlines.Promised == nil || c.Deadlines.Promised.Date != "2026-03-16" || c.Deadlines.Legal.Date != "2026-03-30" {
			t.Fatalf("deadlines got %+v / %+v, want promised 2026-03-16, legal 2026-03-30", c.Deadlines.Promised, c.Deadlines.Legal)
		}
		if len(c.Deadlines.Promised.Derivation) == 0 {
			t.Fatalf("promised deadline has no derivation")
		}
		c = ok(e.svc.Review(ctx, w.clerk, c.No, OpinionRequest{Opinion: "材料齐全"}))
		if c.StepRole != "reviewer" || c.CurrentStep.Name != "审查" {
			t.Fatalf("after clerk review got step %+v, want 审查 by reviewer", c.CurrentStep)
		}
		inbox, err := e.svc.List(ctx, w.reviewer, Filter{Inbox: true})
		if err != nil || len(inbox) != 1 || inbox[0].No != c.No {
			t.Fatalf("reviewer inbox got %d cases (%v), want the case", len(inbox), err)
		}
		c = ok(e.svc.Review(ctx, w.reviewer, c.No, OpinionRequest{Opinion: "符合条件"}))
		c = ok(e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "JY1990121000001"}}))
		if c.Status != Decided || c.DecisionKind != "grant" {
			t.Fatalf("after decide got %s %q, want decided grant", c.Status, c.DecisionKind)
		}
		c = ok(e.svc.Conclude(ctx, w.approver, c.No))
		c = ok(e.svc.Deliver(ctx, w.clerk, c.No, DeliverRequest{Method: DeliverExpress, Carrier: "EMS", Tracking: "1234567890"}))
		if c.Status != Delivered || c.Trips != 0 {
			t.Fatalf("after deliver got %s trips %d, want delivered with 0 trips (online + express)", c.Status, c.Trips)
		}
		tl, err := e.svc.Timeline(ctx, w.applicant, c.No)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range tl {
			actions = append(actions, ev.Action)
		}
		want := []string{"submit", "accept", "review", "review", "decide", "conclude", "deliver"}
		if !slices.Equal(actions, want) {
			t.Errorf("timeline got %v, want %v", actions, want)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox WHERE topic = 'case.event'`); n != len(want) {
			t.Errorf("case.event outbox messages got %d, want %d", n, len(want))
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox WHERE topic = 'notify.send'`); n != len(want)-2 {
			t.Errorf("applicant notices got %d, want %d (all but the two reviews)", n, len(want)-2)
		}
		res, err := audit.Verify(ctx, d.R, "case/")
		if err != nil || len(res.Broken) != 0 || res.Events != len(want) {
			t.Errorf("audit verify got %+v (%v), want %d intact events", res, err, len(want))
		}
		// The row keeps the chain's head (migration 0061): the last event.
		events, err := audit.Stream(ctx, d.R, "case/"+c.No)
		if err != nil || len(events) != len(want) {
			t.Fatalf("stream: got %d events (%v)", len(events), err)
		}
		var seq int64
		var hash string
		if err := d.R.QueryRowContext(ctx, `SELECT audit_seq, audit_hash FROM cases WHERE no = $1`, c.No).Scan(&seq, &hash); err != nil {
			t.Fatal(err)
		}
		if last := events[len(events)-1]; seq != last.Seq || hash != last.Hash {
			t.Errorf("row's audit head: got %d %s, want %d %s", seq, hash, last.Seq, last.Hash)
		}
		// Migration 0061's backfill gives a row written before it that head.
		ms, err := d.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		var backfill string
		for _, m := range ms {
			if m.Version == 61 {
				backfill = m.SQL[strings.Index(m.SQL, "UPDATE cases"):]
			}
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE cases SET audit_seq = 0, audit_hash = ''`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, backfill); err != nil {
			t.Fatalf("backfill: %v", err)
		}
		var seq2 int64
		var hash2 string
		if err := d.R.QueryRowContext(ctx, `SELECT audit_seq, audit_hash FROM cases WHERE no = $1`, c.No).Scan(&seq2, &hash2); err != nil {
			t.Fatal(err)
		}
		if seq2 != seq || hash2 != hash {
			t.Errorf("backfilled head: got %d %s, want %d %s", seq2, hash2, seq, hash)
		}
		var kinds []string
		for _, doc := range c.Documents {
			kinds = append(kinds, doc.Kind)
			f, err := doc.Fields()
			if err != nil || f["case_no"] != c.No || f["organ"] != "示范县市场监督管理局" || f["date"] == "" {
				t.Errorf("document %s data got %s (%v), want organ, date and case number", doc.Number, doc.Data, err)
			}
		}
		if !slices.Equal(kinds, []string{DocAcceptance, DocDecision, DocDelivery}) {
			t.Errorf("documents got %v", kinds)
		}
	})
}

func TestTrips_countInPersonEventsOnly(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		// Window submission, window pickup: 2 trips.
		c := e.mustSubmitWindow(t, itemImmediate)
		if c.Trips != 1 {
			t.Fatalf("window submission got %d trips, want 1", c.Trips)
		}
		c = ok(e.svc.DecideOnSpot(ctx, w.clerk, c.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "GT-1"}}))
		c = ok(e.svc.Conclude(ctx, w.clerk, c.No))
		if _, err := e.svc.Deliver(ctx, w.clerk, c.No, DeliverRequest{Method: DeliverWindow, PickupCode: "wrong"}); err == nil {
			t.Fatal("pickup with a wrong code succeeded")
		}
		c = ok(e.svc.Deliver(ctx, w.clerk, c.No, DeliverRequest{Method: DeliverWindow, PickupCode: c.PickupCode}))
		if c.Trips != 2 {
			t.Errorf("window submit + window pickup got %d trips, want 2", c.Trips)
		}
		// Online, corrected at the window, delivered electronically: 1 trip.
		o := e.mustSubmitOnline(t, itemPromised)
		o = ok(e.svc.RequestCorrection(ctx, w.clerk, o.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m1", Reason: "未签字"}}}))
		o = ok(e.svc.Resubmit(ctx, w.clerk, o.No, ResubmitRequest{Materials: []MaterialInput{{MaterialID: "m1", File: hashB}}}))
		if o.Trips != 1 {
			t.Errorf("online + window correction got %d trips, want 1", o.Trips)
		}
		// Online, corrected online: 0 trips.
		z := e.mustSubmitOnline(t, itemPromised)
		z = ok(e.svc.RequestCorrection(ctx, w.clerk, z.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m1", Reason: "未签字"}}}))
		z = ok(e.svc.Resubmit(ctx, w.applicant, z.No, ResubmitRequest{Materials: []MaterialInput{{MaterialID: "m1", File: hashB}}}))
		if z.Trips != 0 {
			t.Errorf("online + online correction got %d trips, want 0", z.Trips)
		}
	})
}

// A template whose 决定 step is followed by 制证: the approver decides at
// 决定 (review is not offered there), and 制证 is done with the conclusion.
func TestDecisionStepBeforeCertificateProduction(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		ctx, w, ok := context.Background(), e.who, okFn(t)
		c := e.mustSubmitOnline(t, itemCertificate)
		c = ok(e.svc.Accept(ctx, w.clerk, c.No, AcceptRequest{}))
		c = ok(e.svc.Review(ctx, w.clerk, c.No, OpinionRequest{Opinion: "材料齐全"}))
		c = ok(e.svc.Review(ctx, w.reviewer, c.No, OpinionRequest{Opinion: "符合条件"}))
		if c.CurrentStep.Name != "决定" || !slices.Contains(c.Allowed, ActDecide) || slices.Contains(c.Allowed, ActReview) {
			t.Fatalf("at 决定: step %s allowed %v, want decide and not review", c.CurrentStep.Name, c.Allowed)
		}
		c = ok(e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "SC1990121000001"}}))
		c = ok(e.svc.Conclude(ctx, w.approver, c.No))
		for _, st := range c.Steps {
			if st.Status != StepDone {
				t.Fatalf("after conclusion step %s is %s, want done", st.Name, st.Status)
			}
		}
	})
}
