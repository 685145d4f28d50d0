package catalog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
)

var t0 = time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC) // Monday 09:00 in Shanghai

// demoOrgs are the foundation seed's organizations of 示范县.
var demoOrgs = []string{"示范县行政审批服务局", "示范县市场监督管理局", "示范县自然资源局", "示范县住房和城乡建设局", "国家税务总局示范县税务局",
	"示范县人力资源和社会保障局", "示范县医疗保障局", "示范县公安局", "示范县民政局", "示范县卫生健康局", "示范市生态环境局示范县分局",
	"示范县发展和改革局", "示范县交通运输局", "示范县残疾人联合会", "示范县不动产登记中心", "国网示范县供电公司",
	"示范县自来水有限公司", "示范县燃气有限公司", "示范县热力有限公司", "中国工商银行示范县支行"}

// mustRegionsAndOrgs inserts the demo regions and orgs into the foundation
// tables and returns org ids by name.
func mustRegionsAndOrgs(t testing.TB, d *db.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	regions := [][4]string{{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"},
		{"990121", "示范县", "county", "990100"}, {"990122", "东山县", "county", "990100"}}
	for _, r := range regions {
		var parent any
		if r[3] != "" {
			parent = r[3]
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`,
			r[0], r[1], r[2], parent, t0); err != nil {
			t.Fatalf("insert region %s: %v", r[0], err)
		}
	}
	ids := map[string]int64{}
	for i, name := range append(append([]string{}, demoOrgs...), "东山县市场监督管理局") {
		region := "990121"
		if name == "东山县市场监督管理局" {
			region = "990122"
		}
		var id int64
		err := d.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at) VALUES ($1, $2, $3, 'department', $4, $4) RETURNING id`,
			name, fmt.Sprintf("USCC%014d", i), region, t0).Scan(&id)
		if err != nil {
			t.Fatalf("insert org %s: %v", name, err)
		}
		ids[name] = id
	}
	return ids
}

func lookup(ids map[string]int64) func(string) (int64, error) {
	return func(name string) (int64, error) {
		id, ok := ids[name]
		if !ok {
			return 0, fmt.Errorf("unknown org %q", name)
		}
		return id, nil
	}
}

// mustService returns a started service over d with orgs and a frozen clock.
func mustService(t testing.TB, d *db.DB) (*Service, map[string]int64, *clock.Sim) {
	t.Helper()
	orgs := mustRegionsAndOrgs(t, d)
	clk := clock.NewFrozen(t0)
	svc := NewService(d, clk)
	if err := svc.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	return svc, orgs, clk
}

// mustSeeded returns a service with the demo catalog published.
func mustSeeded(t testing.TB, d *db.DB) (*Service, map[string]int64, *clock.Sim) {
	t.Helper()
	svc, orgs, clk := mustService(t, d)
	if _, err := SeedDemo(context.Background(), svc, lookup(orgs), t0); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	return svc, orgs, clk
}

var admin = Caller{UserID: 0, Roles: []string{RoleCatalogAdmin}, RegionCode: "990121"}

// sampleItem is a small valid item for lifecycle tests.
func sampleItem(orgID int64) Item {
	return Item{
		Code: "0100009000-990121-01", Name: "测试许可事项", Kind: License, OrgID: orgID, RegionCode: "990121", Domain: "综合",
		LegalBasis: []LegalBasis{{Law: "中华人民共和国行政许可法", Article: "第十二条"}},
		Remedies:   Remedies{Reconsideration: "示范县人民政府", Litigation: "示范县人民法院"},
		LegalLimit: Limit{Days: 20}, PromisedLimit: Limit{Days: 5}, CaseType: Promised, Process: BuiltinTemplate(TemplatePromised),
		Trips: 1, OnlineDepth: 3, Channels: []Channel{"window"}, ServiceObjects: []string{"person"},
		Materials: []Material{
			{ID: "form", Name: "申请表", Kind: "form", Required: true},
			{ID: "id", Name: "居民身份证", Kind: "certificate", Required: true, ELicenseType: "id_card"},
			{ID: "proxy", Name: "授权委托书", Kind: "proof", Condition: `agent == "yes"`},
		},
		Situations: []Situation{{ID: "agent", Question: "是否委托办理？", Answers: []Answer{{ID: "no", Label: "本人"}, {ID: "yes", Label: "委托"}}}},
	}
}

func mustItemsOf(t testing.TB, s *Service, region string) []*Item {
	t.Helper()
	items, err := s.ItemsOf(context.Background(), region)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func mustMetrics(t testing.TB, s *Service, region string, org int64) Metrics {
	t.Helper()
	m, err := s.Metrics(context.Background(), region, org)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
