package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestReformPages(t *testing.T) {
	e := newTestEnv(t, dbtest.SQLite(t))
	f := newReformFixture(t, e)
	sup := e.browser()
	sup.login("sup", "Passw0rd!")

	t.Run("the list shows the supervisor's nav entry and filters", func(t *testing.T) {
		st, body := sup.get("/reform")
		if st != 200 || !strings.Contains(body, `href="/reform"`) || !strings.Contains(body, "督办任务") || !strings.Contains(body, `id="reform-new"`) {
			t.Fatalf("got %d", st)
		}
	})
	t.Run("a form without a deadline is re-rendered with the field marked", func(t *testing.T) {
		st, body, _ := sup.post("/reform/tasks/new", "/reform/tasks", url.Values{"title": {"不动产登记5个工作日内办结"},
			"lead_org_id": {fmt.Sprint(f.land)}})
		if st != 422 || !strings.Contains(body, `id="deadline-error"`) || !strings.Contains(body, "请填写完成时限") ||
			!strings.Contains(body, `aria-describedby="deadline-error"`) || !strings.Contains(body, `value="不动产登记5个工作日内办结"`) {
			t.Fatalf("got %d: %s", st, firstLine(body, "form-error"))
		}
	})
	var taskPath string
	t.Run("a supervisor creates a task through the form", func(t *testing.T) {
		st, body, path := sup.post("/reform/tasks/new", "/reform/tasks", url.Values{"title": {"不动产登记5个工作日内办结"},
			"lead_org_id": {fmt.Sprint(f.land)}, "responsible_org_ids": {fmt.Sprint(f.market)}, "deadline": {"2026-03-06"}})
		if st != 200 || !strings.HasPrefix(path, "/reform/tasks/") || !strings.Contains(body, "督办任务已创建") {
			t.Fatalf("got %d at %s", st, path)
		}
		// 3/2..3/6 is five working days: yellow from the start.
		if !strings.Contains(body, `class="light yellow"`) || !strings.Contains(body, "剩余 5 个工作日") {
			t.Fatalf("task page lacks the yellow light: %s", firstLine(body, "task-light"))
		}
		taskPath = path
	})
	apland := e.browser()
	apland.login("apland", "Passw0rd!")
	t.Run("the lead unit's approver reports progress", func(t *testing.T) {
		st, body := apland.get("/reform")
		if st != 200 || !strings.Contains(body, "不动产登记5个工作日内办结") || strings.Contains(body, `id="reform-new"`) {
			t.Fatalf("approver list: %d", st)
		}
		st, body, _ = apland.post(taskPath, taskPath+"/progress", url.Values{"text": {""}, "percent": {"30"}})
		if st != 422 || !strings.Contains(body, "请填写进展情况") {
			t.Fatalf("empty progress: %d", st)
		}
		st, body, _ = apland.post(taskPath, taskPath+"/progress", url.Values{"text": {"联合受理窗口已设置"}, "percent": {"30"}})
		if st != 200 || !strings.Contains(body, "进展已报送") || !strings.Contains(body, "联合受理窗口已设置") || !strings.Contains(body, `id="task-percent">30%`) {
			t.Fatalf("progress: %d %s", st, firstLine(body, "progress-table"))
		}
		if strings.Contains(body, `id="complete-form"`) {
			t.Fatal("the approver is offered the completion form")
		}
	})
	t.Run("staff of other units cannot open the task", func(t *testing.T) {
		e.mustUser("noorg", "990121", auth.Approver)
		other := e.browser()
		other.login("noorg", "Passw0rd!")
		if st, _ := other.get(taskPath); st != 403 {
			t.Fatalf("approver of no unit: %d, want 403", st)
		}
		if st, _ := e.browser().get("/reform"); st != 401 {
			t.Fatalf("anonymous: %d, want 401", st)
		}
	})
	t.Run("the supervisor marks the task done", func(t *testing.T) {
		st, body, _ := sup.post(taskPath, taskPath+"/complete", url.Values{"evidence": {""}})
		if st != 422 || !strings.Contains(body, `id="evidence-error"`) {
			t.Fatalf("no evidence: %d", st)
		}
		st, body, _ = sup.post(taskPath, taskPath+"/complete", url.Values{"evidence": {"已运行，平均3.5个工作日办结"}})
		if st != 200 || !strings.Contains(body, `id="task-status">已完成`) || !strings.Contains(body, "按期完成") {
			t.Fatalf("complete: %d", st)
		}
	})
	t.Run("the edit form is prefilled", func(t *testing.T) {
		id := f.mustTask(t, map[string]any{"title": "电子证照共享应用", "lead_org_id": f.approval, "responsible_org_ids": []int64{f.land}, "deadline": "2026-04-30"})
		st, body := sup.get(fmt.Sprintf("/reform/tasks/%d/edit", id))
		if st != 200 || !strings.Contains(body, `value="电子证照共享应用"`) || !strings.Contains(body, `value="2026-04-30"`) {
			t.Fatalf("edit: %d", st)
		}
		st, body, _ = sup.post(fmt.Sprintf("/reform/tasks/%d/edit", id), fmt.Sprintf("/reform/tasks/%d", id), url.Values{"title": {"电子证照共享应用"},
			"lead_org_id": {fmt.Sprint(f.approval)}, "deadline": {"2026-05-29"}, "reason": {"延期"}})
		if st != 200 || !strings.Contains(body, `id="task-deadline">2026-05-29`) {
			t.Fatalf("update: %d", st)
		}
	})
	t.Run("the monthly report page", func(t *testing.T) {
		st, body := sup.get("/reform/reports/monthly?month=2026-03")
		if st != 200 || !strings.Contains(body, "2026年3月改革任务完成情况通报") || !strings.Contains(body, "<svg") ||
			!strings.Contains(body, `<tr id="report-total"><th scope="row">合计</th><td>1</td><td>1</td>`) {
			t.Fatalf("report: %d %s", st, firstLine(body, "report-table"))
		}
		if st, _ := apland.get("/reform/reports/monthly"); st != 403 {
			t.Fatalf("approver report page: %d, want 403", st)
		}
	})
	t.Run("the reminder letter is an official letter", func(t *testing.T) {
		e.Sim.Set(time.Date(2026, 4, 30, 16, 30, 0, 0, time.UTC)) // 5月1日 00:30 Beijing
		f.mustTask(t, map[string]any{"title": "网上可办率达到90%以上", "lead_org_id": f.approval, "responsible_org_ids": []int64{f.land}, "deadline": "2026-05-29"})
		if n, err := e.Srv.Reform.SendReminders(context.Background(), e.Sim.Now()); err != nil || n != 2 {
			t.Fatalf("reminders: %d, %v", n, err)
		}
		st, body := apland.get("/reform/letters")
		if st != 200 || strings.Count(body, `href="/reform/letters/`) != 1 {
			t.Fatalf("letters page: %d", st)
		}
		i := strings.Index(body, `href="/reform/letters/`) + len(`href="`)
		link := body[i : i+strings.Index(body[i:], `"`)]
		st, body = apland.get(link)
		for _, want := range []string{`<h1 class="letter-title">关于推进“放管服”改革一次办好的温馨提示函</h1>`, `id="letter-addressee">示范县自然资源局：`,
			"网上可办率达到90%以上（牵头单位：示范县行政审批服务局，贵单位配合）。完成时限：2026年5月29日前",
			"示范县人民政府办公室<br>", `id="letter-date">2026年5月1日`, "data-print"} {
			if !strings.Contains(body, want) {
				t.Errorf("letter lacks %q", want)
			}
		}
		if st != 200 {
			t.Fatalf("letter: %d", st)
		}
		// The approver of the addressed unit was notified with a link to it.
		if _, home := apland.get("/notifications"); !strings.Contains(home, link) {
			t.Error("no notification links to the letter")
		}
	})
}
