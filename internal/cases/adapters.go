package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/notify"
)

// Adapters from the real packages to the interfaces in deps.go.

// CalendarAdapter adapts *calendar.Calendar to Calendar.
type CalendarAdapter struct{ Cal *calendar.Calendar }

// Deadline implements Calendar.
func (a CalendarAdapter) Deadline(ctx context.Context, start time.Time, days int, stops []Interval) (Deadline, error) {
	ivs := make([]calendar.Interval, len(stops))
	for i, st := range stops {
		ivs[i] = calendar.Interval{From: st.From, To: st.To, Reason: st.Reason}
	}
	d, err := a.Cal.Deadline(ctx, start, days, ivs)
	if err != nil {
		return Deadline{}, err
	}
	detail, err := json.Marshal(d.Derivation)
	if err != nil {
		return Deadline{}, fmt.Errorf("encode derivation: %w", err)
	}
	return Deadline{Date: d.Date.String(), At: d.At.UTC(), Days: days, Unit: "working_day",
		Derivation: d.Derivation.Steps(), Detail: detail}, nil
}

// IsWorking implements Calendar.
func (a CalendarAdapter) IsWorking(ctx context.Context, t time.Time) (bool, error) {
	w, _, err := a.Cal.IsWorking(ctx, calendar.DateOf(t))
	return w, err
}

// PlacesAuthorizer adapts the places service (window authorizations and
// window staff) to Authorizer.
type PlacesAuthorizer struct {
	Places *places.Service
	DB     *db.DB
}

// WindowPowers implements Authorizer: the best authorization from orgID that
// covers the item at a window the clerk staffs.
func (a PlacesAuthorizer) WindowPowers(ctx context.Context, userID, windowID, orgID int64, itemCode, domain, day string) (WindowPowers, error) {
	q := `SELECT window_id FROM window_staff WHERE user_id = $1 ORDER BY window_id`
	args := []any{userID}
	if windowID != 0 {
		q = `SELECT window_id FROM window_staff WHERE user_id = $1 AND window_id = $2`
		args = append(args, windowID)
	}
	rows, err := a.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return WindowPowers{}, fmt.Errorf("clerk windows: %w", err)
	}
	var windows []int64
	for rows.Next() {
		var w int64
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return WindowPowers{}, fmt.Errorf("clerk windows: %w", err)
		}
		windows = append(windows, w)
	}
	rows.Close()
	var best WindowPowers
	for _, w := range windows {
		as, err := a.Places.AuthorizationsFor(ctx, w, itemCode, domain, day)
		if err != nil {
			return WindowPowers{}, err
		}
		for _, au := range as {
			if au.OrgID != orgID || !au.CanAccept {
				continue
			}
			if best.WindowID == 0 || au.CanDecide && !best.CanDecide {
				best = WindowPowers{WindowID: w, DocNo: au.DocNo, CanAccept: au.CanAccept, CanDecide: au.CanDecide}
			}
		}
	}
	if best.WindowID == 0 {
		return WindowPowers{}, places.ErrNoAuthorization
	}
	return best, nil
}

// CatalogItems adapts the catalog service to ItemSource: the item version
// (0: the current published one) and the applicant's personalized checklist.
// PreReviewDays and ExtensionDays are not catalog elements yet: 0 selects
// the law's defaults (5 and 10 days).
type CatalogItems struct{ Catalog *catalog.Service }

// Item implements ItemSource.
func (a CatalogItems) Item(ctx context.Context, code string, version int, answers map[string]string) (ItemSnapshot, error) {
	it, err := a.Catalog.Guide(ctx, code, version)
	if err != nil {
		return ItemSnapshot{}, err
	}
	cl, err := catalog.ComputeChecklist(it, answers)
	if err != nil {
		return ItemSnapshot{}, err
	}
	snap := ItemSnapshot{Code: it.Code, Version: it.Version, Name: it.Name, OrgID: it.OrgID, Org: it.Org,
		RegionCode: it.RegionCode, Domain: it.Domain, CaseType: string(it.CaseType),
		LegalLimit:    Limit{Days: cl.LegalLimit.Days, Unit: string(cl.LegalLimit.Unit)},
		PromisedLimit: Limit{Days: cl.PromisedLimit.Days, Unit: string(cl.PromisedLimit.Unit)},
		Reconsider:    it.Remedies.Reconsideration, Litigation: it.Remedies.Litigation,
		Published: it.Status == catalog.StatusPublished}
	for _, st := range it.Process.Steps {
		snap.Steps = append(snap.Steps, TemplateStep{Name: st.Name, Role: st.Role, OrgID: st.OrgID, Share: st.Share, StopsClock: st.StopsClock, Days: st.Days})
	}
	conv := func(ms []catalog.Material) []ItemMaterial {
		out := make([]ItemMaterial, 0, len(ms))
		for _, m := range ms {
			out = append(out, ItemMaterial{ID: m.ID, Name: m.Name, Required: m.Required, PendingAllowed: m.PendingAllowed, CommitmentAllowed: m.CommitmentAllowed})
		}
		return out
	}
	snap.Checklist = conv(cl.Materials)
	snap.Materials = conv(it.Materials)
	return snap, nil
}

// NotifyAdapter delivers notices through the notification service in the
// change's transaction: the in-app message at once, the SMS through the
// outbox and the SMS provider.
type NotifyAdapter struct{}

// Notify implements Notifier.
func (NotifyAdapter) Notify(ctx context.Context, q db.Q, at time.Time, n Notice) error {
	return notify.Send(ctx, q, at, notify.Notice{UserID: n.UserID, Title: n.Title, Body: n.Body, Link: n.Link,
		SMS: n.Phone != "", Phone: n.Phone})
}
