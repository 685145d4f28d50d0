package cases

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

func TestCorrection_oneNoticeUnlessChangedMaterialsOrSupervisorOverride(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		c := e.mustSubmitOnline(t, itemPromised)
		c = ok(e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{Items: []CorrectionItem{
			{MaterialID: "m1", Reason: "申请书未签字"}, {MaterialID: "m4", Reason: "代理人办理须提交委托书"}}}))
		if c.Status != Correction || c.Corrections != 1 || c.SecondCorrection || !hasDoc(c, DocCorrection) {
			t.Fatalf("first notice got %s corrections %d second %v", c.Status, c.Corrections, c.SecondCorrection)
		}
		_, err := e.svc.Resubmit(ctx, w.applicant, c.No, ResubmitRequest{Materials: []MaterialInput{{MaterialID: "m1", File: hashB}}})
		wantErr(t, err, ErrMaterialsMissing) // the notice also asked for m4
		c = ok(e.svc.Resubmit(ctx, w.applicant, c.No, ResubmitRequest{Materials: []MaterialInput{{MaterialID: "m1", File: hashB}, {MaterialID: "m4", Paper: true}}}))
		events := e.timelineLen(t, c.No)

		// A second notice naming a material the applicant did not change.
		_, err = e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m2", Reason: "证明过期"}}})
		wantErr(t, err, ErrSecondCorrection)
		if got := e.get(t, c.No); got.Corrections != 1 || got.Status != Submitted || e.timelineLen(t, c.No) != events {
			t.Fatalf("refused second notice wrote something: corrections %d status %s", got.Corrections, got.Status)
		}
		// A clerk cannot override.
		_, err = e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m2", Reason: "证明过期"}}, Override: "我想再补"})
		wantErr(t, err, ErrSecondCorrection)

		// The changed material is still defective: a flagged second notice.
		c = ok(e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m1", Reason: "签字与身份证不符"}}}))
		if c.Corrections != 2 || !c.SecondCorrection || !c.CorrectionLog[1].Second {
			t.Fatalf("second notice on a changed material got corrections %d flagged %v", c.Corrections, c.SecondCorrection)
		}
		c = ok(e.svc.Resubmit(ctx, w.applicant, c.No, ResubmitRequest{Materials: []MaterialInput{{MaterialID: "m1", File: hashA}}}))
		// A supervisor override with a written reason.
		c = ok(e.svc.RequestCorrection(ctx, w.supervisor, c.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m2", Reason: "证明过期"}}, Override: "经核实原证明确已过期，特批再次补正"}))
		if c.Corrections != 3 || c.CorrectionLog[2].OverrideReason == "" {
			t.Errorf("override notice got corrections %d reason %q", c.Corrections, c.CorrectionLog[2].OverrideReason)
		}
		// Each notice is numbered in order among the case's notices.
		var numbers []string
		for _, doc := range c.Documents {
			numbers = append(numbers, doc.Number)
		}
		if want := []string{c.No + "-BZ1", c.No + "-BZ2", c.No + "-BZ3"}; !slices.Equal(numbers, want) {
			t.Errorf("document numbers got %v, want %v", numbers, want)
		}
	})
}

