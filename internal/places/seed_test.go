package places_test

import (
	"context"
	"database/sql"
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/ids"
)

// demoOrgNames are the organizations the common brief promises, by exact name.
var demoOrgNames = []string{
	"示范县行政审批服务局", "示范县市场监督管理局", "示范县自然资源局", "示范县住房和城乡建设局", "国家税务总局示范县税务局",
	"示范县人力资源和社会保障局", "示范县医疗保障局", "示范县公安局", "示范县民政局", "示范县卫生健康局", "示范市生态环境局示范县分局",
	"示范县发展和改革局", "示范县交通运输局", "示范县残疾人联合会", "示范县不动产登记中心", "国网示范县供电公司",
	"示范县自来水有限公司", "示范县燃气有限公司", "示范县热力有限公司", "中国工商银行示范县支行",
}

func TestSeedDemoIsCompleteAndIdempotent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		tables := []string{"regions", "orgs", "halls", "service_areas", "windows", "window_scopes", "window_authorizations", "window_authorization_scopes", "audit_events"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = count(t, d, tb)
		}
		// A second run, a year later, in a transaction passed by the caller.
		var again places.Demo
		err := d.Tx(context.Background(), func(tx *sql.Tx) error {
			var err error
			again, err = places.SeedDemo(context.Background(), tx, testNow.AddDate(1, 0, 0))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if got := count(t, d, tb); got != before[tb] {
				t.Errorf("%s after a second seed: got %d rows, want %d", tb, got, before[tb])
			}
		}
		if again.HallID != e.demo.HallID || again.Windows["A01"] != e.demo.Windows["A01"] || again.Orgs["示范县公安局"] != e.demo.Orgs["示范县公安局"] {
			t.Fatalf("second seed returned other ids: %+v vs %+v", again, e.demo)
		}
		if before["regions"] != 8 || before["orgs"] != 20 {
			t.Fatalf("got %d regions and %d orgs, want 8 and 20", before["regions"], before["orgs"])
		}
		for _, name := range demoOrgNames {
			o, err := e.s.OrgByName(e.ctx, places.DemoCounty, name)
			if err != nil || o.ID != e.demo.Orgs[name] {
				t.Errorf("org %s: got %+v, %v", name, o, err)
				continue
			}
			if err := ids.ValidateUSCC(o.USCC); err != nil {
				t.Errorf("org %s: USCC %s: %v", name, o.USCC, err)
			}
		}
		windows, err := e.s.ListWindows(e.ctx, nil, places.WindowFilter{HallID: e.demo.HallID})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[places.WindowKind]int{}
		for _, w := range windows {
			kinds[w.Kind]++
		}
		if len(windows) < 8 || kinds[places.WindowComprehensive] < 4 || kinds[places.WindowHandout] != 1 || kinds[places.WindowAssisted] != 1 ||
			kinds[places.WindowGreen] != 1 || kinds[places.WindowSingle] != 1 {
			t.Fatalf("county hall windows by kind: got %v of %d", kinds, len(windows))
		}
		areas, err := e.s.ListAreas(e.ctx, nil, e.demo.HallID)
		if err != nil || len(areas) != 4 {
			t.Fatalf("county hall areas: got %d, %v; want 4", len(areas), err)
		}
		if e.demo.TownshipHallID == 0 || e.demo.VillageStationID == 0 || len(e.demo.TownshipWindows) == 0 || len(e.demo.VillageWindows) == 0 {
			t.Fatalf("township and village halls missing: %+v", e.demo)
		}
		res, err := audit.Verify(e.ctx, d.R, "")
		if err != nil || len(res.Broken) != 0 || res.Events == 0 {
			t.Fatalf("audit after seed: got %+v, %v; want intact chains", res, err)
		}
		police, err := e.s.AuthorizationFor(e.ctx, e.demo.Windows["B01"], "", "公安户籍", "2027-06-01")
		if err != nil || police.OrgID != e.demo.Orgs["示范县公安局"] {
			t.Fatalf("B01 公安户籍: got %+v, %v", police, err)
		}
	})
}

func TestDemoUSCCIsValid(t *testing.T) {
	for _, tc := range []struct{ category, code8 string }{{"11", "99121001"}, {"12", "99121015"}, {"91", "MA991205"}, {"13", "00000000"}} {
		got := places.DemoUSCC(tc.category, places.DemoCounty, tc.code8)
		if err := ids.ValidateUSCC(got); err != nil || len(got) != 18 || got[:8] != tc.category+places.DemoCounty {
			t.Errorf("DemoUSCC(%s, %s) = %s: %v", tc.category, tc.code8, got, err)
		}
	}
}
