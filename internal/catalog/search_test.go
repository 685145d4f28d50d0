package catalog

import (
	"context"
	"testing"

	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestSearchRanksTheRightItemFirst(t *testing.T) {
	d := dbtest.SQLite(t)
	svc, _, _ := mustSeeded(t, d)
	tests := []struct {
		q    string
		want string // item code
		top  int    // must rank within the first top hits
	}{
		{"开饭店", "0100002000-990121-01", 1},
		{"办营业执照", "0100001000-990121-01", 1},
		{"yyzz", "0100001000-990121-01", 1},
		{"房子过户", "0700002000-990121-01", 1},
		{"残疾证", "0700005000-990121-01", 1},
		{"开诊所", "1000006000-990121-01", 1},
		{"歇业", "1000001000-990121-01", 1},
		{"我要开饭店", "0100002000-990121-01", 1},
		{"ＹＹＺＺ", "0100001000-990121-01", 1},
		{"营业执找", "0100001000-990121-01", 3},
		{"生孩子", "0700003000-990121-01", 5}, // four birth items share the alias; the bundle will lead
		{"结婚", "0700004000-990121-01", 1},
		{"身份证丢了", "0700003002-990121-01", 1},
		{"公积金", "2000004000-990121-01", 1},
		{"怎么办理退休", "0500003000-990121-01", 1},
		{"接电", "2000005003-990121-01", 1},
		{"施工许可证", "0100004000-990121-01", 1},
		{"低保", "0500001000-990121-01", 1},
		{"sbk", "2000007000-990121-01", 3},
		{"刻章", "1000002000-990121-01", 1},
		{"二手房契税", "0400001000-990121-01", 1},
		{"项目立项", "1000003000-990121-01", 1},
		{"不动产登记申请书", "0700002000-990121-01", 3},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res, err := svc.Search(context.Background(), SearchQuery{Q: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, h := range res.Items {
				if i < 5 {
					got = append(got, h.Name)
				}
				if h.Code == tt.want && i < tt.top {
					return
				}
			}
			t.Errorf("%q: want %s within top %d, got %v", tt.q, tt.want, tt.top, got)
		})
	}
}

func TestBrowseEveryCategoryHasItems(t *testing.T) {
	d := dbtest.SQLite(t)
	svc, orgs, _ := mustSeeded(t, d)
	ctx := context.Background()
	f, err := svc.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, group := range [][]FacetCount{f.LifeEvents, f.Lifecycle, f.Kinds} {
		for _, c := range group {
			res, _ := svc.Search(ctx, SearchQuery{Event: c.Value})
			if group[0].Value == "license" {
				res, _ = svc.Search(ctx, SearchQuery{Kind: Kind(c.Value)})
			}
			if c.Count == 0 || res.Total != c.Count {
				t.Errorf("category %s: facet count %d, browse total %d", c.Label, c.Count, res.Total)
			}
		}
	}
	res, _ := svc.Search(ctx, SearchQuery{OrgID: orgs["示范县公安局"], Q: "户口"})
	for _, h := range res.Items {
		if h.Org != "示范县公安局" {
			t.Errorf("org filter let through %s of %s", h.Name, h.Org)
		}
	}
	if res.Total == 0 {
		t.Error("no 户口 item of 公安局")
	}
	if len(f.Departments) == 0 || len(f.Themes) == 0 {
		t.Errorf("departments %d themes %d, want some", len(f.Departments), len(f.Themes))
	}
}

func TestSynonymsChangeSearchImmediately(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, _, _ := mustSeeded(t, d)
		before, _ := svc.Search(ctx, SearchQuery{Q: "挂牌"})
		if before.Total != 0 {
			t.Fatalf("挂牌 matched %d items before the synonym", before.Total)
		}
		if err := svc.SetSynonym(ctx, Caller{Roles: []string{"clerk"}}, Synonym{Term: "挂牌", Expansions: []string{"企业设立"}}); err == nil {
			t.Error("clerk could set a synonym")
		}
		mustOK(t, svc.SetSynonym(ctx, admin, Synonym{Term: "挂牌", Expansions: []string{"企业设立"}}))
		after, _ := svc.Search(ctx, SearchQuery{Q: "挂牌"})
		if after.Total == 0 || after.Items[0].Code != "0100001000-990121-01" {
			t.Errorf("after synonym: got %+v", after.Items)
		}
	})
}
