package cases

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestAutoAccept_afterFiveWorkingDaysCountedFromReceipt(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		received := bj(2026, 2, 12, 10, 0) // Thursday before the Spring Festival
		e := newEnv(t, d, received)
		c := e.mustSubmitOnline(t, itemPromised)
		// Five working days: 02-13, 02-14 (adjusted), 02-24, 02-25, 02-26.
		if c.Deadlines.PreReview == nil || !c.Deadlines.PreReview.Equal(bj(2026, 2, 27, 0, 0)) {
			t.Fatalf("pre-review due got %v, want 2026-02-27 00:00 Beijing", c.Deadlines.PreReview)
		}
		for _, tt := range []struct {
			at   time.Time
			want int
		}{{bj(2026, 2, 20, 12, 0), 0}, {bj(2026, 2, 26, 23, 59), 0}, {bj(2026, 2, 27, 8, 0), 1}, {bj(2026, 2, 27, 9, 0), 0}} {
			e.clk.Set(tt.at)
			n, err := e.svc.AutoAcceptDue(ctx, tt.at)
			if err != nil || n != tt.want {
				t.Fatalf("AutoAcceptDue(%v) got %d (%v), want %d", tt.at, n, err, tt.want)
			}
		}
		c = e.get(t, c.No)
		if c.Status != Accepted || !c.AutoAccepted || !c.AcceptedAt.Equal(received) {
			t.Fatalf("got %s auto=%v accepted_at=%v, want accepted automatically as of %v", c.Status, c.AutoAccepted, c.AcceptedAt, received)
		}
		if c.Deadlines.Promised.Date != "2026-03-04" {
			t.Errorf("promised counted from receipt got %s, want 2026-03-04", c.Deadlines.Promised.Date)
		}
		tl, _ := e.svc.Timeline(ctx, e.who.supervisor, c.No)
		if last := tl[len(tl)-1]; last.Action != string(ActAutoAccept) || last.Role != "system" {
			t.Errorf("last event got %s by %s, want auto-accept by system", last.Action, last.Role)
		}
	})
}

func TestPendingAndCommitment_rulesRemindersAndVerification(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		w := e.who
		r, err := e.svc.Submit(ctx, w.clerk, SubmitRequest{Item: itemPromised, Channel: Window,
			Applicant: &Applicant{Name: "王五", IDNumber: otherID},
			Materials: []MaterialInput{{MaterialID: "m1", File: hashA}, {MaterialID: "m3", Commitment: true}}})
		if err != nil {
			t.Fatalf("window submission leaving a 容缺 material out: %v", err)
		}
		c := r.Case
		if c.Applicant.UserID == 0 {
			t.Error("staff filing was not linked to the applicant's account by ID number")
		}
		_, err = e.svc.Accept(ctx, w.clerk, c.No, AcceptRequest{})
		wantErr(t, err, ErrMaterialsMissing)
		c = ok(e.svc.AcceptWithPending(ctx, w.clerk, c.No, PendingRequest{Materials: []string{"m2"}, Commitment: "本人承诺于3月6日前补交营业场所证明", Deadline: "2026-03-06"}))
		if c.Status != Accepted || len(c.Pending) != 1 || c.PendingCount != 1 {
			t.Fatalf("got %s pending %v, want accepted with m2 pending", c.Status, c.Pending)
		}
		vs, err := e.svc.Verifications(ctx, w.reviewer, "open")
		if err != nil || len(vs) != 1 || vs[0].MaterialID != "m3" || vs[0].CaseNo != c.No {
			t.Fatalf("verification tasks got %+v (%v), want one for m3", vs, err)
		}
		for _, tt := range []struct {
			at   time.Time
			want int
		}{{bj(2026, 3, 4, 12, 0), 0}, {bj(2026, 3, 5, 0, 0), 1}, {bj(2026, 3, 5, 9, 0), 0}} {
			if n, err := e.svc.RemindPending(ctx, tt.at); err != nil || n != tt.want {
				t.Fatalf("RemindPending(%v) got %d (%v), want %d", tt.at, n, err, tt.want)
			}
		}
		c = ok(e.svc.Review(ctx, w.clerk, c.No, OpinionRequest{}))
		c = ok(e.svc.Review(ctx, w.reviewer, c.No, OpinionRequest{}))
		c = ok(e.svc.Decide(ctx, w.approver, c.No, DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "JY-2"}}))
		_, err = e.svc.Conclude(ctx, w.approver, c.No)
		wantErr(t, err, ErrPendingOpen)
		_, err = e.svc.SupplyPending(ctx, w.other, c.No, SupplyRequest{Materials: []MaterialInput{{MaterialID: "m1", File: hashB}}})
		wantErr(t, err, ErrPendingUnknown)
		c = ok(e.svc.SupplyPending(ctx, w.other, c.No, SupplyRequest{Materials: []MaterialInput{{MaterialID: "m2", File: hashB}}}))
		c = ok(e.svc.Conclude(ctx, w.approver, c.No))
		if c.Status != Concluded || c.PickupCode == "" {
			t.Errorf("got %s pickup %q, want concluded with a pickup code", c.Status, c.PickupCode)
		}
	})
}

