package places_test

import (
	"testing"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/dbtest"
)

func TestWindowStaff(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a01, a02 := e.demo.Windows["A01"], e.demo.Windows["A02"]
		staff := mustUser(t, d, "clerk1", auth.KindStaff, places.DemoCounty)
		person := mustUser(t, d, "person1", auth.KindPerson, "")
		outsider := mustUser(t, d, "ds-clerk1", auth.KindStaff, places.DemoCounty2)
		for _, tc := range []struct {
			name   string
			window int64
			user   int64
			field  string
		}{
			{"an applicant account is refused", a01, person, "user_id"},
			{"staff of another county is refused", a01, outsider, "user_id"},
			{"an unknown user is named", a01, 99999, "user_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.AssignStaff(e.ctx, countyAdmin, tc.window, tc.user)
				wantField(t, err, tc.field)
			})
		}
		t.Run("an unknown window is not found", func(t *testing.T) {
			_, err := e.s.AssignStaff(e.ctx, countyAdmin, 99999, staff)
			wantIs(t, err, places.ErrWindowNotFound)
		})
		for _, tc := range []struct {
			name string
			p    *auth.Principal
			want error
		}{
			{"a clerk cannot assign", clerk, auth.ErrForbidden},
			{"a catalog admin cannot assign", catalogAdmin, auth.ErrForbidden},
			{"东山县 admin is out of scope", dongshanAdmin, auth.ErrOutOfScope},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.s.AssignStaff(e.ctx, tc.p, a01, staff)
				wantIs(t, err, tc.want)
			})
		}
		for _, w := range []int64{a01, a02, a01} {
			if _, err := e.s.AssignStaff(e.ctx, countyAdmin, w, staff); err != nil {
				t.Fatalf("assign to %d: %v", w, err)
			}
		}
		if got := events(t, d, "window/"+itoa(a01)); len(got) != 2 || got[1] != "window.staff.assign" {
			t.Fatalf("A01 stream: got %v, want create then one assign (a repeated assign is a no-op)", got)
		}
		ws, err := e.s.WindowsOfUser(e.ctx, staff)
		if err != nil || len(ws) != 2 || ws[0].Number != "A01" || ws[1].Number != "A02" || ws[0].Domains[0] != "商事登记" {
			t.Fatalf("WindowsOfUser: got %+v, %v; want A01 and A02", ws, err)
		}
		list, err := e.s.ListStaff(e.ctx, clerk, a01)
		if err != nil || len(list) != 1 || list[0].Login != "clerk1" {
			t.Fatalf("ListStaff: got %+v, %v", list, err)
		}
		_, err = e.s.ListStaff(e.ctx, dongshanClerk, a01)
		wantIs(t, err, auth.ErrOutOfScope)
		_, err = e.s.ListStaff(e.ctx, nil, a01)
		wantIs(t, err, auth.ErrUnauthenticated)
		if err := e.s.UnassignStaff(e.ctx, countyAdmin, a01, staff); err != nil {
			t.Fatal(err)
		}
		wantIs(t, e.s.UnassignStaff(e.ctx, countyAdmin, a01, staff), places.ErrStaffNotFound)
		if ws, _ := e.s.WindowsOfUser(e.ctx, staff); len(ws) != 1 || ws[0].Number != "A02" {
			t.Fatalf("after unassign: got %+v, want A02 only", ws)
		}
	})
}
