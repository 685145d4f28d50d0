package demo_test

import (
	"context"
	"testing"
	"time"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// The demo's reform tasks are seeded once, with a mix of states, and this
// month's reminder letters are sent.
func TestSeedReformTasks(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
		a := auth.NewService(d, clock.NewFrozen(at), auth.TestHash)
		for i := 0; i < 2; i++ {
			if err := demo.Seed(ctx, d, a, demo.Services{}, at); err != nil {
				t.Fatalf("seed run %d: %v", i+1, err)
			}
		}
		count := func(q string) int {
			var n int
			if err := d.R.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(`SELECT COUNT(*) FROM reform_tasks`); n != 8 {
			t.Fatalf("got %d reform tasks, want 8", n)
		}
		// Due end of February: one done on time, one done late (today), one open.
		if n := count(`SELECT COUNT(*) FROM reform_tasks WHERE deadline = '2026-02-28' AND status = 'done'`); n != 2 {
			t.Fatalf("got %d February tasks done, want 2", n)
		}
		if n := count(`SELECT COUNT(*) FROM reform_letters WHERE month = '2026-03'`); n == 0 {
			t.Fatal("no reminder letters for March")
		}
	})
}
