package ratings

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestComplaints_flow(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		w := e.who
		c, _ := e.concluded(t)
		t.Run("bad input names the field", func(t *testing.T) {
			_, err := e.svc.FileComplaint(ctx, nil, ComplaintRequest{Subject: "case", CaseNo: c.No, Name: "王五", Phone: "123", Content: "窗口要求重复提交材料"})
			if err == nil || !hasField(err, "phone") {
				t.Fatalf("got %v, want a phone field error", err)
			}
			_, err = e.svc.FileComplaint(ctx, nil, ComplaintRequest{Subject: "case", CaseNo: "990121-20260302-99999", Name: "王五", Phone: "13900000000", Content: "窗口要求重复提交材料"})
			wantErr(t, err, ErrSubjectUnknown)
			_, err = e.svc.FileComplaint(ctx, nil, ComplaintRequest{Subject: "case", CaseNo: c.No, Name: "王五", Phone: "13900000000", Content: "窗口要求重复提交材料", Channel: "window"})
			wantErr(t, err, auth.ErrUnauthenticated)
		})
		// Anonymous, with a phone: routed to the case's department.
		cp := must[*Complaint](t)(e.svc.FileComplaint(ctx, nil, ComplaintRequest{Kind: KindCannotDo, Subject: "case", CaseNo: c.No, Name: "王五",
			Phone: "13900000000", Content: "跑了三次还是办不成"}))
		if cp.OrgID != orgA || cp.Status != ComplaintOpen || !cp.DueAt.Equal(bj(2026, 3, 10, 0, 0)) {
			t.Fatalf("complaint %+v, want org A, open, due in 5 working days", cp)
		}
		// The applicant files one too, logged in, and sees only their own.
		own := must[*Complaint](t)(e.svc.FileComplaint(ctx, w.applicant, ComplaintRequest{Subject: "case", CaseNo: c.No, Content: "工作人员态度生硬"}))
		if own.Phone != w.applicant.Phone || own.ComplainantID != w.applicant.UserID {
			t.Fatalf("own complaint %+v", own)
		}
		if list := must[[]*Complaint](t)(e.svc.Complaints(ctx, w.applicant, "")); len(list) != 1 {
			t.Fatalf("applicant sees %d complaints, want 1", len(list))
		}
		if list := must[[]*Complaint](t)(e.svc.Complaints(ctx, w.deptA, "")); len(list) != 2 {
			t.Fatalf("department sees %d complaints, want 2", len(list))
		}
		if list := must[[]*Complaint](t)(e.svc.Complaints(ctx, w.deptB, "")); len(list) != 0 {
			t.Fatalf("other department sees %d complaints, want 0", len(list))
		}
		_, err := e.svc.ActOnComplaint(ctx, w.deptB, own.ID, CActAnswer, ComplaintAction{Note: "x"})
		wantErr(t, err, ErrNotYourRect)
		_, err = e.svc.ActOnComplaint(ctx, w.deptA, own.ID, CActClose, ComplaintAction{Note: "结案"})
		wantErr(t, err, ErrComplaintCallback)
		_, err = e.svc.ActOnComplaint(ctx, w.applicant, own.ID, CActRate, ComplaintAction{Level: 5})
		wantErr(t, err, ErrComplaintState)
		must[*Complaint](t)(e.svc.ActOnComplaint(ctx, w.deptA, own.ID, CActAnswer, ComplaintAction{Note: "已约谈当事窗口人员并致歉"}))
		_, err = e.svc.ActOnComplaint(ctx, w.other, own.ID, CActRate, ComplaintAction{Level: 5})
		if err == nil {
			t.Fatal("another person rated the handling")
		}
		must[*Complaint](t)(e.svc.ActOnComplaint(ctx, w.applicant, own.ID, CActRate, ComplaintAction{Level: 4, Comment: "处理及时"}))
		must[*Complaint](t)(e.svc.ActOnComplaint(ctx, w.supervisor, own.ID, CActCallback, ComplaintAction{Note: "电话回访，投诉人认可"}))
		got := must[*Complaint](t)(e.svc.ActOnComplaint(ctx, w.deptA, own.ID, CActClose, ComplaintAction{Note: "办结"}))
		if got.Status != ComplaintClosed || got.Rating != 4 {
			t.Fatalf("closed complaint %+v", got)
		}
		a := must[Aggregate](t)(e.svc.Aggregate(ctx, Filter{OrgID: orgA}))
		if a.ComplaintsReceived != 2 || a.ComplaintsClosed != 1 {
			t.Fatalf("aggregate complaints %d/%d, want 2 received 1 closed", a.ComplaintsReceived, a.ComplaintsClosed)
		}
	})
}

func hasField(err error, field string) bool {
	e, ok := errsAs(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
