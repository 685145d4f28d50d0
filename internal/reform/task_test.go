package reform

import (
	"context"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

func TestCreateValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, bj(2026, time.March, 2, 9))
		good := func() TaskInput {
			return TaskInput{Title: "企业开办3个工作日内办结", LeadOrgID: f.market, UnitIDs: []int64{f.land}, Deadline: "2026-06-30"}
		}
		cases := []struct {
			name      string
			edit      func(*TaskInput)
			field     string
			msgSubstr string
		}{
			{"a missing deadline is rejected", func(in *TaskInput) { in.Deadline = "" }, "deadline", "请填写完成时限"},
			{"a malformed deadline is rejected", func(in *TaskInput) { in.Deadline = "2026年6月底" }, "deadline", "完成时限格式不正确"},
			{"a deadline before the start is rejected", func(in *TaskInput) { in.StartDate = "2026-07-01" }, "deadline", "不能早于开始日期"},
			{"a missing title is rejected", func(in *TaskInput) { in.Title = "  " }, "title", "请填写任务名称"},
			{"a missing lead unit is rejected", func(in *TaskInput) { in.LeadOrgID = 0 }, "lead_org_id", "请选择牵头单位"},
			{"an unknown lead unit is rejected", func(in *TaskInput) { in.LeadOrgID = 999999 }, "lead_org_id", "牵头单位不存在"},
			{"a repeated responsible unit is rejected", func(in *TaskInput) { in.UnitIDs = []int64{f.land, f.approval, f.land} }, "responsible_org_ids", "重复"},
			{"the lead unit listed as responsible is rejected", func(in *TaskInput) { in.UnitIDs = []int64{f.market} }, "responsible_org_ids", "不必再列为责任单位"},
			{"an unknown responsible unit is rejected", func(in *TaskInput) { in.UnitIDs = []int64{424242} }, "responsible_org_ids", "责任单位不存在"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := good()
				c.edit(&in)
				_, err := f.svc.Create(context.Background(), f.supervisor, in)
				if errs.KindOf(err) != errs.Invalid {
					t.Fatalf("got %v, want a validation error", err)
				}
				if msg := fieldsOf(err)[c.field]; !strings.Contains(msg, c.msgSubstr) {
					t.Fatalf("field %s: got %q, want it to contain %q (all: %v)", c.field, msg, c.msgSubstr, fieldsOf(err))
				}
			})
		}
		t.Run("a valid task is created not started with its units", func(t *testing.T) {
			tk, err := f.svc.Create(context.Background(), f.supervisor, good())
			if err != nil {
				t.Fatal(err)
			}
			if tk.Status != NotStarted || tk.Lead.Name != "示范县市场监督管理局" || len(tk.Units) != 1 || tk.Units[0].ID != f.land ||
				tk.StartDate.String() != "2026-03-02" || tk.RegionCode != "990121" || tk.Light != Green {
				t.Fatalf("got %+v", tk)
			}
		})
	})
}

func TestAuthorization(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.March, 2, 9))
		tk := f.mustTask(t, "不动产登记5个工作日内办结", "", "2026-06-30", f.land, f.market)
		in := TaskInput{Title: "x", LeadOrgID: f.market, Deadline: "2026-06-30"}
		t.Run("only supervisors create tasks", func(t *testing.T) {
			for _, c := range []struct {
				p    *auth.Principal
				want *errs.Error
			}{{nil, auth.ErrUnauthenticated}, {f.approverMarket, auth.ErrForbidden}, {f.applicant, auth.ErrForbidden}} {
				_, err := f.svc.Create(ctx, c.p, in)
				wantErr(t, err, c.want)
			}
		})
		t.Run("only the units' staff report progress", func(t *testing.T) {
			_, err := f.svc.AddProgress(ctx, f.supervisor, tk.ID, ProgressInput{Text: "推进中", Percent: intp(10)})
			wantErr(t, err, ErrNotUnit)
			_, err = f.svc.AddProgress(ctx, nil, tk.ID, ProgressInput{Text: "推进中", Percent: intp(10)})
			wantErr(t, err, auth.ErrUnauthenticated)
			p, err := f.svc.AddProgress(ctx, f.approverMarket, tk.ID, ProgressInput{Text: "已梳理流程", Percent: intp(30)})
			if err != nil || p.Unit.ID != f.market || p.Percent != 30 {
				t.Fatalf("responsible unit's report: %+v, %v", p, err)
			}
		})
		t.Run("another county's supervisor neither sees nor completes the task", func(t *testing.T) {
			_, err := f.svc.Get(ctx, f.supervisorDS, tk.ID)
			wantErr(t, err, auth.ErrForbidden)
			_, err = f.svc.Complete(ctx, f.supervisorDS, tk.ID, CompleteInput{Evidence: "x"})
			wantErr(t, err, auth.ErrOutOfScope)
			list, err := f.svc.List(ctx, f.supervisorDS, Filter{})
			if err != nil || len(list) != 0 {
				t.Fatalf("东山县 list: %d tasks, %v", len(list), err)
			}
		})
		t.Run("unit staff see only their units' tasks", func(t *testing.T) {
			other := f.mustTask(t, "12345热线整合", "", "2026-05-31", f.approval)
			list, err := f.svc.List(ctx, f.clerkLand, Filter{})
			if err != nil || len(list) != 1 || list[0].ID != tk.ID {
				t.Fatalf("land clerk list: %+v, %v", list, err)
			}
			_, err = f.svc.Get(ctx, f.clerkLand, other.ID)
			wantErr(t, err, auth.ErrForbidden)
			_, err = f.svc.List(ctx, f.applicant, Filter{})
			wantErr(t, err, auth.ErrForbidden)
		})
	})
}

