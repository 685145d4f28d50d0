package places_test

import (
	"strings"
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
	"banhao.dev/banhao/internal/platform/errs"
)

// newWindow creates an empty comprehensive window in the county hall, so
// authorization tests start from no authorizations.
func newWindow(t *testing.T, e env, number string) int64 {
	t.Helper()
	w, err := e.s.CreateWindow(e.ctx, globalAdmin, places.Window{HallID: e.demo.HallID, Number: number, Kind: places.WindowComprehensive, Domains: []string{"商事登记", "税务"}})
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func TestCreateAuthorizationRejectsBadInput(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		win := newWindow(t, e, "A20")
		market := e.demo.Orgs["示范县市场监督管理局"]
		valid := func() places.Authorization {
			return places.Authorization{WindowID: win, OrgID: market, DocNo: "示市监授〔2026〕9号", CanAccept: true,
				ValidFrom: "2026-01-01", ValidTo: "2026-12-31", Domains: []string{"商事登记"}}
		}
		outside, err := e.s.CreateOrg(e.ctx, globalAdmin, places.Org{Name: "东山县市场监督管理局", USCC: places.DemoUSCC("11", places.DemoCounty2, "99122002"),
			RegionCode: places.DemoCounty2, Kind: places.OrgDepartment})
		if err != nil {
			t.Fatal(err)
		}
		before := count(t, d, "window_authorizations")
		for _, tc := range []struct {
			name  string
			edit  func(a *places.Authorization)
			field string
			sub   string
		}{
			{"valid_to before valid_from", func(a *places.Authorization) { a.ValidFrom, a.ValidTo = "2026-06-01", "2026-05-31" }, "valid_to", "早于"},
			{"malformed date is named", func(a *places.Authorization) { a.ValidFrom = "2026-02-30" }, "valid_from", "2026-02-30"},
			{"missing end date", func(a *places.Authorization) { a.ValidTo = "" }, "valid_to", "截止"},
			{"neither accept nor decide", func(a *places.Authorization) { a.CanAccept, a.CanDecide = false, false }, "can_accept", "受理"},
			{"no item and no domain", func(a *places.Authorization) { a.Domains, a.Items = nil, []string{" "} }, "items", "至少"},
			{"unknown domain is named", func(a *places.Authorization) { a.Domains = []string{"外交"} }, "domains", "外交"},
			{"bad item code", func(a *places.Authorization) { a.Items = []string{"11/22"} }, "items", "11/22"},
			{"missing signing department", func(a *places.Authorization) { a.OrgID = 0 }, "org_id", "授权部门"},
			{"unknown signing department", func(a *places.Authorization) { a.OrgID = 99999 }, "org_id", "99999"},
			{"department of another county", func(a *places.Authorization) { a.OrgID = outside.ID }, "org_id", "东山县市场监督管理局"},
			{"missing document number", func(a *places.Authorization) { a.DocNo = "" }, "doc_no", "文号"},
			{"unknown window", func(a *places.Authorization) { a.WindowID = 99999 }, "window_id", "99999"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := valid()
				tc.edit(&a)
				_, err := e.s.CreateAuthorization(e.ctx, catalogAdmin, a)
				wantFieldMsg(t, err, tc.field, tc.sub)
			})
		}
		if got := count(t, d, "window_authorizations"); got != before {
			t.Fatalf("authorizations after rejected creates: got %d, want %d", got, before)
		}
		if got := count(t, d, "window_authorization_scopes"); got != before {
			t.Fatalf("scopes after rejected creates: got %d, want %d (one per demo authorization)", got, before)
		}
	})
}