func TestRefreshLights_touchesOnlyCasesWhoseLightChanges(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0)) // promised 10 days → 2026-03-16
		a := ok(e.svc.Accept(ctx, e.who.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		e.clk.Set(bj(2026, 3, 4, 9, 0))
		b := ok(e.svc.Accept(ctx, e.who.clerk, e.mustSubmitWindow(t, itemPromised).No, AcceptRequest{}))
		if a.Light != Green || a.StepLight != Green {
			t.Fatalf("fresh case got %s/%s, want green/green", a.Light, a.StepLight)
		}
		// Yellow: at most 2 working days (20 % of 10) left, i.e. from 03-13 00:00.
		if !a.CaseYellowAt.Equal(bj(2026, 3, 13, 0, 0)) {
			t.Errorf("yellow instant got %v, want 2026-03-13 00:00 Beijing", a.CaseYellowAt.In(bj(2026, 1, 1, 0, 0).Location()))
		}
		steps := []struct {
			at         time.Time
			light      Light
			minChanged int
		}{
			{bj(2026, 3, 12, 23, 0), Green, 1}, // the first step (2 days) is overdue by now
			{bj(2026, 3, 13, 0, 0), Yellow, 1},
			{bj(2026, 3, 17, 0, 0), Red, 1},
		}
		for _, st := range steps {
			n, err := e.svc.RefreshLights(ctx, st.at)
			if err != nil || n < st.minChanged {
				t.Fatalf("RefreshLights(%v) got %d (%v), want at least %d", st.at, n, err, st.minChanged)
			}
			if got := e.get(t, a.No); got.Light != st.light || got.StepLight != Red {
				t.Errorf("at %v got %s/%s, want %s/red", st.at, got.Light, got.StepLight, st.light)
			}
			if n, _ := e.svc.RefreshLights(ctx, st.at); n != 0 {
				t.Errorf("second tick at the same instant touched %d cases, want 0", n)
			}
		}
		if got := e.get(t, a.No); got.NextLightChangeAt != nil {
			t.Errorf("red case still has a next change at %v", got.NextLightChangeAt)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM outbox WHERE topic = 'case.light' AND payload LIKE $1`, "%"+a.No+"%"); n < 2 {
			t.Errorf("light warnings for the case got %d, want at least 2", n)
		}
		if got := e.get(t, b.No); got.Light != Yellow {
			t.Errorf("second case got %s, want yellow (due 03-18, 2 days left on 03-17)", got.Light)
		}
	})
}

func TestTrack_needsTheQueryCode(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		r, err := e.svc.Submit(ctx, e.who.applicant, SubmitRequest{Item: itemPromised, Channel: Online, Materials: fullMaterials()})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Track(ctx, r.Case.No, r.QueryCode)
		if err != nil || v.Status != Submitted || len(v.Events) != 1 {
			t.Fatalf("track got %+v (%v)", v, err)
		}
		_, err = e.svc.Track(ctx, r.Case.No, "WRONGCODE")
		wantErr(t, err, ErrNotFound)
		if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE query_hash = $1`, r.QueryCode); n != 0 {
			t.Error("query code stored in clear")
		}
	})
}

// BenchmarkRefreshLights measures a tick that finds 100 changed cases among
// many open ones: the cost should not grow with the open cases.
func BenchmarkRefreshLights(b *testing.B) {
	for _, open := range []int{1000, 20000} {
		b.Run(fmt.Sprintf("open=%d/changed=100", open), func(b *testing.B) {
			d := dbtest.SQLite(b)
			e := newEnv(b, d, bj(2026, 3, 2, 9, 0))
			ctx := context.Background()
			now := bj(2026, 3, 10, 0, 0)
			future := now.Add(30 * 24 * time.Hour)
			if _, err := d.W.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
				INSERT INTO cases (no, query_hash, region_code, item_code, item_version, item_name, org_id, case_type, channel,
				status, applicant_name, promised_due, case_yellow_at, next_light_change_at, light, body, created_at, updated_at)
				SELECT 'B-' || i, '', '990121', 'x', 1, 'x', 100, 'promised', 'online', 'accepted', 'x', $2, $3, $3, 'green', '{}', $4, $4 FROM n`,
				open, future, future.Add(-24*time.Hour), now); err != nil {
				b.Fatal(err)
			}
			_ = e
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if _, err := d.W.ExecContext(ctx, `UPDATE cases SET next_light_change_at = $1, case_yellow_at = $1
					WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT 100)`, now.Add(-time.Minute)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				n, err := e.svc.RefreshLights(ctx, now)
				if err != nil || n != 100 {
					b.Fatalf("refreshed %d (%v), want 100", n, err)
				}
			}
		})
	}
}

// Overlapping runs of the reminder job (two nodes whose leases overlapped)
// remind each pending material once.
func TestRemindPending_overlappingRunsRemindOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 9, 0))
		var nos []string
		for range 12 {
			r, err := e.svc.Submit(ctx, e.who.clerk, SubmitRequest{Item: itemPromised, Channel: Window,
				Applicant: &Applicant{Name: "王五", IDNumber: otherID},
				Materials: []MaterialInput{{MaterialID: "m1", File: hashA}, {MaterialID: "m3", Commitment: true}}})
			if err != nil {
				t.Fatal(err)
			}
			ok(e.svc.AcceptWithPending(ctx, e.who.clerk, r.Case.No, PendingRequest{Materials: []string{"m2"}, Commitment: "承诺补交", Deadline: "2026-03-06"}))
			nos = append(nos, r.Case.No)
		}
		sent := make(chan int, 4)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.svc.RemindPending(ctx, bj(2026, 3, 5, 0, 0))
				if err != nil {
					t.Errorf("RemindPending: %v", err)
				}
				sent <- n
			}()
		}
		wg.Wait()
		close(sent)
		total := 0
		for n := range sent {
			total += n
		}
		if total != len(nos) {
			t.Errorf("overlapping runs sent %d reminders, want %d", total, len(nos))
		}
		for _, no := range nos {
			var n int
			if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE stream = $1 AND action = 'pending-reminder'`, "case/"+no).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("case %s: got %d reminder events, want 1", no, n)
			}
		}
	})
}
