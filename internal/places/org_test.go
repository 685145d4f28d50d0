package places_test

import (
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// newOrg is a valid organization not in the demo data.
func newOrg() places.Org {
	return places.Org{Name: "示范县统计局", ShortName: "统计局", USCC: places.DemoUSCC("11", places.DemoCounty, "99121099"),
		RegionCode: places.DemoCounty, Kind: places.OrgDepartment, Phone: "0990-6012099"}
}

// wrongCheck replaces the check character of a valid USCC with another valid character.
func wrongCheck(uscc string) string {
	c := byte('0')
	if uscc[17] == '0' {
		c = '1'
	}
	return uscc[:17] + string(c)
}

func TestCreateOrgRejectsBadInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		demoUSCC := places.DemoUSCC("11", places.DemoCounty, "99121002")
		before := count(t, d, "orgs")
		for _, tc := range []struct {
			name  string
			edit  func(o *places.Org)
			field string
			sub   string
		}{
			{"empty name", func(o *places.Org) { o.Name = " " }, "name", "单位名称"},
			{"wrong USCC check character", func(o *places.Org) { o.USCC = wrongCheck(o.USCC) }, "uscc", "校验码"},
			{"USCC with a forbidden letter", func(o *places.Org) { o.USCC = "11990121I99121099X" }, "uscc", "18 位"},
			{"USCC too short", func(o *places.Org) { o.USCC = "1199012199" }, "uscc", "18 位"},
			{"USCC already used names the holder", func(o *places.Org) { o.USCC = demoUSCC }, "uscc", "示范县市场监督管理局"},
			{"unknown region code is named", func(o *places.Org) { o.RegionCode = "990199" }, "region_code", "990199"},
			{"malformed region code", func(o *places.Org) { o.RegionCode = "9901" }, "region_code", "6 位"},
			{"unknown kind lists the kinds", func(o *places.Org) { o.Kind = "ministry" }, "kind", "垂直管理部门"},
			{"missing kind", func(o *places.Org) { o.Kind = "" }, "kind", "单位类型"},
			{"phone with letters", func(o *places.Org) { o.Phone = "call me" }, "phone", "联系电话"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := newOrg()
				tc.edit(&o)
				_, err := e.s.CreateOrg(e.ctx, globalAdmin, o)
				wantFieldMsg(t, err, tc.field, tc.sub)
			})
		}
		t.Run("every failing field is reported at once", func(t *testing.T) {
			_, err := e.s.CreateOrg(e.ctx, globalAdmin, places.Org{USCC: "bad", RegionCode: "990199", Kind: "x"})
			for _, f := range []string{"name", "uscc", "region_code", "kind"} {
				wantField(t, err, f)
			}
		})
		if got := count(t, d, "orgs"); got != before {
			t.Fatalf("orgs after rejected creates: got %d, want %d", got, before)
		}
	})
}

func TestOrgLifecycleIsScopedAndAudited(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for _, tc := range []struct {
			name string
			p    *auth.Principal
			want error
		}{
			{"anonymous must log in", nil, auth.ErrUnauthenticated},
			{"a catalog admin may not", catalogAdmin, auth.ErrForbidden},
			{"东山县 admin cannot create in 示范县", dongshanAdmin, auth.ErrOutOfScope},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.CreateOrg(e.ctx, tc.p, newOrg())
				wantIs(t, err, tc.want)
			})
		}
		o, err := e.s.CreateOrg(e.ctx, countyAdmin, newOrg())
		if err != nil {
			t.Fatal(err)
		}
		if err := ids.ValidateUSCC(o.USCC); err != nil || o.ID == 0 {
			t.Fatalf("created %+v: %v", o, err)
		}
		t.Run("东山县 admin cannot edit a 示范县 org", func(t *testing.T) {
			o2 := o
			o2.Name = "改名"
			_, err := e.s.UpdateOrg(e.ctx, dongshanAdmin, o2)
			wantIs(t, err, auth.ErrOutOfScope)
		})
		t.Run("county admin cannot move an org out of its county", func(t *testing.T) {
			o2 := o
			o2.RegionCode = places.DemoCounty2
			_, err := e.s.UpdateOrg(e.ctx, countyAdmin, o2)
			wantIs(t, err, auth.ErrOutOfScope)
		})
		t.Run("update keeps its own USCC and is audited", func(t *testing.T) {
			o2 := o
			o2.ShortName = "统计"
			got, err := e.s.UpdateOrg(e.ctx, countyAdmin, o2)
			if err != nil || got.ShortName != "统计" {
				t.Fatalf("got %+v, %v", got, err)
			}
			ev := lastEvent(t, d, "org/"+itoa(o.ID))
			if ev.Action != "org.update" || !jsonHas(ev.Data, "before", "after") {
				t.Fatalf("audit: got %s %s", ev.Action, ev.Data)
			}
		})
		t.Run("anonymous reads the public list", func(t *testing.T) {
			list, err := e.s.ListOrgs(e.ctx, nil, places.OrgFilter{Region: places.DemoCounty, Kind: places.OrgUtility})
			if err != nil || len(list) != 4 {
				t.Fatalf("utilities of 示范县: got %d, %v; want 4", len(list), err)
			}
		})
		t.Run("OrgByName finds the exact name", func(t *testing.T) {
			got, err := e.s.OrgByName(e.ctx, places.DemoCounty, "示范县公安局")
			if err != nil || got.ID != e.demo.Orgs["示范县公安局"] {
				t.Fatalf("got %+v, %v", got, err)
			}
			_, err = e.s.OrgByName(e.ctx, places.DemoCounty, "示范县公安")
			wantIs(t, err, places.ErrOrgNotFound)
		})
		t.Run("an org that signed authorizations cannot be deleted", func(t *testing.T) {
			err := e.s.DeleteOrg(e.ctx, globalAdmin, e.demo.Orgs["示范县市场监督管理局"])
			wantIs(t, err, places.ErrInUse)
			if k := errs.KindOf(err); k != errs.Conflict {
				t.Fatalf("kind: got %s, want conflict", k)
			}
		})
		t.Run("an unused org is deleted", func(t *testing.T) {
			if err := e.s.DeleteOrg(e.ctx, countyAdmin, o.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.s.Org(e.ctx, nil, o.ID)
			wantIs(t, err, places.ErrOrgNotFound)
			if got := events(t, d, "org/"+itoa(o.ID)); len(got) != 3 || got[2] != "org.delete" {
				t.Fatalf("audit: got %v", got)
			}
		})
	})
}