func TestOverlappingAuthorizationsAreRejected(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		win := newWindow(t, e, "A21")
		market, tax := e.demo.Orgs["示范县市场监督管理局"], e.demo.Orgs["国家税务总局示范县税务局"]
		first, err := e.s.CreateAuthorization(e.ctx, catalogAdmin, places.Authorization{WindowID: win, OrgID: market, DocNo: "示市监授〔2026〕5号",
			CanAccept: true, CanDecide: true, ValidFrom: "2026-01-01", ValidTo: "2026-06-30", Domains: []string{"商事登记"}, Items: []string{"MS-001"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name    string
			in      places.Authorization
			overlap bool
		}{
			{"same domain, dates overlapping by one day", places.Authorization{OrgID: market, ValidFrom: "2026-06-30", ValidTo: "2026-12-31", Domains: []string{"商事登记"}}, true},
			{"same item inside the period", places.Authorization{OrgID: market, ValidFrom: "2026-03-01", ValidTo: "2026-03-31", Items: []string{"MS-001"}}, true},
			{"period enclosing the existing one", places.Authorization{OrgID: market, ValidFrom: "2025-01-01", ValidTo: "2027-12-31", Domains: []string{"税务", "商事登记"}}, true},
			{"same domain starting the day after", places.Authorization{OrgID: market, ValidFrom: "2026-07-01", ValidTo: "2026-12-31", Domains: []string{"商事登记"}}, false},
			{"another domain in the same period", places.Authorization{OrgID: market, ValidFrom: "2026-01-01", ValidTo: "2026-06-30", Items: []string{"MS-002"}}, false},
			{"another department, same domain and period", places.Authorization{OrgID: tax, ValidFrom: "2026-01-01", ValidTo: "2026-06-30", Domains: []string{"商事登记"}}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := tc.in
				a.WindowID, a.DocNo, a.CanAccept = win, "测试〔2026〕1号", true
				got, err := e.s.CreateAuthorization(e.ctx, catalogAdmin, a)
				if !tc.overlap {
					if err != nil {
						t.Fatalf("non-overlapping authorization: got %v, want it accepted", err)
					}
					if _, err := e.s.RevokeAuthorization(e.ctx, catalogAdmin, got.ID, "测试后撤销"); err != nil {
						t.Fatal(err)
					}
					return
				}
				wantIs(t, err, places.ErrAuthorizationOverlap)
				ee, _ := errs.As(err)
				if ee.Kind != errs.Conflict || !strings.Contains(ee.Message, "示市监授〔2026〕5号") || ee.Extra["existing_id"] != first.ID {
					t.Fatalf("got %s %q extra %v, want a conflict naming authorization %d", ee.Kind, ee.Message, ee.Extra, first.ID)
				}
			})
		}
		t.Run("a revoked authorization no longer blocks", func(t *testing.T) {
			if _, err := e.s.RevokeAuthorization(e.ctx, catalogAdmin, first.ID, "机构调整"); err != nil {
				t.Fatal(err)
			}
			_, err := e.s.CreateAuthorization(e.ctx, catalogAdmin, places.Authorization{WindowID: win, OrgID: market, DocNo: "示市监授〔2026〕6号",
				CanAccept: true, ValidFrom: "2026-02-01", ValidTo: "2026-12-31", Domains: []string{"商事登记"}})
			if err != nil {
				t.Fatalf("after revoking: got %v, want accepted", err)
			}
		})
	})
}

