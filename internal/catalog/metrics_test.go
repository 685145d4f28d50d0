package catalog

import (
	"context"
	"math"
	"testing"

	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestMetricsMatchHandComputedValues(t *testing.T) {
	mk := func(kind Kind, inHall bool, depth, trips int, ct CaseType, legal, promised Limit, mats ...Material) *Item {
		return &Item{Kind: kind, InHall: inHall, OnlineDepth: depth, Trips: trips, CaseType: ct, LegalLimit: legal, PromisedLimit: promised, Materials: mats}
	}
	wd := func(d float64) Limit { return Limit{Days: d, Unit: WorkingDay} }
	req := Material{Required: true}
	el := Material{Required: true, ELicenseType: "id_card"}
	sit := Material{Condition: `x == "y"`}
	items := []*Item{
		mk(License, true, 4, 0, Promised, wd(8000), wd(1400), req, el, sit),
		mk(License, true, 3, 1, ReviewApprove, wd(600), wd(120), req, el),
		mk(PublicService, false, 2, 2, Immediate, Limit{Days: 42, Unit: CalendarDay}, wd(0), req),
		mk(Benefit, true, 1, 1, Immediate, wd(30), wd(0), el, el, el, req),
	}
	m := ComputeMetrics(items)
	// Σlegal = 8000 + 600 + 42×5/7 + 30 = 8660; Σpromised = 1520.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"legal days", m.LegalDays, 8660},
		{"promised days", m.PromisedDays, 1520},
		{"compression %", m.CompressionPct, 82.44},
		{"in-hall rate", m.InHallRate, 0.75},
		{"online rate (depth ≥ 3)", m.OnlineRate, 0.5},
		{"fully online rate", m.FullyOnlineRate, 0.25},
		{"immediate share", m.ImmediateShare, 0.5},
		{"zero-trip share", m.ZeroTripShare, 0.25},
		{"≤ 1-trip share", m.OneTripShare, 0.75},
		{"average materials", m.AvgMaterials, 10.0 / 4},
		{"average required materials", m.AvgRequiredMaterials, 9.0 / 4},
		{"e-license materials", float64(m.ELicenseMaterials), 5},
		{"e-license %", m.ELicensePct, 50},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if m.ByKind[0].Kind != License || m.ByKind[0].Count != 2 || m.Items != 4 {
		t.Errorf("by kind: got %+v, items %d", m.ByKind[0], m.Items)
	}
	if empty := ComputeMetrics(nil); empty.CompressionRate != 0 || empty.AvgMaterials != 0 {
		t.Errorf("empty catalog: got %+v", empty)
	}
}

func TestMetricsPerRegionAndDepartment(t *testing.T) {
	d := dbtest.SQLite(t)
	svc, orgs, _ := mustSeeded(t, d)
	ctx := context.Background()
	all := mustMetrics(t, svc, "990121", 0)
	items, _ := DemoItems()
	if all.Items != len(items) {
		t.Errorf("region items: got %d, want %d", all.Items, len(items))
	}
	if other := mustMetrics(t, svc, "990122", 0); other.Items != 0 {
		t.Errorf("东山县 has %d items, want 0", other.Items)
	}
	city := mustMetrics(t, svc, "990100", 0)
	if city.Items != all.Items {
		t.Errorf("city includes counties: got %d, want %d", city.Items, all.Items)
	}
	police := mustMetrics(t, svc, "990121", orgs["示范县公安局"])
	if police.Items != 6 || police.Org != "示范县公安局" {
		t.Errorf("公安局: got %d items (%q), want 6", police.Items, police.Org)
	}
	sum := 0
	byOrg, err := svc.MetricsByOrg(ctx, "990121")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range byOrg {
		sum += m.Items
	}
	if sum != all.Items {
		t.Errorf("departments add up to %d, want %d", sum, all.Items)
	}
	t.Logf("demo catalog: %d items, 进驻率 %.2f%%, 网上可办率 %.2f%%, 全程网办率 %.2f%%, 即办件 %.2f%%, 时限压缩率 %.2f%% (%.1f → %.1f), 平均材料 %.1f",
		all.Items, all.InHallPct, all.OnlinePct, all.FullyOnlinePct, all.ImmediatePct, all.CompressionPct, all.LegalDays, all.PromisedDays, all.AvgMaterials)
}
