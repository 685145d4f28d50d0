package places_test

import (
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/ids"
)

func TestCreateRegionRejectsBadInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		before := count(t, d, "regions")
		for _, tc := range []struct {
			name  string
			in    places.Region
			field string
			sub   string
		}{
			{"five digits is not a region code", places.Region{Code: "99012", Name: "甲"}, "code", "6 位"},
			{"letters are not a region code", places.Region{Code: "99012A", Name: "甲"}, "code", "数字"},
			{"empty code is named", places.Region{Name: "甲"}, "code", "请填写"},
			{"empty name is named", places.Region{Code: "990123"}, "name", "名称"},
			{"level must match the code", places.Region{Code: "990123", Name: "甲", Level: ids.City}, "level", "县级"},
			{"unknown level", places.Region{Code: "990123", Name: "甲", Level: "district"}, "level", "级别应为"},
			{"unknown parent is named", places.Region{Code: "990199001", Name: "甲镇"}, "parent_code", "990199"},
			{"explicit unknown parent is named", places.Region{Code: "990123", Name: "甲", ParentCode: "980100"}, "parent_code", "980100"},
			{"township under a city is refused", places.Region{Code: "990121003", Name: "甲镇", ParentCode: places.DemoCity}, "parent_code", "市级"},
			{"village under a county is refused", places.Region{Code: "990121003001", Name: "甲村", ParentCode: places.DemoCounty}, "parent_code", "县级"},
			{"code outside the parent", places.Region{Code: "980123", Name: "甲", ParentCode: places.DemoCity}, "code", "代码范围"},
			{"duplicate code names the existing region", places.Region{Code: places.DemoCounty, Name: "甲"}, "code", "示范县"},
			{"province has no parent", places.Region{Code: "980000", Name: "甲省", ParentCode: places.DemoProvince}, "parent_code", "没有上级"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.CreateRegion(e.ctx, globalAdmin, tc.in)
				wantFieldMsg(t, err, tc.field, tc.sub)
			})
		}
		if got := count(t, d, "regions"); got != before {
			t.Fatalf("regions after rejected creates: got %d, want %d", got, before)
		}
	})
}

func TestCreateRegionFillsLevelAndParent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range []struct {
			name       string
			in         places.Region
			wantLevel  ids.RegionLevel
			wantParent string
		}{
			{"township under its county", places.Region{Code: "990121003", Name: "新城街道"}, ids.Township, places.DemoCounty},
			{"village under the new township", places.Region{Code: "990121003001", Name: "新城社区"}, ids.Village, "990121003"},
			{"county under its city", places.Region{Code: "990123", Name: "西山县"}, ids.County, places.DemoCity},
			{"county without a city hangs under the province", places.Region{Code: "990221", Name: "直管县"}, ids.County, places.DemoProvince},
			{"county directly under a named province", places.Region{Code: "990222", Name: "直管市", ParentCode: places.DemoProvince}, ids.County, places.DemoProvince},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r, err := e.s.CreateRegion(e.ctx, globalAdmin, tc.in)
				if err != nil {
					t.Fatalf("CreateRegion: %v", err)
				}
				if r.Level != tc.wantLevel || r.ParentCode != tc.wantParent {
					t.Fatalf("got level %s parent %s, want %s %s", r.Level, r.ParentCode, tc.wantLevel, tc.wantParent)
				}
				got, err := e.s.Region(e.ctx, nil, tc.in.Code)
				if err != nil || got.Name != tc.in.Name || got.ParentCode != tc.wantParent {
					t.Fatalf("stored: got %+v, %v", got, err)
				}
				if ev := lastEvent(t, d, "region/"+tc.in.Code); ev.Action != "region.create" || ev.Role != "admin" || ev.ActorID != globalAdmin.UserID {
					t.Fatalf("audit: got %s by %s/%d, want region.create by admin/%d", ev.Action, ev.Role, ev.ActorID, globalAdmin.UserID)
				}
			})
		}
	})
}

