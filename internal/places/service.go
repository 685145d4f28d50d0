package places

import (
	"database/sql"
	"errors"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Service manages regions, organizations, halls, windows, window staff and
// window authorizations.
type Service struct {
	db  *db.DB
	clk clock.Clock
}

// NewService returns a Service on d using clk for every timestamp.
func NewService(d *db.DB, clk clock.Clock) *Service { return &Service{db: d, clk: clk} }

// managers of each kind of record.
var (
	regionManagers = []auth.Role{auth.Admin}
	orgManagers    = []auth.Role{auth.Admin}
	hallManagers   = []auth.Role{auth.Admin}
	windowManagers = []auth.Role{auth.Admin, auth.CatalogAdmin}
	staffManagers  = []auth.Role{auth.Admin}
)

// actor is p in the audit trail under the first of roles it holds.
func actor(p *auth.Principal, roles ...auth.Role) audit.Actor {
	for _, r := range roles {
		if p.Has(r) {
			return p.Actor(r)
		}
	}
	return p.Actor(p.PrimaryRole())
}

// change is the data of an audit event.
type change struct {
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// readScope returns the region a staff read is limited to: want when it lies
// in p's scope, else p's own scope ("" means everything, for a global admin).
func readScope(p *auth.Principal, want string) (string, error) {
	if err := auth.Require(p, auth.StaffRoles...); err != nil {
		return "", err
	}
	if p.RegionCode == "" && !p.Has(auth.Admin) {
		return "", auth.ErrOutOfScope
	}
	if want == "" {
		return p.RegionCode, nil
	}
	if !p.InRegion(want) {
		return "", auth.ErrOutOfScope
	}
	return want, nil
}

// related reports whether one region lies inside the other, e.g. a county
// department and a township hall of that county.
func related(a, b string) bool { return ids.InRegion(a, b) || ids.InRegion(b, a) }

// within is the LIKE pattern of every code inside region ("%" for all).
func within(region string) string { return ids.RegionPrefix(region) + "%" }

// notFound maps sql.ErrNoRows to the area's not-found error.
func notFound(err error, e *errs.Error) error {
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, db.ErrNotFound) {
		return e
	}
	return err
}

// inUse maps a foreign-key violation on delete to ErrInUse.
func inUse(err error) error {
	if errors.Is(err, db.ErrReference) {
		return ErrInUse
	}
	return err
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}
