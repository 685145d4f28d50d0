package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/places"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/db"
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

// TODO(lead): CatalogItems, the ItemSource over internal/catalog, once the
// catalog branch is merged. Mapping (catalog.Item → ItemSnapshot):
//
//	it, err := svc.Guide(ctx, code, version)          // version 0: current published
//	cl, err := catalog.ComputeChecklist(it, answers)  // personalized materials and limits
//	ItemSnapshot{Code: it.Code, Version: it.Version, Name: it.Name, OrgID: it.OrgID, Org: it.Org,
//	  RegionCode: it.RegionCode, Domain: it.Domain, CaseType: string(it.CaseType),
//	  LegalLimit: {cl.LegalLimit.Days, string(cl.LegalLimit.Unit)}, PromisedLimit: {cl.PromisedLimit…},
//	  Steps: it.Process.Steps (Name, Role, OrgID, Share, StopsClock, Days),
//	  Checklist: cl.Materials, Materials: it.Materials (ID, Name, Required, PendingAllowed, CommitmentAllowed),
//	  Reconsider: it.Remedies.Reconsideration, Litigation: it.Remedies.Litigation,
//	  Published: it.Status == catalog.Published}
//
// PreReviewDays and ExtensionDays are not catalog elements yet: 0 selects
// the law's defaults (5 and 10 days).
