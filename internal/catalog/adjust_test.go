package catalog

import (
	"context"
	"errors"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestAdjustmentBatchTakesEffectOnItsDate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, orgs, clk := mustSeeded(t, d)
		if _, err := d.W.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ('990121001', '城关镇', 'township', '990121', $1)`, t0); err != nil {
			t.Fatal(err)
		}
		guide := func(code string) *Item {
			it, err := svc.Guide(ctx, code, 0)
			if err != nil {
				t.Fatalf("guide %s: %v", code, err)
			}
			c := *it
			return &c
		}
		changed := guide("0100001002-990121-01")
		changed.PromisedLimit = Limit{Days: 0.5, Unit: WorkingDay}
		down := guide("0700003003-990121-01")
		down.Code, down.RegionCode, down.Level = "0700003003-990121001-01", "990121001", "township"
		merged := guide("0500001001-990121-01")
		merged.Code, merged.Name = "0500001003-990121-01", "高龄津贴和老年人护理补贴申领"
		added := sampleItem(orgs["示范县市场监督管理局"])

		b := Batch{RegionCode: "990121", Title: "示范县人民政府关于调整政务服务事项目录的通知", DocNo: "示政发〔2025〕3号", EffectiveDate: "2025-03-10",
			Entries: []Entry{
				{Kind: AdjCancel, Code: "0800001000-990121-01"},
				{Kind: AdjChange, Code: "0100001002-990121-01", Item: changed},
				{Kind: AdjHandDown, Code: "0700003003-990121-01", Item: down, Note: "下放至城关镇便民服务中心"},
				{Kind: AdjMerge, Sources: []string{"0500001001-990121-01"}, Item: merged},
				{Kind: AdjAdd, Item: &added},
			}}
		if _, err := svc.CreateBatch(ctx, Caller{Roles: []string{RoleCatalogAdmin}, RegionCode: "990122"}, b); !errors.Is(err, ErrForbidden) {
			t.Fatalf("other county: got %v, want forbidden", err)
		}
		bad := b
		bad.Entries = []Entry{{Kind: AdjCancel, Code: "0000000000-990121-99"}, {Kind: "rename"}}
		if _, err := svc.CreateBatch(ctx, admin, bad); err == nil {
			t.Fatal("batch with unknown item and kind accepted")
		}
		b, err := svc.CreateBatch(ctx, admin, b)
		if err != nil {
			t.Fatalf("create batch: %v", err)
		}
		// A draft never applies, even when due.
		clk.Set(time.Date(2025, 3, 12, 2, 0, 0, 0, time.UTC))
		if ids, err := svc.ApplyDueAdjustments(ctx, clk.Now()); err != nil || len(ids) != 0 {
			t.Fatalf("draft applied: %v %v", ids, err)
		}
		clk.Set(t0)
		mustOK(t, svc.PublishBatch(ctx, admin, b.ID))
		if err := svc.PublishBatch(ctx, admin, b.ID); !errors.Is(err, ErrBatchState) {
			t.Errorf("second publish: got %v", err)
		}
		// 2025-03-09 23:59 in Shanghai: not yet.
		clk.Set(time.Date(2025, 3, 9, 15, 59, 0, 0, time.UTC))
		if ids, _ := svc.ApplyDueAdjustments(ctx, clk.Now()); len(ids) != 0 {
			t.Fatalf("applied before the effective date: %v", ids)
		}
		if _, err := svc.Guide(ctx, "0800001000-990121-01", 0); err != nil {
			t.Errorf("item cancelled early: %v", err)
		}
		// 2025-03-10 00:00 in Shanghai: applied, once.
		clk.Set(time.Date(2025, 3, 9, 16, 0, 0, 0, time.UTC))
		ids, err := svc.ApplyDueAdjustments(ctx, clk.Now())
		if err != nil || len(ids) != 1 {
			t.Fatalf("apply: %v %v", ids, err)
		}
		if again, _ := svc.ApplyDueAdjustments(ctx, clk.Now()); len(again) != 0 {
			t.Errorf("batch applied twice")
		}
		for _, code := range []string{"0800001000-990121-01", "0700003003-990121-01", "0500001001-990121-01"} {
			if _, err := svc.Guide(ctx, code, 0); !errors.Is(err, ErrItemNotFound) {
				t.Errorf("%s still public after cancel/hand-down/merge: %v", code, err)
			}
			if _, err := svc.Guide(ctx, code, 1); err != nil {
				t.Errorf("%s version 1 no longer viewable: %v", code, err)
			}
		}
		if g := guide("0100001002-990121-01"); g.Version != 2 || g.PromisedLimit.Days != 0.5 {
			t.Errorf("changed item: got v%d %v", g.Version, g.PromisedLimit)
		}
		for _, code := range []string{"0700003003-990121001-01", "0500001003-990121-01", added.Code} {
			if g := guide(code); g.Version != 1 {
				t.Errorf("%s: version %d", code, g.Version)
			}
		}
		res, _ := svc.Search(ctx, SearchQuery{Q: "高龄津贴"})
		if res.Total == 0 || res.Items[0].Code != "0500001003-990121-01" {
			t.Errorf("search after merge: got %+v", res.Items)
		}
		changes, _ := svc.BatchChanges(ctx, b.ID)
		if len(changes) != 7 { // cancel 1, change 1, hand-down 2, merge 2, add 1
			t.Errorf("batch change log: got %d entries, want 7: %+v", len(changes), changes)
		}
		log, _ := svc.Changes(ctx, "0800001000-990121-01")
		if last := log[len(log)-1]; last.Action != "cancel" || last.BatchID != b.ID || last.At != clk.Now() {
			t.Errorf("item change log: got %+v", last)
		}
		got, _ := svc.Batch(ctx, Caller{}, b.ID)
		if got.Status != "applied" || got.AppliedAt == nil || len(got.Entries) != 5 {
			t.Errorf("batch: got %s %v %d entries", got.Status, got.AppliedAt, len(got.Entries))
		}
	})
}
