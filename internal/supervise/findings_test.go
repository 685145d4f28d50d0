package supervise

import (
	"context"
	"errors"
	"testing"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/outbox"
)

func (e *env) findings(t *testing.T, no, kind string) []Finding {
	t.Helper()
	fs, err := e.svc.Findings(context.Background(), e.supervisor, FindingFilter{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	var out []Finding
	for _, f := range fs {
		if f.CaseNo == no {
			out = append(out, f)
		}
	}
	return out
}

func wantErr(t *testing.T, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %s/%s", err, want.Kind, want.Code)
	}
}

func TestFindings_eachRuleDetectsItsBreachAndOnlyIt(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		okc := ok[*cases.Case](t)
		accept := func(form map[string]any) *cases.Case {
			c := e.submit(t, itemReview, form)
			return okc(e.cases.Accept(ctx, e.clerk, c.No, cases.AcceptRequest{}))
		}
		decide := func(c *cases.Case, req cases.DecideRequest) {
			okc(e.cases.Review(ctx, e.reviewer, c.No, cases.OpinionRequest{Opinion: "材料齐全"}))
			okc(e.cases.Decide(ctx, e.approver, c.No, req))
		}
		grant := cases.DecideRequest{Outcome: "grant", Result: &cases.GrantResult{CertificateNo: "JY1990121000001"}}
		type check struct {
			name, kind string
			no         string
			want       int
			person     int64
		}
		var checks []check

		// Refusals: boilerplate reason vs. a stated reason.
		r1 := e.submit(t, itemReview, nil)
		okc(e.cases.Refuse(ctx, e.clerk, r1.No, cases.RefuseRequest{Reason: "不符合条件", LegalBasis: "《行政许可法》第三十二条"}))
		r2 := e.submit(t, itemReview, nil)
		okc(e.cases.Refuse(ctx, e.clerk, r2.No, cases.RefuseRequest{Reason: "申请事项依法不属于本机关职权范围，应向示范市生态环境局申请", LegalBasis: "《行政许可法》第三十二条第一款第二项"}))
		checks = append(checks, check{"boilerplate refusal", KindRefusalNoReasons, r1.No, 1, e.clerk.UserID},
			check{"reasoned refusal", KindRefusalNoReasons, r2.No, 0, 0})

		// Denials.
		d1 := accept(nil)
		decide(d1, cases.DecideRequest{Outcome: "deny", Reasons: "不符合要求", Remedies: "可依法申请行政复议或提起行政诉讼"})
		d2 := accept(nil)
		decide(d2, cases.DecideRequest{Outcome: "deny", Reasons: "经现场核查，经营场所与住宅相连，不符合《食品经营许可审查通则》第十条", Remedies: "可依法申请行政复议或提起行政诉讼"})
		checks = append(checks, check{"boilerplate denial", KindDenialNoReasons, d1.No, 1, e.approver.UserID},
			check{"reasoned denial", KindDenialNoReasons, d2.No, 0, 0}, check{"timely grant", KindLateDecision, d2.No, 0, 0})

		// Second correction notice (a material changed in the resubmission).
		s1 := e.submit(t, itemReview, nil)
		okc(e.cases.RequestCorrection(ctx, e.clerk, s1.No, cases.CorrectionRequest{Items: []cases.CorrectionItem{{MaterialID: "m1", Reason: "缺少签名"}}}))
		okc(e.cases.Resubmit(ctx, e.clerk, s1.No, cases.ResubmitRequest{Materials: []cases.MaterialInput{{MaterialID: "m1", Paper: true}}}))
		okc(e.cases.RequestCorrection(ctx, e.clerk, s1.No, cases.CorrectionRequest{Items: []cases.CorrectionItem{{MaterialID: "m1", Reason: "签名与身份证不符"}}}))
		checks = append(checks, check{"second correction", KindSecondCorrection, s1.No, 1, e.clerk.UserID},
			check{"first correction alone", KindSecondCorrection, r1.No, 0, 0})

		// 体外循环: paper receipt declared three days before entry vs. two hours.
		o1 := accept(map[string]any{"received_at": "2026-02-26 09:00"})
		o2 := accept(map[string]any{"received_at": "2026-03-02 07:00"})
		checks = append(checks, check{"entered three days late", KindOffSystem, o1.No, 1, e.clerk.UserID},
			check{"entered two hours late", KindOffSystem, o2.No, 0, 0})

		// Decision after the legal limit (20 working days after 03-02 → 03-30).
		l1 := accept(nil)
		e.clk.Set(bj(2026, 3, 31, 10, 0))
		decide(l1, grant)
		checks = append(checks, check{"granted after the legal limit", KindLateDecision, l1.No, 1, e.approver.UserID})

		// Fees: listed, unlisted, above the listed amount.
		for _, f := range []struct {
			name   string
			amount float64
			listed bool
		}{{"检验费", 100, true}, {"工本费", 10, false}, {"检验费", 150, false}} {
			listed, err := e.svc.RecordFee(ctx, e.clerk, FeeCharge{CaseNo: l1.No, Name: f.name, Amount: f.amount})
			if err != nil || listed != f.listed {
				t.Fatalf("fee %s %.0f: listed %v (%v), want %v", f.name, f.amount, listed, err, f.listed)
			}
		}
		checks = append(checks, check{"two fees outside the list", KindFeeNotListed, l1.No, 2, e.clerk.UserID})

		e.deliver(t)
		// Delivered again (at-least-once): nothing doubles.
		rows, err := d.R.QueryContext(ctx, `SELECT id, topic, payload FROM outbox WHERE topic = 'case.event'`)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []outbox.Message
		for rows.Next() {
			var m outbox.Message
			var p string
			if err := rows.Scan(&m.ID, &m.Topic, &p); err != nil {
				t.Fatal(err)
			}
			m.Payload = []byte(p)
			msgs = append(msgs, m)
		}
		rows.Close()
		for _, m := range msgs {
			if err := e.svc.HandleEvent(ctx, m); err != nil {
				t.Fatalf("redeliver: %v", err)
			}
		}
		for _, c := range checks {
			fs := e.findings(t, c.no, c.kind)
			if len(fs) != c.want {
				t.Errorf("%s: %s findings got %d, want %d", c.name, c.kind, len(fs), c.want)
				continue
			}
			for _, f := range fs {
				if f.UserID != c.person || f.Status != FindingOpen || f.OrgID != e.org {
					t.Errorf("%s: finding person %d status %s org %d, want person %d open org %d", c.name, f.UserID, f.Status, f.OrgID, c.person, e.org)
				}
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE stream LIKE 'finding/%' AND action = 'detect'`); n != 7 {
			t.Errorf("detect audit events got %d, want 7", n)
		}
	})
}

func TestFindings_workedLikeTickets(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		c := e.submit(t, itemReview, nil)
		for _, name := range []string{"工本费", "资料费", "咨询费"} {
			ok[bool](t)(e.svc.RecordFee(ctx, e.clerk, FeeCharge{CaseNo: c.No, Name: name, Amount: 5}))
		}
		fs := e.findings(t, c.No, KindFeeNotListed)
		if len(fs) != 3 {
			t.Fatalf("findings got %d, want 3", len(fs))
		}
		a, b, x := fs[0].ID, fs[1].ID, fs[2].ID
		_, err := e.svc.Work(ctx, e.clerk, a, ActConfirm, WorkRequest{})
		wantErr(t, err, auth.ErrForbidden)
		_, err = e.svc.Work(ctx, e.ds, a, ActConfirm, WorkRequest{})
		wantErr(t, err, ErrFindingNotFound)
		_, err = e.svc.Work(ctx, e.supervisor, a, ActDismiss, WorkRequest{Reason: "  "})
		wantErr(t, err, ErrDismissReason)
		_, err = e.svc.Work(ctx, e.supervisor, a, ActRectify, WorkRequest{Deadline: "2026-03-02"})
		wantErr(t, err, ErrRectifyDeadline)
		_, err = e.svc.Work(ctx, e.supervisor, a, "close", WorkRequest{})
		wantErr(t, err, ErrFindingAction)

		f := ok[Finding](t)(e.svc.Work(ctx, e.supervisor, a, ActConfirm, WorkRequest{}))
		if f.Status != FindingConfirmed || f.HandledBy != e.supervisor.UserID {
			t.Fatalf("confirm: got %s by %d", f.Status, f.HandledBy)
		}
		f = ok[Finding](t)(e.svc.Work(ctx, e.supervisor, a, ActRectify, WorkRequest{Deadline: "2026-03-16", Reason: "退还多收费用"}))
		if f.Status != FindingRectification || f.Deadline != "2026-03-16" {
			t.Fatalf("rectify: got %s %s", f.Status, f.Deadline)
		}
		if e.notes(t, e.approver.UserID, "电子监察责令整改%") != 1 || e.notes(t, e.clerk.UserID, "电子监察责令整改%") != 1 {
			t.Error("rectification order did not reach the department head and the person")
		}
		f = ok[Finding](t)(e.svc.Work(ctx, e.supervisor, b, ActDismiss, WorkRequest{Reason: "系收费系统测试数据"}))
		if f.Status != FindingDismissed || f.Reason != "系收费系统测试数据" {
			t.Fatalf("dismiss: got %s %q", f.Status, f.Reason)
		}
		_, err = e.svc.Work(ctx, e.supervisor, b, ActConfirm, WorkRequest{})
		wantErr(t, err, ErrFindingState)
		_ = x
		if n := count(t, d, `SELECT COUNT(*) FROM audit_events WHERE stream = $1`, "finding/"+itoa(a)); n != 3 {
			t.Errorf("audit trail of finding %d got %d events, want detect, confirm, rectify", a, n)
		}
		e.clk.Set(e.clk.Now().Add(time.Hour))
	})
}
