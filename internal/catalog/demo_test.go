package catalog

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestDemoCatalogIsCompleteAndValid(t *testing.T) {
	items, err := DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 40 {
		t.Errorf("got %d demo items, want at least 40", len(items))
	}
	orgs, kinds, cases, events := map[string]bool{}, map[Kind]bool{}, map[CaseType]bool{}, map[string]bool{}
	situations := 0
	codes := map[string]bool{}
	for _, it := range items {
		if codes[it.Code] {
			t.Errorf("duplicate demo code %s", it.Code)
		}
		codes[it.Code] = true
		orgs[it.Org], kinds[it.Kind], cases[it.CaseType] = true, true, true
		if len(it.Situations) > 0 {
			situations++
		}
		for _, e := range append(append([]string{}, it.LifeEvents...), it.Lifecycle...) {
			events[e] = true
		}
		if !contains(demoOrgs, it.Org) {
			t.Errorf("%s: org %q is not a demo organization", it.Code, it.Org)
		}
	}
	if len(orgs) < 10 {
		t.Errorf("got %d organizations, want ≥ 10", len(orgs))
	}
	for _, k := range Kinds() {
		if !kinds[k] {
			t.Errorf("no demo item of kind %s", k.Label())
		}
	}
	for _, c := range []CaseType{Immediate, ReviewApprove, Promised} {
		if !cases[c] {
			t.Errorf("no demo item of case type %s", c)
		}
	}
	if situations < 10 {
		t.Errorf("got %d items with situations, want ≥ 10", situations)
	}
	for _, e := range append(append([]string{}, LifeEvents...), LifecycleStages...) {
		if !events[e] {
			t.Errorf("browse category %s has no item", e)
		}
	}
}

func TestSeedDemoPublishesEveryItemOnceOnBothEngines(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, orgs, _ := mustService(t, d)
		n, err := SeedDemo(ctx, svc, lookup(orgs), t0)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		items, _ := DemoItems()
		if n != len(items) {
			t.Errorf("created %d, want %d", n, len(items))
		}
		again, err := SeedDemo(ctx, svc, lookup(orgs), t0)
		if err != nil || again != 0 {
			t.Errorf("second seed created %d (err %v), want 0", again, err)
		}
		// A fresh service sees the same published catalog after Start.
		svc2 := NewService(d, svc.clock)
		if err := svc2.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(mustItemsOf(t, svc2, "990121")); got != len(items) {
			t.Errorf("restarted service has %d items, want %d", got, len(items))
		}
		g, err := svc2.Guide(ctx, "0100001000-990121-01", 0)
		if err != nil {
			t.Fatal(err)
		}
		if g.Version != 1 || g.Org != "示范县市场监督管理局" || g.Materials[0].Template == nil {
			t.Errorf("guide: got version %d org %q template %v", g.Version, g.Org, g.Materials[0].Template)
		}
		if f, ok := DemoFiles()[g.Materials[0].Template.Hash]; !ok || len(f.Data) < 200 {
			t.Errorf("template file %s not served", g.Materials[0].Template.Name)
		}
	})
}
