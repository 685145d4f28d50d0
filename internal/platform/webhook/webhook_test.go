package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
	"banhao.dev/banhao/internal/platform/webhook"
)

var t0 = time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC)

func TestSignedDeliveryThroughOutbox(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const secret = "s3cret"
		var mu sync.Mutex
		var got []webhook.Delivery
		status := http.StatusServiceUnavailable
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if !webhook.Verify(secret, body, r.Header.Get(webhook.SignatureHeader)) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var del webhook.Delivery
			if err := json.Unmarshal(body, &del); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			got = append(got, del)
			w.WriteHeader(status)
		}))
		defer srv.Close()
		if err := outbox.Enqueue(ctx, d.W, t0, "webhook.tax", map[string]string{"case": "990121-1"}); err != nil {
			t.Fatal(err)
		}
		p := outbox.NewDispatcher(d)
		p.Handle("webhook.", webhook.Handler(srv.URL, secret))
		if _, failed, err := p.DeliverBatch(ctx, t0, 10); err != nil || failed != 1 {
			t.Fatalf("receiver down: got failed %d err %v, want 1 failed", failed, err)
		}
		if es, _ := outbox.List(ctx, d.R, outbox.StatusRetrying, 10); len(es) != 1 || !strings.Contains(es[0].LastError, "503") {
			t.Fatalf("retrying: got %+v, want 503 recorded", es)
		}
		status = http.StatusNoContent
		if del, _, err := p.DeliverBatch(ctx, t0.Add(time.Hour), 10); err != nil || del != 1 {
			t.Fatalf("receiver up: got delivered %d err %v, want 1", del, err)
		}
		if len(got) != 2 || got[1].ID != got[0].ID || got[1].Attempt != 2 || got[1].Topic != "webhook.tax" ||
			string(got[1].Payload) != `{"case":"990121-1"}` || !got[1].CreatedAt.Equal(t0) {
			t.Fatalf("deliveries: got %+v, want the same message twice, second attempt 2", got)
		}
	})
}

func TestWrongSecretIsRejectedByVerify(t *testing.T) {
	body := []byte(`{"id":1}`)
	sig := webhook.Sign("a", body)
	for _, c := range []struct {
		name, secret, body, sig string
		want                    bool
	}{
		{"matching signature verifies", "a", string(body), sig, true},
		{"other secret fails", "b", string(body), sig, false},
		{"altered body fails", "a", `{"id":2}`, sig, false},
		{"missing signature fails", "a", string(body), "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := webhook.Verify(c.secret, []byte(c.body), c.sig); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
