package outbox_test

import (
	"context"
	"os"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/outbox"
)

// BenchmarkDeliverBatch measures claim+mark overhead per message with a
// no-op handler, batches of 100.
func BenchmarkDeliverBatch(b *testing.B) {
	engines := map[string]func(testing.TB) *db.DB{"sqlite": dbtest.SQLite}
	if os.Getenv("BANHAO_TEST_POSTGRES") != "" {
		engines["postgres"] = dbtest.Postgres
	}
	for name, open := range engines {
		b.Run(name, func(b *testing.B) {
			d := open(b)
			ctx := context.Background()
			for i := 0; i < b.N; i++ {
				if err := outbox.Enqueue(ctx, d.W, t0, "bench.x", i); err != nil {
					b.Fatal(err)
				}
			}
			p := outbox.NewDispatcher(d)
			p.Handle("bench.", func(context.Context, outbox.Message) error { return nil })
			b.ResetTimer()
			total := 0
			for total < b.N {
				del, _, err := p.DeliverBatch(ctx, t0, 100)
				if err != nil || del == 0 {
					b.Fatalf("delivered %d, err %v", del, err)
				}
				total += del
			}
		})
	}
}