func TestRegionWritesAreScoped(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		town := places.Region{Code: "990121003", Name: "新城街道"}
		for _, tc := range []struct {
			name string
			p    *auth.Principal
			want error
		}{
			{"anonymous must log in", nil, auth.ErrUnauthenticated},
			{"a clerk may not", clerk, auth.ErrForbidden},
			{"a catalog admin may not", catalogAdmin, auth.ErrForbidden},
			{"东山县 admin is out of scope", dongshanAdmin, auth.ErrOutOfScope},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.CreateRegion(e.ctx, tc.p, town)
				wantIs(t, err, tc.want)
				_, err = e.s.UpdateRegion(e.ctx, tc.p, places.Region{Code: places.DemoTownship, Name: "改名"})
				wantIs(t, err, tc.want)
			})
		}
		t.Run("county admin creates a township of its county", func(t *testing.T) {
			if _, err := e.s.CreateRegion(e.ctx, countyAdmin, town); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("city admin renames inside its city", func(t *testing.T) {
			r, err := e.s.UpdateRegion(e.ctx, cityAdmin, places.Region{Code: "990121003", Name: "新城镇"})
			if err != nil || r.Name != "新城镇" || r.Level != ids.Township {
				t.Fatalf("got %+v, %v", r, err)
			}
			if got := events(t, d, "region/990121003"); len(got) != 2 || got[1] != "region.update" {
				t.Fatalf("audit: got %v, want create then update", got)
			}
		})
		t.Run("level cannot change", func(t *testing.T) {
			_, err := e.s.UpdateRegion(e.ctx, globalAdmin, places.Region{Code: "990121003", Name: "新城镇", Level: ids.County})
			wantField(t, err, "level")
		})
		t.Run("a region with children cannot be deleted", func(t *testing.T) {
			wantIs(t, e.s.DeleteRegion(e.ctx, globalAdmin, places.DemoTownship), places.ErrInUse)
		})
		t.Run("an unused region is deleted and audited", func(t *testing.T) {
			if err := e.s.DeleteRegion(e.ctx, countyAdmin, "990121003"); err != nil {
				t.Fatal(err)
			}
			_, err := e.s.Region(e.ctx, nil, "990121003")
			wantIs(t, err, places.ErrRegionNotFound)
			if got := events(t, d, "region/990121003"); got[len(got)-1] != "region.delete" {
				t.Fatalf("audit: got %v", got)
			}
		})
	})
}

func TestRegionQueries(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		codes := func(rs []places.Region) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Code)
			}
			return out
		}
		desc, err := e.s.Descendants(e.ctx, places.DemoCounty)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := codes(desc), []string{"990121001", "990121001001", "990121002", "990121002001"}; !equal(got, want) {
			t.Fatalf("Descendants(示范县): got %v, want %v", got, want)
		}
		anc, err := e.s.Ancestors(e.ctx, places.DemoVillage)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := codes(anc), []string{"990000", "990100", "990121", "990121001"}; !equal(got, want) {
			t.Fatalf("Ancestors(东关社区): got %v, want %v", got, want)
		}
		kids, err := e.s.ListRegions(e.ctx, nil, places.RegionFilter{Parent: places.DemoCity})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := codes(kids), []string{"990121", "990122"}; !equal(got, want) {
			t.Fatalf("children of 示范市: got %v, want %v", got, want)
		}
		scope, err := e.s.ScopeRegions(e.ctx, clerk)
		if err != nil || len(scope) != 5 || scope[0].Code != places.DemoCounty {
			t.Fatalf("ScopeRegions(clerk of 示范县): got %v, %v; want 示范县 and its 4 sub-regions", codes(scope), err)
		}
		_, err = e.s.ScopeRegions(e.ctx, applicant)
		wantIs(t, err, auth.ErrForbidden)
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
