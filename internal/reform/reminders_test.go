package reform

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/notify"
)

func TestRemindersOncePerTaskPerMonth(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.May, 20, 9))
		t1 := f.mustTask(t, "企业开办3个工作日内办结", "", "2026-06-30", f.market, f.land)
		t2 := f.mustTask(t, "一窗受理综合窗口改革", "", "2026-06-15", f.market)
		f.mustTask(t, "12345热线整合", "", "2026-07-31", f.land)
		done := f.mustTask(t, "电子证照共享应用", "", "2026-06-10", f.land)
		f.mustComplete(t, done.ID, "")

		f.clk.Set(bj(2026, time.June, 1, 0)) // 00:00 Beijing on the 1st
		n, err := f.svc.SendReminders(ctx, f.clk.Now())
		if err != nil || n != 2 {
			t.Fatalf("first run: %d letters, %v; want 2 (市场监管局, 自然资源局)", n, err)
		}
		n, err = f.svc.SendReminders(ctx, f.clk.Now())
		if err != nil || n != 0 {
			t.Fatalf("second run: %d letters, %v; want 0", n, err)
		}
		letters, err := f.svc.Letters(ctx, f.supervisor, "2026-06")
		if err != nil || len(letters) != 2 {
			t.Fatalf("letters: %d, %v", len(letters), err)
		}
		byUnit := map[int64]Letter{}
		for _, l := range letters {
			byUnit[l.Unit.ID] = l
		}
		m := byUnit[f.market]
		if len(m.Items) != 2 || m.Items[0].TaskID != t2.ID || m.Items[1].TaskID != t1.ID || !m.Items[0].IsLead ||
			m.Sender != "示范县人民政府办公室" || m.IssuedOn.String() != "2026-06-01" || !strings.HasPrefix(m.DocNo, "示范县政办提示〔2026〕") {
			t.Fatalf("市场监管局 letter %+v", m)
		}
		if l := byUnit[f.land]; len(l.Items) != 1 || l.Items[0].TaskID != t1.ID || l.Items[0].IsLead {
			t.Fatalf("自然资源局 letter %+v", l)
		}
		// Notifications: the approvers of both units, not the land clerk.
		for _, c := range []struct {
			user int64
			want int
		}{{f.approverMarket.UserID, 1}, {f.approverLand.UserID, 1}, {f.clerkLand.UserID, 0}, {f.supervisor.UserID, 0}} {
			got, err := notify.UnreadCount(ctx, d.R, c.user)
			if err != nil || got != c.want {
				t.Errorf("user %d: %d notifications, %v; want %d", c.user, got, err, c.want)
			}
		}
		// A task added later in the month gets its own letter once.
		late := f.mustTask(t, "中介服务超市上线", "", "2026-06-20", f.approval)
		if n, err = f.svc.SendReminders(ctx, f.clk.Now()); err != nil || n != 1 {
			t.Fatalf("after adding a task: %d letters, %v; want 1", n, err)
		}
		if n, _ = f.svc.SendReminders(ctx, f.clk.Now()); n != 0 {
			t.Fatalf("third run: %d letters, want 0", n)
		}
		var reminders int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM reform_reminders WHERE month = '2026-06'`).Scan(&reminders); err != nil || reminders != 4 {
			t.Fatalf("reminder rows: %d, %v; want 4", reminders, err)
		}
		// Letters are visible to the addressee's staff only (and supervisors).
		mine, err := f.svc.Letters(ctx, f.clerkLand, "")
		if err != nil || len(mine) != 1 || mine[0].Unit.ID != f.land {
			t.Fatalf("land clerk letters: %+v, %v", mine, err)
		}
		if _, err := f.svc.Letter(ctx, f.clerkLand, m.ID); err == nil {
			t.Fatal("land clerk read the market's letter")
		}
		_ = late
	})
}

// Overlapping runs of the reminder job (two nodes whose leases overlapped)
// send each unit one letter a month, with distinct document numbers.
func TestRemindersOverlappingRunsSendOneLetterPerUnit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, bj(2026, time.May, 20, 9))
		f.mustTask(t, "企业开办3个工作日内办结", "", "2026-06-30", f.market, f.land)
		f.mustTask(t, "一窗受理综合窗口改革", "", "2026-06-15", f.approval)
		f.clk.Set(bj(2026, time.June, 1, 0))
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A run that loses the race may fail on the reminder key;
				// the next run then finds nothing left to send.
				_, _ = f.svc.SendReminders(ctx, f.clk.Now())
			}()
		}
		wg.Wait()
		if n, err := f.svc.SendReminders(ctx, f.clk.Now()); err != nil || n != 0 {
			t.Fatalf("run after the overlapping ones: %d letters, %v; want 0", n, err)
		}
		for _, q := range []struct{ what, sql string }{
			{"units with more than one letter", `SELECT COUNT(*) FROM (SELECT org_id FROM reform_letters GROUP BY org_id HAVING COUNT(*) > 1) x`},
			{"document numbers given twice", `SELECT COUNT(*) FROM (SELECT doc_no FROM reform_letters GROUP BY doc_no HAVING COUNT(*) > 1) x`},
		} {
			var n int
			if err := d.R.QueryRowContext(ctx, q.sql).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d, %v; want none", q.what, n, err)
			}
		}
		var letters int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM reform_letters`).Scan(&letters); err != nil || letters != 3 {
			t.Errorf("letters: %d, %v; want 3 (市场监管局, 自然资源局, 行政审批服务局)", letters, err)
		}
	})
}