func TestAuthorizationUpdateAndRevoke(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		win := newWindow(t, e, "A22")
		market := e.demo.Orgs["示范县市场监督管理局"]
		mk := func(doc, from, to string) places.Authorization {
			a, err := e.s.CreateAuthorization(e.ctx, catalogAdmin, places.Authorization{WindowID: win, OrgID: market, DocNo: doc,
				CanAccept: true, ValidFrom: from, ValidTo: to, Domains: []string{"商事登记"}})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		a1 := mk("甲〔2026〕1号", "2026-01-01", "2026-06-30")
		a2 := mk("甲〔2026〕2号", "2026-07-01", "2026-12-31")
		t.Run("an update may keep its own period", func(t *testing.T) {
			a := a1
			a.CanDecide = true
			got, err := e.s.UpdateAuthorization(e.ctx, catalogAdmin, a)
			if err != nil || !got.CanDecide {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
		t.Run("an update may not stretch into another", func(t *testing.T) {
			a := a1
			a.ValidTo = "2026-07-15"
			_, err := e.s.UpdateAuthorization(e.ctx, catalogAdmin, a)
			wantIs(t, err, places.ErrAuthorizationOverlap)
		})
		t.Run("revoking needs a reason", func(t *testing.T) {
			_, err := e.s.RevokeAuthorization(e.ctx, catalogAdmin, a2.ID, "  ")
			wantField(t, err, "reason")
		})
		t.Run("a clerk cannot revoke", func(t *testing.T) {
			_, err := e.s.RevokeAuthorization(e.ctx, clerk, a2.ID, "x")
			wantIs(t, err, auth.ErrForbidden)
		})
		t.Run("东山县 catalog admin cannot revoke", func(t *testing.T) {
			_, err := e.s.RevokeAuthorization(e.ctx, dongshanCat, a2.ID, "x")
			wantIs(t, err, auth.ErrOutOfScope)
		})
		t.Run("revoke records who, when and why", func(t *testing.T) {
			got, err := e.s.RevokeAuthorization(e.ctx, catalogAdmin, a2.ID, "部门收回授权")
			if err != nil {
				t.Fatal(err)
			}
			read, err := e.s.Authorization(e.ctx, clerk, a2.ID)
			if err != nil || read.RevokedAt == nil || !read.RevokedAt.Equal(testNow) || read.RevokedBy != catalogAdmin.UserID || read.RevokeReason != "部门收回授权" || got.Status(testDay) != "已撤销" {
				t.Fatalf("stored: got %+v, %v", read, err)
			}
			ev := lastEvent(t, d, "authorization/"+itoa(a2.ID))
			if ev.Action != "authorization.revoke" || ev.Role != "catalog_admin" || !strings.Contains(string(ev.Data), "部门收回授权") || !jsonHas(ev.Data, "before", "after", "reason") {
				t.Fatalf("audit: got %s by %s: %s", ev.Action, ev.Role, ev.Data)
			}
		})
		t.Run("a revoked authorization cannot be revoked or edited again", func(t *testing.T) {
			_, err := e.s.RevokeAuthorization(e.ctx, catalogAdmin, a2.ID, "再次")
			wantIs(t, err, places.ErrAuthorizationRevoked)
			_, err = e.s.UpdateAuthorization(e.ctx, catalogAdmin, a2)
			wantIs(t, err, places.ErrAuthorizationRevoked)
		})
		if got := events(t, d, "authorization/"+itoa(a1.ID)); !equal(got, []string{"authorization.create", "authorization.update"}) {
			t.Fatalf("audit of a1: got %v", got)
		}
	})
}

func TestAuthorizationReadsAreScoped(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		all, err := e.s.ListAuthorizations(e.ctx, clerk, places.AuthorizationFilter{})
		if err != nil || len(all) != e.demo.Authorizations {
			t.Fatalf("clerk of 示范县: got %d, %v; want all %d demo authorizations", len(all), err, e.demo.Authorizations)
		}
		for _, tc := range []struct {
			name string
			p    *auth.Principal
			want error
		}{
			{"anonymous must log in", nil, auth.ErrUnauthenticated},
			{"an applicant may not", applicant, auth.ErrForbidden},
			{"a 东山县 clerk is out of scope", dongshanClerk, auth.ErrOutOfScope},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.Authorization(e.ctx, tc.p, all[0].ID)
				wantIs(t, err, tc.want)
			})
		}
		t.Run("a 东山县 clerk lists none of 示范县", func(t *testing.T) {
			got, err := e.s.ListAuthorizations(e.ctx, dongshanClerk, places.AuthorizationFilter{})
			if err != nil || len(got) != 0 {
				t.Fatalf("got %d, %v; want none", len(got), err)
			}
			_, err = e.s.ListAuthorizations(e.ctx, dongshanClerk, places.AuthorizationFilter{Region: places.DemoCounty})
			wantIs(t, err, auth.ErrOutOfScope)
		})
		t.Run("filter by window and day", func(t *testing.T) {
			got, err := e.s.ListAuthorizations(e.ctx, countyAdmin, places.AuthorizationFilter{WindowID: e.demo.Windows["A08"], ValidOn: testDay})
			if err != nil || len(got) != 12 {
				t.Fatalf("A08 on %s: got %d, %v; want 12", testDay, len(got), err)
			}
			got, err = e.s.ListAuthorizations(e.ctx, countyAdmin, places.AuthorizationFilter{WindowID: e.demo.Windows["A08"], ValidOn: "2099-01-01"})
			if err != nil || len(got) != 0 {
				t.Fatalf("A08 in 2099: got %d, %v; want none", len(got), err)
			}
		})
	})
}