func TestBadInput_eachIsASpecificErrorAndWritesNothing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		badID := "110101199003070010"
		if ids.ValidateCitizenID(badID, time.Now()) == nil {
			badID = "110101199003070011"
		}
		submits := []struct {
			name string
			p    *auth.Principal
			req  SubmitRequest
			want *errs.Error
		}{
			{"material not in the checklist", w.applicant, SubmitRequest{Item: itemPromised, Channel: Online,
				Materials: append(fullMaterials(), MaterialInput{MaterialID: "m9", Paper: true})}, ErrMaterialNotInChecklist},
			{"material in the version but not in the checklist", w.applicant, SubmitRequest{Item: itemPromised, Channel: Online,
				Materials: append(fullMaterials(), MaterialInput{MaterialID: "m4", Paper: true})}, ErrMaterialNotInChecklist},
			{"required material missing", w.applicant, SubmitRequest{Item: itemPromised, Channel: Online,
				Materials: fullMaterials()[:2]}, ErrMaterialsMissing},
			{"commitment where the item allows none", w.applicant, SubmitRequest{Item: itemPromised, Channel: Online,
				Materials: []MaterialInput{{MaterialID: "m1", Commitment: true}, {MaterialID: "m2", Paper: true}, {MaterialID: "m3", Paper: true}}}, ErrCommitmentNotAllowed},
			{"two sources for one material", w.applicant, SubmitRequest{Item: itemPromised, Channel: Online,
				Materials: []MaterialInput{{MaterialID: "m1", Paper: true, File: hashA}, {MaterialID: "m2", Paper: true}, {MaterialID: "m3", Paper: true}}}, ErrMaterialSource},
			{"citizen ID failing its check", w.clerk, SubmitRequest{Item: itemPromised, Channel: Window, Materials: fullMaterials(),
				Applicant: &Applicant{Name: "王五", IDNumber: badID}}, ids.ErrCitizenIDCheck},
			{"assisted filing without the applicant's authorization", w.clerk, SubmitRequest{Item: itemPromised, Channel: Assisted,
				Materials: fullMaterials(), Applicant: &Applicant{Name: "王五", IDNumber: otherID}}, ErrAssistNote},
			{"applicant choosing the window channel", w.applicant, SubmitRequest{Item: itemPromised, Channel: Window, Materials: fullMaterials()}, ErrChannel},
		}
		for _, tt := range submits {
			t.Run(tt.name+" is refused", func(t *testing.T) {
				_, err := e.svc.Submit(ctx, tt.p, tt.req)
				wantErr(t, err, tt.want)
				if n := count(t, d, `SELECT COUNT(*) FROM cases`); n != 0 {
					t.Errorf("got %d cases written, want 0", n)
				}
			})
		}

		c := e.mustSubmitOnline(t, itemPromised)
		events := e.timelineLen(t, c.No)
		actions := []struct {
			name string
			run  func() error
			want *errs.Error
		}{
			{"correction naming a material not in the item version", func() error {
				_, err := e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m9", Reason: "x"}}})
				return err
			}, ErrCorrectionMaterialUnknown},
			{"correction without a reason", func() error {
				_, err := e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{Items: []CorrectionItem{{MaterialID: "m1"}}})
				return err
			}, ErrCorrectionReason},
			{"empty correction notice", func() error {
				_, err := e.svc.RequestCorrection(ctx, w.clerk, c.No, CorrectionRequest{})
				return err
			}, ErrCorrectionEmpty},
			{"refusal without legal basis", func() error {
				_, err := e.svc.Refuse(ctx, w.clerk, c.No, RefuseRequest{Reason: "不属于本机关职权"})
				return err
			}, ErrRefusalReason},
			{"denial without reasons", func() error {
				_, err := e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "deny", Remedies: "可申请复议"})
				return err
			}, ErrDecisionReasons},
			{"denial without remedies", func() error {
				_, err := e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "deny", Reasons: "不符合条件"})
				return err
			}, ErrDecisionRemedies},
			{"grant without a result", func() error {
				_, err := e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "grant"})
				return err
			}, ErrGrantResult},
			{"pending for a material not flagged 容缺", func() error {
				_, err := e.svc.AcceptWithPending(ctx, w.clerk, c.No, PendingRequest{Materials: []string{"m1"}, Commitment: "承诺五日内补齐", Deadline: "2026-03-09"})
				return err
			}, ErrPendingNotAllowed},
			{"stop of an unknown kind", func() error {
				_, err := e.svc.StopClock(ctx, w.reviewer, c.No, StopRequest{Kind: "lunch", Reason: "x", ExpectedDays: 1})
				return err
			}, ErrStopKind},
		}
		for _, tt := range actions {
			t.Run(tt.name+" is refused", func(t *testing.T) {
				wantErr(t, tt.run(), tt.want)
				if got := e.get(t, c.No); got.Status != Submitted || got.Corrections != 0 || e.timelineLen(t, c.No) != events {
					t.Errorf("something was written: status %s corrections %d", got.Status, got.Corrections)
				}
			})
		}
	})
}

func TestIllegalTransition_listsTheAllowedActions(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		c := e.mustSubmitOnline(t, itemPromised)
		_, err := e.svc.Conclude(ctx, e.who.approver, c.No)
		wantErr(t, err, ErrIllegalTransition)
		var ee *errs.Error
		errors.As(err, &ee)
		got, _ := ee.Extra["allowed"].([]Action)
		want := []Action{ActAccept, ActRequestCorrection, ActRefuse, ActAcceptWithPending, ActWithdraw}
		if !slices.Equal(got, want) {
			t.Errorf("allowed got %v, want %v", got, want)
		}
		if ee.Kind.Status() != 409 {
			t.Errorf("status got %d, want 409", ee.Kind.Status())
		}
	})
}

