package supervise

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// tickClock moves two seconds per reading, so the calendar reloads itself
// (at most once a second) while statistics run.
type tickClock struct {
	n    atomic.Int64
	base time.Time
}

func (c *tickClock) Now() time.Time { return c.base.Add(time.Duration(c.n.Add(1)) * 2 * time.Second) }

// More concurrent statistics than the read pool has connections must all
// finish: counting working days reloads the calendar through the same pool,
// so no statistics may hold its rows open while it counts (found in review:
// with the rows open, the ninth SQLite connection never came).
func TestConcurrentStatisticsDoNotExhaustTheReadPool(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		n := d.R.Stats().MaxOpenConnections + 1
		if n == 1 {
			t.Skip("the read pool is unbounded")
		}
		e := newEnv(t, d, bj(2026, 3, 31, 18, 0))
		var rows []fixCase
		for i := range 3000 {
			day := bj(2026, 3, 2+i%20, 9, 0)
			rows = append(rows, fixCase{no: fixNo(i), org: e.org, status: "concluded", submitted: day, accepted: tptr(day), concluded: tptr(day.Add(2 * time.Hour))})
		}
		insertCases(t, d, rows)
		clk := &tickClock{base: bj(2026, 3, 31, 18, 0)}
		svc := NewService(Deps{DB: d, Clock: clk, Calendar: calendar.New(d, clk)})
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := svc.CaseStats(ctx, e.supervisor, StatsQuery{From: "2026-03-01", To: "2026-03-31"})
				if err == nil && res.Total.Concluded != len(rows) {
					err = fmt.Errorf("got %d concluded, want %d", res.Total.Concluded, len(rows))
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("statistics %d of %d: %v", i+1, n, err)
			}
		}
	})
}
