package places_test

import (
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestHallAndAreaValidation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range []struct {
			name  string
			in    places.Hall
			field string
			sub   string
		}{
			{"empty name", places.Hall{RegionCode: places.DemoTownship2}, "name", "大厅名称"},
			{"unknown region is named", places.Hall{Name: "甲", RegionCode: "990121009"}, "region_code", "990121009"},
			{"missing region", places.Hall{Name: "甲"}, "region_code", "行政区划"},
			{"bad phone", places.Hall{Name: "甲", RegionCode: places.DemoTownship2, Phone: "电话"}, "phone", "咨询电话"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.CreateHall(e.ctx, globalAdmin, tc.in)
				wantFieldMsg(t, err, tc.field, tc.sub)
			})
		}
		h, err := e.s.CreateHall(e.ctx, countyAdmin, places.Hall{Name: "河西乡便民服务中心", RegionCode: places.DemoTownship2, Hours: "周一至周五"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("东山县 admin cannot edit a 示范县 hall", func(t *testing.T) {
			h2 := h
			h2.Address = "改"
			_, err := e.s.UpdateHall(e.ctx, dongshanAdmin, h2)
			wantIs(t, err, auth.ErrOutOfScope)
		})
		t.Run("a catalog admin cannot create halls", func(t *testing.T) {
			_, err := e.s.CreateHall(e.ctx, catalogAdmin, places.Hall{Name: "甲", RegionCode: places.DemoTownship2})
			wantIs(t, err, auth.ErrForbidden)
		})
		for _, tc := range []struct {
			name  string
			in    places.ServiceArea
			field string
			sub   string
		}{
			{"area name taken in the hall", places.ServiceArea{HallID: e.demo.HallID, Name: "商事登记区"}, "name", "商事登记区"},
			{"unknown domain is named", places.ServiceArea{HallID: h.ID, Name: "甲区", Domain: "外交"}, "domain", "外交"},
			{"empty name", places.ServiceArea{HallID: h.ID}, "name", "服务区名称"},
			{"unknown hall", places.ServiceArea{HallID: 99999, Name: "甲区"}, "hall_id", "99999"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.CreateArea(e.ctx, globalAdmin, tc.in)
				wantFieldMsg(t, err, tc.field, tc.sub)
			})
		}
		a, err := e.s.CreateArea(e.ctx, countyAdmin, places.ServiceArea{HallID: h.ID, Name: "综合区", Domain: "综合"})
		if err != nil {
			t.Fatal(err)
		}
		if got := events(t, d, "hall/"+itoa(h.ID)); !equal(got, []string{"hall.create", "area.create"}) {
			t.Fatalf("hall stream: got %v", got)
		}
		t.Run("a hall with areas cannot be deleted", func(t *testing.T) {
			wantIs(t, e.s.DeleteHall(e.ctx, globalAdmin, h.ID), places.ErrInUse)
		})
		t.Run("areas and then the hall are deleted", func(t *testing.T) {
			if err := e.s.DeleteArea(e.ctx, countyAdmin, a.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.s.DeleteHall(e.ctx, countyAdmin, h.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.s.Hall(e.ctx, nil, h.ID)
			wantIs(t, err, places.ErrHallNotFound)
		})
	})
}

func TestCreateWindowRejectsBadInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		valid := func() places.Window {
			return places.Window{HallID: e.demo.HallID, AreaID: e.demo.Areas["商事登记区"], Number: "A09", Kind: places.WindowComprehensive, Domains: []string{"商事登记"}}
		}
		before := count(t, d, "windows")
		for _, tc := range []struct {
			name  string
			edit  func(w *places.Window)
			field string
			sub   string
		}{
			{"number taken in the hall", func(w *places.Window) { w.Number = "a01" }, "number", "A01"},
			{"empty number", func(w *places.Window) { w.Number = "" }, "number", "窗口编号"},
			{"number with spaces", func(w *places.Window) { w.Number = "A 9" }, "number", "字母、数字"},
			{"unknown kind lists the Chinese names", func(w *places.Window) { w.Kind = "vip" }, "kind", "帮办代办窗口"},
			{"area of another hall", func(w *places.Window) {
				w.AreaID = 0
				w.HallID = e.demo.TownshipHallID
				w.AreaID = e.demo.Areas["商事登记区"]
			}, "area_id", "不属于"},
			{"single-department window needs its department", func(w *places.Window) { w.Kind = places.WindowSingle }, "org_id", "专业窗口"},
			{"comprehensive window needs a domain", func(w *places.Window) { w.Domains = nil }, "domains", "综合窗口"},
			{"unknown domain is named", func(w *places.Window) { w.Domains = []string{"商事登记", "外交"} }, "domains", "外交"},
			{"bad item code", func(w *places.Window) { w.Items = []string{"甲 1"} }, "items", "事项编码"},
			{"unknown org", func(w *places.Window) { w.OrgID = 99999 }, "org_id", "99999"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := valid()
				tc.edit(&w)
				_, err := e.s.CreateWindow(e.ctx, globalAdmin, w)
				wantFieldMsg(t, err, tc.field, tc.sub)
			})
		}
		if got := count(t, d, "windows"); got != before {
			t.Fatalf("windows after rejected creates: got %d, want %d", got, before)
		}
		t.Run("the same number is fine in another hall", func(t *testing.T) {
			w := valid()
			w.HallID, w.AreaID = e.demo.TownshipHallID, 0
			w.Number = "A01"
			if _, err := e.s.CreateWindow(e.ctx, catalogAdmin, w); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestWindowWritesAreScoped(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := places.Window{HallID: e.demo.HallID, Number: "A09", Kind: places.WindowComprehensive, Domains: []string{"税务", "商事登记"}}
		for _, tc := range []struct {
			name string
			p    *auth.Principal
			want error
		}{
			{"anonymous must log in", nil, auth.ErrUnauthenticated},
			{"a clerk cannot create windows", clerk, auth.ErrForbidden},
			{"an applicant cannot create windows", applicant, auth.ErrForbidden},
			{"东山县 catalog admin is out of scope", dongshanCat, auth.ErrOutOfScope},
			{"东山县 admin is out of scope", dongshanAdmin, auth.ErrOutOfScope},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.CreateWindow(e.ctx, tc.p, w)
				wantIs(t, err, tc.want)
				_, err = e.s.UpdateWindow(e.ctx, tc.p, places.Window{ID: e.demo.Windows["A01"], Number: "A01", Kind: places.WindowComprehensive, Domains: []string{"税务"}})
				wantIs(t, err, tc.want)
			})
		}
		got, err := e.s.CreateWindow(e.ctx, catalogAdmin, w)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Active || !equal(got.Domains, []string{"商事登记", "税务"}) {
			t.Fatalf("created: got active %v domains %v, want active with domains in list order", got.Active, got.Domains)
		}
		t.Run("update deactivates and is audited", func(t *testing.T) {
			up := got
			up.Active = false
			up.Name = "临时窗口"
			if _, err := e.s.UpdateWindow(e.ctx, catalogAdmin, up); err != nil {
				t.Fatal(err)
			}
			read, err := e.s.Window(e.ctx, nil, got.ID)
			if err != nil || read.Active || read.Name != "临时窗口" {
				t.Fatalf("stored: got %+v, %v", read, err)
			}
			if ev := events(t, d, "window/"+itoa(got.ID)); !equal(ev, []string{"window.create", "window.update"}) {
				t.Fatalf("audit: got %v", ev)
			}
		})
		t.Run("anonymous lists windows by domain", func(t *testing.T) {
			list, err := e.s.ListWindows(e.ctx, nil, places.WindowFilter{HallID: e.demo.HallID, Domain: "税务", ActiveOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			var nums []string
			for _, w := range list {
				nums = append(nums, w.Number)
			}
			if !equal(nums, []string{"A03", "A04", "A05"}) {
				t.Fatalf("active 税务 windows: got %v, want A03 A04 A05", nums)
			}
		})
		t.Run("a window with authorizations cannot be deleted", func(t *testing.T) {
			wantIs(t, e.s.DeleteWindow(e.ctx, globalAdmin, e.demo.Windows["A01"]), places.ErrInUse)
		})
		t.Run("a window without authorizations is deleted", func(t *testing.T) {
			if err := e.s.DeleteWindow(e.ctx, catalogAdmin, got.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.s.Window(e.ctx, nil, got.ID)
			wantIs(t, err, places.ErrWindowNotFound)
		})
	})
}