func TestProgressCompleteAndAudit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.March, 2, 9))
		tk := f.mustTask(t, "网上可办率达到90%以上", "", "2026-06-30", f.approval, f.market)
		t.Run("bad progress is rejected field by field", func(t *testing.T) {
			_, err := f.svc.AddProgress(ctx, f.approverMarket, tk.ID, ProgressInput{Percent: intp(120)})
			got := fieldsOf(err)
			if got["text"] != "请填写进展情况" || got["percent"] != "完成进度应为 0—100 之间的整数" {
				t.Fatalf("got %v", got)
			}
			_, err = f.svc.AddProgress(ctx, f.approverMarket, tk.ID, ProgressInput{Text: "x", Attachments: []Attachment{{Name: "a.pdf", Hash: "zz"}}})
			if got := fieldsOf(err); got["percent"] == "" || got["attachments"] == "" {
				t.Fatalf("got %v", got)
			}
		})
		hash := strings.Repeat("ab", 32)
		if _, err := f.svc.AddProgress(ctx, f.approverMarket, tk.ID, ProgressInput{Text: "已上线事项 1200 项", Percent: intp(60),
			Attachments: []Attachment{{Name: "进展报告.pdf", Hash: hash}}}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, f.supervisor, tk.ID)
		if err != nil || got.Status != InProgress || got.Percent != 60 || len(got.Progress) != 1 || got.Progress[0].Attachments[0].Hash != hash {
			t.Fatalf("after progress: %+v, %v", got, err)
		}
		t.Run("completion needs evidence", func(t *testing.T) {
			_, err := f.svc.Complete(ctx, f.supervisor, tk.ID, CompleteInput{CompletedOn: "2026-03-03"})
			if got := fieldsOf(err); got["evidence"] == "" || got["completed_on"] != "完成日期不能晚于今天" {
				t.Fatalf("got %v", got)
			}
		})
		done, err := f.svc.Complete(ctx, f.supervisor, tk.ID, CompleteInput{Evidence: "网上可办率 92.3%，见统计表"})
		if err != nil || done.Status != Done || done.Percent != 100 || !done.OnTime() || done.Light != NoLight {
			t.Fatalf("complete: %+v, %v", done, err)
		}
		_, err = f.svc.AddProgress(ctx, f.approverMarket, tk.ID, ProgressInput{Text: "x", Percent: intp(1)})
		wantErr(t, err, ErrDone)
		_, err = f.svc.Update(ctx, f.supervisor, tk.ID, TaskInput{Title: "x", LeadOrgID: f.market, Deadline: "2026-07-01"}, "")
		wantErr(t, err, ErrDone)
		evs, err := audit.Stream(ctx, d.R, Stream(tk.ID))
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "create,progress,complete" {
			t.Fatalf("audit actions %v, want create,progress,complete", actions)
		}
		if res, err := audit.Verify(ctx, d.R, "reform/"); err != nil || len(res.Broken) != 0 || res.Events != 3 {
			t.Fatalf("audit verify: %+v %v", res, err)
		}
	})
}

func TestUpdateAudited(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.March, 2, 9))
		tk := f.mustTask(t, "电子证照共享应用", "2026-03-01", "2026-06-30", f.approval)
		up, err := f.svc.Update(ctx, f.supervisor, tk.ID, TaskInput{Title: "电子证照共享应用", LeadOrgID: f.approval,
			UnitIDs: []int64{f.market, f.land}, Deadline: "2026-09-30"}, "市政府要求延期")
		if err != nil {
			t.Fatal(err)
		}
		if up.Deadline.String() != "2026-09-30" || len(up.Units) != 2 || up.StartDate.String() != "2026-03-01" {
			t.Fatalf("got %+v", up)
		}
		evs, _ := audit.Stream(ctx, d.R, Stream(tk.ID))
		if len(evs) != 2 || evs[1].Action != "update" || !strings.Contains(string(evs[1].Data), "市政府要求延期") {
			t.Fatalf("audit events %+v", evs)
		}
	})
}
