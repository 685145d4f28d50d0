package cases

import (
	"context"
	"errors"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestCloseVerification_byTheResponsibleOrgOnceWithTheResultOnTheTimeline(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		r, err := e.svc.Submit(ctx, w.clerk, SubmitRequest{Item: itemPromised, Channel: Window, Applicant: &Applicant{Name: "王五", IDNumber: otherID},
			Materials: []MaterialInput{{MaterialID: "m1", File: hashA}, {MaterialID: "m2", Paper: true}, {MaterialID: "m3", Commitment: true}}})
		if err != nil {
			t.Fatal(err)
		}
		c := ok(e.svc.Accept(ctx, w.clerk, r.Case.No, AcceptRequest{}))
		vs, err := e.svc.Verifications(ctx, w.reviewer, VerifyOpen)
		if err != nil || len(vs) != 1 {
			t.Fatalf("open tasks got %v (%v), want 1", vs, err)
		}
		id, events := vs[0].ID, e.timelineLen(t, c.No)
		reviewerB := &auth.Principal{UserID: 1010, Kind: auth.KindStaff, Roles: []auth.Role{auth.Reviewer}, RegionCode: "990121", OrgID: orgB}
		for _, tt := range []struct {
			name string
			p    *auth.Principal
			req  VerifyRequest
			want error
		}{
			{"an applicant is forbidden", w.applicant, VerifyRequest{Result: VerifyConfirmed}, auth.ErrForbidden},
			{"a clerk is forbidden", w.clerk, VerifyRequest{Result: VerifyConfirmed}, auth.ErrForbidden},
			{"another organization is refused", reviewerB, VerifyRequest{Result: VerifyConfirmed}, ErrNotStepOrg},
			{"an unknown result is invalid", w.reviewer, VerifyRequest{Result: "maybe"}, ErrVerificationResult},
			{"a failed check needs its note", w.reviewer, VerifyRequest{Result: VerifyFailed}, ErrVerificationNote},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.CloseVerification(ctx, tt.p, id, tt.req)
				if err == nil || !errorsIs(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if n := e.timelineLen(t, c.No); n != events {
					t.Errorf("timeline got %d events, want %d (nothing written)", n, events)
				}
			})
		}
		_, err = e.svc.CloseVerification(ctx, w.reviewer, id+1000, VerifyRequest{Result: VerifyConfirmed})
		wantErr(t, err, ErrVerificationNotFound)
		v, err := e.svc.CloseVerification(ctx, w.reviewer, id, VerifyRequest{Result: VerifyFailed, Note: "经核查，申请人无犯罪记录承诺不实"})
		if err != nil || v.Status != VerifyFailed || v.ClosedAt == nil || v.CaseNo != c.No {
			t.Fatalf("close got %+v (%v), want failed with its time", v, err)
		}
		if n := count(t, e.d, `SELECT COUNT(*) FROM outbox WHERE topic = $1 AND payload LIKE $2`, TopicNotify, "%经核查不属实%"); n != 1 {
			t.Errorf("got %d notices of the failed check, want 1", n)
		}
		_, err = e.svc.CloseVerification(ctx, w.approver, id, VerifyRequest{Result: VerifyConfirmed})
		wantErr(t, err, ErrVerificationClosed)
		tl, _ := e.svc.Timeline(ctx, w.supervisor, c.No)
		if last := tl[len(tl)-1]; last.Action != string(ActVerify) || last.Role != "reviewer" {
			t.Errorf("last event got %s by %s, want verify-commitment by reviewer", last.Action, last.Role)
		}
		if open, _ := e.svc.Verifications(ctx, w.reviewer, VerifyOpen); len(open) != 0 {
			t.Errorf("open tasks got %d after closing, want 0", len(open))
		}
	})
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestConcludeAndDeliver_byAClerkNeedTheWindowAuthorization(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		c := ok(e.svc.DecideOnSpot(ctx, w.clerk, e.mustSubmitWindow(t, itemImmediate).No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "1"}}))
		_, err := e.svc.Conclude(ctx, w.clerkNoAuth, c.No)
		wantErr(t, err, ErrNoWindowAuthorization)
		c = ok(e.svc.Conclude(ctx, w.clerk, c.No))
		_, err = e.svc.Deliver(ctx, w.clerkNoAuth, c.No, DeliverRequest{Method: DeliverElectronic})
		wantErr(t, err, ErrNoWindowAuthorization)
		c = ok(e.svc.Deliver(ctx, w.clerkAcceptOnly, c.No, DeliverRequest{Method: DeliverElectronic}))
		if c.Status != Delivered {
			t.Errorf("got %s, want delivered", c.Status)
		}
	})
}
