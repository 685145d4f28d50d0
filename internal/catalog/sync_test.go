package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// dueBatch publishes a batch that cancels one item and adds one, effective
// on t0's date.
func dueBatch(t *testing.T, svc *Service, orgs map[string]int64) (Batch, Item) {
	t.Helper()
	ctx := context.Background()
	added := sampleItem(orgs["示范县市场监督管理局"])
	b, err := svc.CreateBatch(ctx, admin, Batch{RegionCode: "990121", Title: "关于调整政务服务事项的通知", DocNo: "示政发〔2025〕9号",
		EffectiveDate: "2025-03-01", Entries: []Entry{{Kind: AdjCancel, Code: "0800001000-990121-01"}, {Kind: AdjAdd, Item: &added}}})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	mustOK(t, svc.PublishBatch(ctx, admin, b.ID))
	return b, added
}

// Two nodes: a batch applied by one shows on the other after Sync.
func TestSyncShowsWhatAnotherNodeChanged(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, orgs, clk := mustSeeded(t, d)
		other := NewService(d, clk)
		mustOK(t, other.Start(ctx))
		mustOK(t, other.Warm(ctx)) // loaded before the change, like a running node
		_, added := dueBatch(t, svc, orgs)
		clk.Set(time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC))
		if ids, err := svc.ApplyDueAdjustments(ctx, clk.Now()); err != nil || len(ids) != 1 {
			t.Fatalf("apply: %v %v", ids, err)
		}
		if _, err := other.Guide(ctx, added.Code, 0); !errors.Is(err, ErrItemNotFound) {
			t.Fatalf("before Sync the other node got %v for the added item, want not found (nothing to prove otherwise)", err)
		}
		if n, err := other.Sync(ctx); err != nil || n != 2 {
			t.Fatalf("Sync got %d (%v), want 2 items updated", n, err)
		}
		if _, err := other.Guide(ctx, "0800001000-990121-01", 0); !errors.Is(err, ErrItemNotFound) {
			t.Errorf("cancelled item after Sync: got %v, want not found", err)
		}
		if g, err := other.Guide(ctx, added.Code, 0); err != nil || g.Version != 1 {
			t.Errorf("added item after Sync: got %v %v, want version 1", g, err)
		}
		if res, _ := other.Search(ctx, SearchQuery{Q: added.Name}); res.Total == 0 || res.Items[0].Code != added.Code {
			t.Errorf("search on the other node does not find the added item: %+v", res)
		}
		if n, err := other.Sync(ctx); err != nil || n != 0 {
			t.Errorf("second Sync got %d (%v), want nothing to update", n, err)
		}
	})
}

// Overlapping runs of the adjustment job (two nodes whose leases overlapped)
// apply a batch once: one abolish, one published version, one apply event.
func TestApplyDueAdjustmentsOverlappingRunsApplyOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, orgs, clk := mustSeeded(t, d)
		b, added := dueBatch(t, svc, orgs)
		clk.Set(time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC))
		var wg sync.WaitGroup
		applied := make(chan int, 4)
		for range 4 {
			node := NewService(d, clk)
			mustOK(t, node.Start(ctx))
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids, err := node.ApplyDueAdjustments(ctx, clk.Now())
				if err != nil {
					t.Errorf("apply: %v", err)
				}
				applied <- len(ids)
			}()
		}
		wg.Wait()
		close(applied)
		total := 0
		for n := range applied {
			total += n
		}
		count := func(q string, args ...any) int {
			var n int
			if err := d.R.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range []struct {
			what string
			got  int
		}{
			{"runs that applied the batch", total},
			{"apply events", count(`SELECT COUNT(*) FROM audit_events WHERE stream = $1 AND action = 'apply'`, fmt.Sprintf("adjustment/%d", b.ID))},
			{"abolish events", count(`SELECT COUNT(*) FROM audit_events WHERE stream = 'item/0800001000-990121-01' AND action = 'abolish'`)},
			{"versions of the added item", count(`SELECT COUNT(*) FROM item_versions WHERE item_code = $1`, added.Code)},
			{"change-log entries per item", count(`SELECT COUNT(*) FROM item_changes WHERE batch_id = $1`, b.ID) / 2},
		} {
			if c.got != 1 {
				t.Errorf("%s: got %d, want 1", c.what, c.got)
			}
		}
	})
}
