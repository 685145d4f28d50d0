package ratings

import (
	"context"
	"time"

	"banhao.dev/banhao/internal/cases"
	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
)

// Adapters from the real packages to Directory and Calendar.

// CasesDirectory implements Directory over the case, catalog, places and
// user services. Catalog, Places and Auth may be nil (complaints about
// items, windows or staff are then refused as unknown).
type CasesDirectory struct {
	Cases   *cases.Service
	Catalog *catalog.Service
	Places  *places.Service
	Auth    *auth.Service
}

// Case implements Directory: ratings read a case as the system.
func (d CasesDirectory) Case(ctx context.Context, no string) (CaseFacts, error) {
	c, err := d.Cases.Facts(ctx, auth.SystemPrincipal(), no)
	if err != nil {
		return CaseFacts{}, err
	}
	return CaseFacts{No: c.No, ApplicantID: c.Applicant.UserID, Applicant: c.Applicant.Name, Phone: c.Applicant.Phone, OrgID: c.OrgID,
		RegionCode: c.RegionCode, Item: c.Item, ItemName: c.ItemName, Channel: string(c.Channel), WindowID: c.WindowID, StaffID: c.AcceptedBy,
		Status: string(c.Status), AcceptedAt: c.AcceptedAt, ConcludedAt: c.ConcludedAt}, nil
}

// CheckCode implements Directory through the public tracking check.
func (d CasesDirectory) CheckCode(ctx context.Context, no, code string) error {
	_, err := d.Cases.Track(ctx, no, code)
	return err
}

// Item implements Directory.
func (d CasesDirectory) Item(ctx context.Context, code string) (Place, error) {
	if d.Catalog == nil {
		return Place{}, ErrSubjectUnknown
	}
	it, err := d.Catalog.Guide(ctx, code, 0)
	if err != nil {
		return Place{}, err
	}
	return Place{OrgID: it.OrgID, RegionCode: it.RegionCode, Name: it.Name}, nil
}

// Window implements Directory: a single-department window belongs to its
// department; a comprehensive window to the hall's region (the supervisor).
func (d CasesDirectory) Window(ctx context.Context, id int64) (Place, error) {
	if d.Places == nil {
		return Place{}, ErrSubjectUnknown
	}
	w, err := d.Places.Window(ctx, auth.SystemPrincipal(), id)
	if err != nil {
		return Place{}, err
	}
	h, err := d.Places.Hall(ctx, auth.SystemPrincipal(), w.HallID)
	if err != nil {
		return Place{}, err
	}
	return Place{OrgID: w.OrgID, RegionCode: h.RegionCode, Name: h.Name + " " + w.Title()}, nil
}

// Staff implements Directory.
func (d CasesDirectory) Staff(ctx context.Context, userID int64) (Place, error) {
	if d.Auth == nil {
		return Place{}, ErrSubjectUnknown
	}
	u, err := d.Auth.UserByID(ctx, userID)
	if err != nil || u.Kind != auth.KindStaff {
		return Place{}, ErrSubjectUnknown
	}
	return Place{OrgID: u.OrgID, RegionCode: u.RegionCode, Name: u.Name}, nil
}

// WorkingCalendar adapts *calendar.Calendar to Calendar.
type WorkingCalendar struct{ Cal *calendar.Calendar }

// WorkingDeadline implements Calendar.
func (w WorkingCalendar) WorkingDeadline(ctx context.Context, start time.Time, days int) (time.Time, error) {
	d, err := w.Cal.Deadline(ctx, start, days, nil)
	if err != nil {
		return time.Time{}, err
	}
	return d.At.UTC(), nil
}
