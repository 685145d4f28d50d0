package places_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
)

// testNow is a Monday morning in Shanghai.
var testNow = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

const testDay = "2026-03-02"

var (
	globalAdmin   = &auth.Principal{UserID: 1, Login: "root", Roles: []auth.Role{auth.Admin}}
	countyAdmin   = &auth.Principal{UserID: 2, Login: "admin", Roles: []auth.Role{auth.Admin}, RegionCode: places.DemoCounty}
	dongshanAdmin = &auth.Principal{UserID: 3, Login: "ds-admin", Roles: []auth.Role{auth.Admin}, RegionCode: places.DemoCounty2}
	catalogAdmin  = &auth.Principal{UserID: 4, Login: "catalog", Roles: []auth.Role{auth.CatalogAdmin}, RegionCode: places.DemoCounty}
	dongshanCat   = &auth.Principal{UserID: 5, Login: "ds-catalog", Roles: []auth.Role{auth.CatalogAdmin}, RegionCode: places.DemoCounty2}
	clerk         = &auth.Principal{UserID: 6, Login: "clerk", Roles: []auth.Role{auth.Clerk}, RegionCode: places.DemoCounty}
	dongshanClerk = &auth.Principal{UserID: 7, Login: "ds-clerk", Roles: []auth.Role{auth.Clerk}, RegionCode: places.DemoCounty2}
	cityAdmin     = &auth.Principal{UserID: 8, Login: "city", Roles: []auth.Role{auth.Admin}, RegionCode: places.DemoCity}
	applicant     = &auth.Principal{UserID: 9, Login: "person", Kind: auth.KindPerson, Roles: []auth.Role{auth.Applicant}}
)

// env is a service on a database seeded with the demo places.
type env struct {
	ctx  context.Context
	d    *db.DB
	s    *places.Service
	demo places.Demo
}

func newEnv(t *testing.T, d *db.DB) env {
	t.Helper()
	ctx := context.Background()
	s := places.NewService(d, clock.NewFrozen(testNow))
	demo, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}
	return env{ctx: ctx, d: d, s: s, demo: demo}
}

// wantField fails unless err is a validation error naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.Invalid {
		t.Fatalf("got error %v, want an invalid-input error on field %q", err, field)
	}
	for _, f := range e.Fields {
		if f.Field == field {
			if f.Message == "" || !hasHan(f.Message) {
				t.Fatalf("field %q message %q: want a Chinese message", field, f.Message)
			}
			return
		}
	}
	t.Fatalf("got fields %+v, want one on %q", e.Fields, field)
}

// wantFieldMsg is wantField plus a substring of the field's message.
func wantFieldMsg(t *testing.T, err error, field, sub string) {
	t.Helper()
	wantField(t, err, field)
	e, _ := errs.As(err)
	for _, f := range e.Fields {
		if f.Field == field && strings.Contains(f.Message, sub) {
			return
		}
	}
	t.Fatalf("got fields %+v, want %q in the message of %q", e.Fields, sub, field)
}

func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// events returns the actions of a stream.
func events(t *testing.T, d *db.DB, stream string) []string {
	t.Helper()
	evs, err := audit.Stream(context.Background(), d.R, stream)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// lastEvent returns the newest event of a stream.
func lastEvent(t *testing.T, d *db.DB, stream string) audit.Event {
	t.Helper()
	evs, err := audit.Stream(context.Background(), d.R, stream)
	if err != nil || len(evs) == 0 {
		t.Fatalf("stream %s: %d events, err %v; want at least one", stream, len(evs), err)
	}
	return evs[len(evs)-1]
}

// mustUser inserts a user row directly (the users package owns accounts).
func mustUser(t *testing.T, d *db.DB, login, kind, region string) int64 {
	t.Helper()
	var id int64
	var reg any
	if region != "" {
		reg = region
	}
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), `INSERT INTO users (login, name, kind, password_hash, region_code, created_at, updated_at)
			VALUES ($1, $2, $3, 'x', $4, $5, $5) RETURNING id`, login, "用户"+login, kind, reg, testNow).Scan(&id)
	})
	if err != nil {
		t.Fatalf("insert user %s: %v", login, err)
	}
	return id
}

func contains[T comparable](s []T, v T) bool { return slices.Contains(s, v) }
