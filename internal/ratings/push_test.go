package ratings

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
	"banhao.dev/banhao/internal/platform/webhook"
)

// A rating and its rectification are pushed to the external evaluation
// system; when the receiver fails, the outbox re-sends them.
func TestPush_retriedOnWebhookFailure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		const secret = "push-secret"
		var mu sync.Mutex
		status := http.StatusInternalServerError
		var got []Push
		calls := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			calls++
			if !webhook.Verify(secret, body, r.Header.Get(webhook.SignatureHeader)) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			if status == http.StatusOK {
				var del webhook.Delivery
				_ = json.Unmarshal(body, &del)
				var p Push
				_ = json.Unmarshal(del.Payload, &p)
				got = append(got, p)
			}
			w.WriteHeader(status)
		}))
		defer srv.Close()
		c, _ := e.concluded(t)
		r := must[*Rating](t)(e.svc.Rate(ctx, e.who.applicant, c.No, bad()))
		disp := outbox.NewDispatcher(d)
		disp.Handle(TopicPush, webhook.Handler(srv.URL, secret))
		disp.Handle("case.", func(context.Context, outbox.Message) error { return nil })
		disp.Handle("notify.", func(context.Context, outbox.Message) error { return nil })
		now := e.clk.Now()
		if _, failed, err := disp.DeliverBatch(ctx, now, 100); err != nil || failed != 2 {
			t.Fatalf("receiver failing: got %d failed, %v; want the rating and rectification pushes failed", failed, err)
		}
		mu.Lock()
		status = http.StatusOK
		mu.Unlock()
		if del, _, err := disp.DeliverBatch(ctx, now.Add(time.Hour), 100); err != nil || del != 2 {
			t.Fatalf("retry: got %d delivered %v, want 2", del, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if calls != 4 || len(got) != 2 || got[0].Kind != "rating" || got[1].Kind != "rectification" {
			t.Fatalf("receiver saw %d calls, accepted %+v", calls, got)
		}
		if int64(got[0].Data["id"].(float64)) != r.ID || got[0].Data["rater_name"] != nil || got[0].Data["rater_id"] != nil {
			t.Fatalf("push %+v, want the rating without its rater", got[0].Data)
		}
	})
}