func TestAuthorizationForPicksByItemOrDomainAndDate(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		win := newWindow(t, e, "A23")
		market := e.demo.Orgs["示范县市场监督管理局"]
		create := func(doc, from, to string, decide bool, items, domains []string) places.Authorization {
			a, err := e.s.CreateAuthorization(e.ctx, catalogAdmin, places.Authorization{WindowID: win, OrgID: market, DocNo: doc,
				CanAccept: true, CanDecide: decide, ValidFrom: from, ValidTo: to, Items: items, Domains: domains})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		domainH1 := create("域上", "2026-01-01", "2026-06-30", false, nil, []string{"商事登记"})
		domainH2 := create("域下", "2026-07-01", "2026-12-31", true, nil, []string{"商事登记"})
		item := create("项", "2026-03-01", "2026-03-31", true, []string{"MS-001"}, nil)
		revoked := create("撤", "2026-01-01", "2026-12-31", true, []string{"TX-001"}, nil)
		if _, err := e.s.RevokeAuthorization(e.ctx, catalogAdmin, revoked.ID, "撤销"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name         string
			item, domain string
			day          string
			want         int64 // 0: none
		}{
			{"by domain in the first half", "MS-009", "商事登记", "2026-02-10", domainH1.ID},
			{"by domain on the last valid day", "", "商事登记", "2026-06-30", domainH1.ID},
			{"by domain in the second half", "", "商事登记", "2026-07-01", domainH2.ID},
			{"the item's own authorization wins over its domain", "MS-001", "商事登记", "2026-03-15", item.ID},
			{"by item code alone", "MS-001", "", "2026-03-01", item.ID},
			{"item authorization expired: falls back to the domain", "MS-001", "商事登记", "2026-04-01", domainH1.ID},
			{"item authorization expired, no domain given", "MS-001", "", "2026-04-01", 0},
			{"before any validity", "", "商事登记", "2025-12-31", 0},
			{"an uncovered domain", "", "税务", "2026-03-15", 0},
			{"a revoked authorization covers nothing", "TX-001", "", "2026-03-15", 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := e.s.AuthorizationFor(e.ctx, win, tc.item, tc.domain, tc.day)
				if tc.want == 0 {
					wantIs(t, err, places.ErrNoAuthorization)
					return
				}
				if err != nil || got.ID != tc.want {
					t.Fatalf("got authorization %d (%s), %v; want %d", got.ID, got.DocNo, err, tc.want)
				}
				if !got.ValidOn(tc.day) || !got.Covers(tc.item, tc.domain) {
					t.Fatalf("got %+v: not valid on %s or not covering %s/%s", got, tc.day, tc.item, tc.domain)
				}
			})
		}
		t.Run("a malformed day is named", func(t *testing.T) {
			_, err := e.s.AuthorizationFor(e.ctx, win, "MS-001", "", "2026/03/01")
			wantField(t, err, "day")
		})
		t.Run("demo: 市场监管局 lets A01 decide 商事登记 on the spot", func(t *testing.T) {
			got, err := e.s.AuthorizationFor(e.ctx, e.demo.Windows["A01"], "", "商事登记", testDay)
			if err != nil || got.OrgID != market || !got.CanAccept || !got.CanDecide {
				t.Fatalf("got %+v, %v", got, err)
			}
			_, err = e.s.AuthorizationFor(e.ctx, e.demo.Windows["A01"], "", "不动产登记", testDay)
			wantIs(t, err, places.ErrNoAuthorization)
		})
	})
}