func TestAllowed_followsTheStateTable(t *testing.T) {
	tests := []struct {
		s    Status
		want []Action
	}{
		{Draft, []Action{ActSubmit, ActWithdraw}},
		{Correction, []Action{ActResubmit, ActRefuse, ActWithdraw}},
		{Decided, []Action{ActSupplyPending, ActConclude}},
		{Concluded, []Action{ActDeliver}},
		{Refused, []Action{}},
		{Withdrawn, []Action{}},
		{Delivered, []Action{}},
	}
	for _, tt := range tests {
		if got := Allowed(tt.s); !slices.Equal(got, tt.want) {
			t.Errorf("Allowed(%s) got %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestAuthorization_eachActionByRoleScopeAndWindow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		outsider := &auth.Principal{UserID: 2001, Roles: []auth.Role{auth.Clerk}, RegionCode: "990122"}
		sub := e.mustSubmitOnline(t, itemPromised)
		imm := e.mustSubmitWindow(t, itemImmediate)
		acc := ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitOnline(t, itemPromised).No, AcceptRequest{}))
		rev := ok(e.svc.Review(ctx, w.clerk, ok(e.svc.Accept(ctx, w.clerk, e.mustSubmitOnline(t, itemPromised).No, AcceptRequest{})).No, OpinionRequest{}))
		tests := []struct {
			name string
			run  func() error
			want *errs.Error
		}{
			{"reviewer cannot accept", func() error { _, err := e.svc.Accept(ctx, w.reviewer, sub.No, AcceptRequest{}); return err }, auth.ErrForbidden},
			{"clerk without window authorization cannot accept", func() error { _, err := e.svc.Accept(ctx, w.clerkNoAuth, sub.No, AcceptRequest{}); return err }, ErrNoWindowAuthorization},
			{"clerk of another county cannot see the case", func() error { _, err := e.svc.Accept(ctx, outsider, sub.No, AcceptRequest{}); return err }, auth.ErrOutOfScope},
			{"another applicant cannot withdraw", func() error { _, err := e.svc.Withdraw(ctx, w.other, sub.No, WithdrawRequest{}); return err }, ErrNotFound},
			{"applicant cannot accept own case", func() error { _, err := e.svc.Accept(ctx, w.applicant, sub.No, AcceptRequest{}); return err }, auth.ErrForbidden},
			{"decide on the spot needs a deciding authorization", func() error {
				_, err := e.svc.DecideOnSpot(ctx, w.clerkAcceptOnly, imm.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "1"}})
				return err
			}, ErrNoDecideAuthorization},
			{"reviewer cannot review the clerk's step", func() error { _, err := e.svc.Review(ctx, w.reviewer, acc.No, OpinionRequest{}); return err }, auth.ErrForbidden},
			{"approver of another organ cannot decide", func() error {
				_, err := e.svc.Review(ctx, w.approverB, rev.No, OpinionRequest{})
				return err
			}, auth.ErrForbidden},
			{"reviewer cannot extend", func() error { _, err := e.svc.Extend(ctx, w.reviewer, rev.No, ExtendRequest{Reason: "x"}); return err }, auth.ErrForbidden},
			{"approver of another organ cannot extend", func() error { _, err := e.svc.Extend(ctx, w.approverB, rev.No, ExtendRequest{Reason: "x"}); return err }, ErrNotStepOrg},
			{"supervisor cannot stop the clock", func() error {
				_, err := e.svc.StopClock(ctx, w.supervisor, rev.No, StopRequest{Kind: "hearing", Reason: "x", ExpectedDays: 2})
				return err
			}, auth.ErrForbidden},
			{"clerk withdrawing for the applicant must give the reason", func() error { _, err := e.svc.Withdraw(ctx, w.clerk, sub.No, WithdrawRequest{}); return err }, ErrWithdrawReason},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.run(), tt.want) })
		}
		// And the allowed ones succeed.
		ok(e.svc.Review(ctx, w.reviewer, rev.No, OpinionRequest{}))
		ok(e.svc.Withdraw(ctx, w.applicant, sub.No, WithdrawRequest{}))
		ok(e.svc.DecideOnSpot(ctx, w.clerk, imm.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "1"}}))
	})
}
