package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
	detail, err := d.Derivation.AppendJSON(nil)
	if err != nil {
		return Deadline{}, fmt.Errorf("encode derivation: %w", err)
	}
	steps := d.Derivation.Steps()
	return Deadline{Date: d.Date.String(), At: d.At.UTC(), Days: days, Unit: "working_day",
		Derivation: slices.Clone(steps), Detail: detail, calc: &deadlineCalc{der: d.Derivation, steps: steps, detail: detail}}, nil
}

// IsWorking implements Calendar.
func (a CalendarAdapter) IsWorking(ctx context.Context, t time.Time) (bool, error) {
	w, _, err := a.Cal.IsWorking(ctx, calendar.DateOf(t))
	return w, err
}

// PlacesAuthorizer reads the places tables (window authorizations and
// window staff) for Authorizer.
type PlacesAuthorizer struct {
	DB *db.DB
}

// WindowPowers implements Authorizer: the best authorization from orgID that
// covers the item at a window the clerk staffs (windowID, when not 0). Best
// is one that allows deciding on the spot; then the lowest window id, then
// places' own order (item scope before domain scope, newest first). One
// query: a clerk's every action asks it.
func (a PlacesAuthorizer) WindowPowers(ctx context.Context, userID, windowID, orgID int64, itemCode, domain, day string) (WindowPowers, error) {
	var p WindowPowers
	err := a.DB.R.QueryRowContext(ctx, `SELECT a.window_id, a.doc_no, a.can_accept, a.can_decide
		FROM window_staff s JOIN window_authorizations a ON a.window_id = s.window_id
		WHERE s.user_id = $1 AND ($2 = 0 OR s.window_id = $2) AND a.org_id = $3 AND a.can_accept
			AND a.revoked_at IS NULL AND a.valid_from <= $4 AND a.valid_to >= $4
			AND EXISTS (SELECT 1 FROM window_authorization_scopes c WHERE c.authorization_id = a.id
				AND (c.kind = 'item' AND c.value = $5 OR c.kind = 'domain' AND c.value = $6))
		ORDER BY a.can_decide DESC, a.window_id,
			EXISTS (SELECT 1 FROM window_authorization_scopes c WHERE c.authorization_id = a.id AND c.kind = 'item' AND c.value = $5) DESC,
			a.valid_from DESC, a.id DESC
		LIMIT 1`, userID, windowID, orgID, day, itemCode, domain).Scan(&p.WindowID, &p.DocNo, &p.CanAccept, &p.CanDecide)
	if errors.Is(err, sql.ErrNoRows) {
		return WindowPowers{}, places.ErrNoAuthorization
	}
	if err != nil {
		return WindowPowers{}, fmt.Errorf("window powers of user %d: %w", userID, err)
	}
	return p, nil
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
func (NotifyAdapter) Notify(ctx context.Context, q db.Execer, at time.Time, n Notice) error {
	return notify.Send(ctx, q, at, notify.Notice{UserID: n.UserID, Title: n.Title, Body: n.Body, Link: n.Link,
		SMS: n.Phone != "", Phone: n.Phone})
}
