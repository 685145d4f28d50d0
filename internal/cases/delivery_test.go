package cases

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestDeliveryDeadline_tenWorkingDaysAfterAGrantWithItsLight(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx, ok := context.Background(), okFn(t)
		e := newEnv(t, d, bj(2026, 3, 2, 10, 0))
		w := e.who
		grant := DecideRequest{Outcome: "grant", Result: &GrantResult{CertificateNo: "MC-1"}}
		c := ok(e.svc.DecideOnSpot(ctx, w.clerk, e.mustSubmitWindow(t, itemImmediate).No, grant))
		dl := c.Deadlines.Delivery
		if dl == nil || dl.Date != "2026-03-16" || dl.Days != DeliveryDays {
			t.Fatalf("delivery deadline got %+v, want 2026-03-16 (10 working days after 2026-03-02)", dl)
		}
		if len(dl.Derivation) < 2 || dl.Derivation[0] == "" || dl.Derivation[1][:len("决定时间")] != "决定时间" {
			t.Errorf("derivation got %q, want the art. 44 rule then the decision time", dl.Derivation)
		}
		if c.DeliveryLight != Green {
			t.Errorf("light on the decision day got %q, want green", c.DeliveryLight)
		}
		c = ok(e.svc.Conclude(ctx, w.clerk, c.No))
		for _, tt := range []struct {
			name string
			y, m int
			day  int
			want Light
		}{
			{"two working days before the end it turns yellow", 2026, 3, 13, Yellow},
			{"after the last day it is red", 2026, 3, 17, Red},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e.clk.Set(bj(tt.y, 3, tt.day, 12, 0))
				if got := e.get(t, c.No).DeliveryLight; got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
		c = ok(e.svc.Deliver(ctx, w.clerk, c.No, DeliverRequest{Method: DeliverElectronic}))
		e.clk.Set(bj(2026, 3, 2, 12, 0))
		if got := e.get(t, c.No).DeliveryLight; got != Red {
			t.Errorf("delivered late: light got %q, want red for good", got)
		}
		if v, err := e.svc.Track(ctx, c.No, "wrong"); err == nil {
			t.Errorf("track with a wrong code got %+v", v)
		}

		deny := DecideRequest{Outcome: "deny", Reasons: "不符合条件", Remedies: "可申请行政复议"}
		c = ok(e.svc.DecideOnSpot(ctx, w.clerk, e.mustSubmitWindow(t, itemImmediate).No, deny))
		if c.Deadlines.Delivery != nil || c.DeliveryLight != NoLight {
			t.Errorf("a denial got delivery deadline %+v light %q, want none", c.Deadlines.Delivery, c.DeliveryLight)
		}
	})
}
