package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

// seedCatalog inserts 示范县, one org and one published item.
func seedCatalog(t *testing.T, d *db.DB) *catalog.Service {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	for _, r := range [][4]string{{"990000", "示范省", "province", ""}, {"990100", "示范市", "city", "990000"}, {"990121", "示范县", "county", "990100"}} {
		var parent any
		if r[3] != "" {
			parent = r[3]
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO regions (code, name, level, parent_code, created_at) VALUES ($1, $2, $3, $4, $5)`, r[0], r[1], r[2], parent, at); err != nil {
			t.Fatal(err)
		}
	}
	var org int64
	if err := d.W.QueryRowContext(ctx, `INSERT INTO orgs (name, uscc, region_code, kind, created_at, updated_at) VALUES ('示范县市场监督管理局', 'USCC00000000000001', '990121', 'department', $1, $1) RETURNING id`, at).Scan(&org); err != nil {
		t.Fatal(err)
	}
	svc := catalog.NewService(d, clock.NewFrozen(at))
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fee := catalog.Limit{Days: 5, Unit: catalog.WorkingDay}
	it := catalog.Item{Code: "0100004000-990121-01", Name: "食品经营许可", Kind: catalog.License, Level: "county", OrgID: org, RegionCode: "990121", Domain: "卫生健康",
		InHall: true, HallPlaces: []string{"综合窗口"}, LegalBasis: []catalog.LegalBasis{{Law: "中华人民共和国食品安全法", Article: "第三十五条", Text: "从事食品生产、食品销售、餐饮服务，应当依法取得许可。"}},
		Conditions: []string{"有与经营品种相适应的场所"}, Remedies: catalog.Remedies{Reconsideration: "示范县人民政府", Litigation: "示范县人民法院"},
		LegalLimit: catalog.Limit{Days: 20, Unit: catalog.WorkingDay}, PromisedLimit: catalog.Limit{Days: 10, Unit: catalog.WorkingDay}, CaseType: catalog.Promised,
		Trips: 1, OnlineDepth: 3, Channels: []catalog.Channel{"window", "online"}, ServiceObjects: []string{"enterprise"}, Express: true,
		Fees: []catalog.Fee{{Name: "工本费", Standard: "不收费", Basis: "国家规定"}},
		Materials: []catalog.Material{{ID: "form", Name: "食品经营许可申请书", Kind: "form", Required: true},
			{ID: "lease", Name: "经营场所使用证明", Kind: "proof", Condition: `site == "rented"`, ELicenseType: "real_estate_cert", PendingAllowed: true}},
		Situations: []catalog.Situation{{ID: "site", Question: "经营场所是自有还是租赁？", Answers: []catalog.Answer{{ID: "own", Label: "自有"}, {ID: "rented", Label: "租赁", PromisedLimit: &fee}}}},
		Contact:    catalog.Contact{ConsultPhone: "0999-12345", Hours: "工作日 9:00-17:00"}, FAQ: []catalog.FAQ{{Q: "可以网上办吗？", A: "可以。"}},
		Lifecycle: []string{"准营"}, Keywords: []string{"开饭店"}}
	if _, err := svc.Create(ctx, catalog.System, it); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := svc.Submit(ctx, catalog.System, it.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, catalog.System, it.Code); err != nil {
		t.Fatal(err)
	}
	return svc
}

// guideJSON is an item's content without its version metadata.
func guideJSON(t *testing.T, it *catalog.Item) string {
	c := *it
	c.Version, c.State, c.Status, c.ChangeNote, c.PublishedAt, c.UpdatedAt = 0, "", "", "", nil, time.Time{}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// export → import round-trips: the imported working version has exactly
// the content of the published one; a broken workbook prints every error
// with its cell, exits non-zero and writes nothing.
func TestImportExportItemsRoundTrip(t *testing.T) {
	for engine, url := range dbURLs(t) {
		t.Run(engine, func(t *testing.T) {
			if code, _, stderr := cli(t, url, "migrate"); code != 0 {
				t.Fatalf("migrate: %s", stderr)
			}
			d := dbtest.Open(t, url)
			seedCatalog(t, d)
			dir := t.TempDir()
			file := filepath.Join(dir, "items.xlsx")
			if code, stdout, stderr := cli(t, url, "export", "items", file, "--region", "990121"); code != 0 || !strings.Contains(stdout, "已导出") {
				t.Fatalf("export: %d %s %s", code, stdout, stderr)
			}
			good, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			broken := filepath.Join(dir, "broken.xlsx")
			f, err := excelize.OpenReader(bytes.NewReader(good))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(catalog.SheetItems)
			for i, h := range rows[0] {
				cell, _ := excelize.CoordinatesToCellName(i+1, 2)
				switch h {
				case "实施主体":
					_ = f.SetCellValue(catalog.SheetItems, cell, "不存在的管理局")
				case "网上办理深度":
					_ = f.SetCellValue(catalog.SheetItems, cell, "很深")
				}
			}
			if err := f.SaveAs(broken); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := cli(t, url, "import", "items", broken)
			if code != 1 || !strings.Contains(stderr, "实施主体") || !strings.Contains(stderr, "网上办理深度") || !strings.Contains(stderr, "事项!") {
				t.Fatalf("broken import: exit %d %q %q, want 1 with both cells", code, stdout, stderr)
			}
			if n := strings.Count(stderr, "不存在的管理局"); n != 1 {
				t.Errorf("broken import: the unknown org is reported %d times, want once: %s", n, stderr)
			}
			ctx := context.Background()
			svc := catalog.NewService(d, clock.Wall{})
			if err := svc.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if list, _ := svc.AdminList(ctx, catalog.System); len(list) != 1 || list[0].WorkingVersion != 0 {
				t.Fatalf("after broken import: %+v, want no new version", list)
			}
			if code, stdout, stderr := cli(t, url, "import", "items", file, "--submit"); code != 0 || !strings.Contains(stdout, "更新 1 项") {
				t.Fatalf("good import: %d %q %q", code, stdout, stderr)
			}
			pub, err := svc.Version(ctx, catalog.System, "0100004000-990121-01", 1)
			if err != nil {
				t.Fatal(err)
			}
			work, err := svc.Working(ctx, catalog.System, "0100004000-990121-01")
			if err != nil || work.Version != 2 || work.State != catalog.StateReview {
				t.Fatalf("imported version %+v %v, want version 2 under review", work, err)
			}
			if a, b := guideJSON(t, pub), guideJSON(t, work); a != b {
				t.Fatalf("round trip changed the item:\nexported %s\nimported %s", a, b)
			}
			if code, _, stderr := cli(t, url, "import", "items"); code != 2 || !strings.Contains(stderr, "用法") {
				t.Fatalf("import without file: %d %s, want usage error", code, stderr)
			}
		})
	}
}
