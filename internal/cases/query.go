package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/errs"
	"banhao.dev/banhao/internal/platform/ids"
)

// Get returns a case with its materials, pending materials, correction
// notices, documents and the actions its state allows.
func (s *Service) Get(ctx context.Context, p *auth.Principal, no string) (*Case, error) {
	c, err := s.getCase(ctx, s.db.R, no, "")
	if err != nil {
		return nil, err
	}
	if err := canSee(p, c); err != nil {
		return nil, err
	}
	if err := s.fill(ctx, c); err != nil {
		return nil, fmt.Errorf("get case %s: %w", no, err)
	}
	return c, nil
}

// Facts reads a case's row and body without its lists (materials, pending
// materials, corrections, documents), for services that react to case events
// and need only who, what and when.
func (s *Service) Facts(ctx context.Context, p *auth.Principal, no string) (*Case, error) {
	c, err := s.getCase(ctx, s.db.R, no, "")
	if err != nil {
		return nil, err
	}
	if err := canSee(p, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) fill(ctx context.Context, c *Case) error {
	// Corrections counts the notices issued: none means nothing to read.
	c.CorrectionLog = []CorrectionNotice{}
	reads := []db.Read{materialsRead(c.ID, &c.Materials), pendingRead(c.ID, &c.Pending), documentsRead(c.ID, &c.Documents)}
	if c.Corrections > 0 {
		reads = append(reads, correctionsRead(c.ID, &c.CorrectionLog))
	}
	// One round trip on PostgreSQL: these reads follow every action.
	if err := s.db.Pipeline(ctx, reads...); err != nil {
		return fmt.Errorf("read case %s: %w", c.No, err)
	}
	c.Allowed = allowedFor(c)
	c.Expected = expected(c)
	c.DeliveryLight = c.deliveryLight(s.now())
	return nil
}

// expected says in Chinese what the applicant has to do next.
func expected(c *Case) string {
	switch c.Status {
	case Draft:
		return "请补充完整后提交申报"
	case Correction:
		return "请按补正告知书一次性补齐材料"
	case Concluded:
		return "请领取审批结果"
	}
	if c.PendingCount > 0 {
		return "请按承诺期限补齐容缺材料"
	}
	return "无需操作，请等待办理"
}

// Filter selects cases for lists and inboxes.
type Filter struct {
	Status   []Status `json:"status,omitempty"`
	Mine     bool     `json:"mine,omitempty"`  // the caller's own applications
	Inbox    bool     `json:"inbox,omitempty"` // current step in the caller's org and role
	Role     string   `json:"role,omitempty"`  // with Inbox: one of the caller's roles
	StepRole string   `json:"step_role,omitempty"`
	OrgID    int64    `json:"org_id,omitempty"`
	Light    Light    `json:"light,omitempty"`
	Item     string   `json:"item,omitempty"`
	Region   string   `json:"region,omitempty"`
	Second   bool     `json:"second_correction,omitempty"`
	Limit    int      `json:"limit,omitempty"`
	Offset   int      `json:"offset,omitempty"`
}

// List returns cases matching f that p may see, newest first. Applicants see
// only their own; staff see their region; inboxes are the cases whose
// current step belongs to the caller's organization and role.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]*Case, error) {
	if err := auth.Require(p); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	staff := p.HasAny(staffRoles...)
	clerkInbox := false
	switch {
	case f.Mine || !staff:
		add("applicant_id = ?", p.UserID)
	case p.RegionCode != "":
		add("region_code LIKE ?", ids.RegionPrefix(p.RegionCode)+"%")
	case !p.Has(auth.Admin):
		return nil, auth.ErrOutOfScope
	}
	if f.Inbox {
		role := auth.Role(f.Role)
		if role == "" {
			role = p.PrimaryRole()
		}
		if !p.Has(role) {
			return nil, auth.ErrForbidden
		}
		if role == auth.Clerk {
			// A clerk's steps belong to the item's organization, not the
			// clerk's: the clerk's inbox is the cases at a clerk step or
			// awaiting acceptance, filtered below by window authorization.
			where = append(where, "(status = 'submitted' OR step_role = 'clerk' AND status IN ('accepted', 'clock_stopped'))")
		} else {
			add("step_org_id = ?", p.OrgID)
			add("step_role = ?", string(role))
			where = append(where, "status IN ('accepted', 'clock_stopped')")
		}
		clerkInbox = role == auth.Clerk
	}
	if len(f.Status) > 0 {
		ph := make([]string, len(f.Status))
		for i, st := range f.Status {
			args = append(args, string(st))
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.StepRole != "" {
		add("step_role = ?", f.StepRole)
	}
	if f.OrgID != 0 {
		add("org_id = ?", f.OrgID)
	}
	if f.Light != "" {
		add("light = ?", string(f.Light))
	}
	if f.Item != "" {
		add("item_code = ?", f.Item)
	}
	if f.Region != "" {
		add("region_code LIKE ?", ids.RegionPrefix(f.Region)+"%")
	}
	if f.Second {
		where = append(where, "second_correction = true")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT ` + caseCols + ` FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if clerkInbox {
		// Page after the authorization filter.
		q += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT %d", clerkInboxScan)
		return s.clerkInbox(ctx, p, q, args, limit, max(f.Offset, 0))
	}
	q += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT %d OFFSET %d", limit, max(f.Offset, 0))
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	out := []*Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	// Snapshots after the rows are closed: a cache miss reads through the
	// same pool.
	for _, c := range out {
		if err := s.resolve(ctx, s.db.R, c); err != nil {
			return nil, err
		}
		c.Allowed = allowedFor(c)
		c.Expected = expected(c)
		c.DeliveryLight = c.deliveryLight(s.now())
	}
	return out, nil
}

// clerkInboxScan bounds the candidate cases a clerk's inbox reads before
// filtering them by window authorization.
const clerkInboxScan = 2000

// clerkInbox keeps the candidate cases of q whose item the clerk's window
// authorizations allow them to accept (the same check as the actions, so
// the inbox never lists a case the clerk may not work), then pages them.
func (s *Service) clerkInbox(ctx context.Context, p *auth.Principal, q string, args []any, limit, offset int) ([]*Case, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("clerk inbox: %w", err)
	}
	var cands []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("clerk inbox: %w", err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clerk inbox: %w", err)
	}
	day := clock.Day(s.now())
	authorized := map[string]bool{}
	out := []*Case{}
	for _, c := range cands {
		key := fmt.Sprintf("%d/%s/%s", c.OrgID, c.Item, c.Domain)
		ok, seen := authorized[key]
		if !seen {
			w, err := s.authz.WindowPowers(ctx, p.UserID, 0, c.OrgID, c.Item, c.Domain, day)
			switch k := errs.KindOf(err); {
			case err == nil:
				ok = w.CanAccept
			case k == errs.Forbidden || k == errs.NotFound:
				ok = false
			default:
				return nil, fmt.Errorf("clerk inbox: %w", err)
			}
			authorized[key] = ok
		}
		if !ok {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		if err := s.resolve(ctx, s.db.R, c); err != nil {
			return nil, err
		}
		c.Allowed = allowedFor(c)
		c.Expected = expected(c)
		c.DeliveryLight = c.deliveryLight(s.now())
		out = append(out, c)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// TimelineEvent is one entry of a case's timeline.
type TimelineEvent struct {
	Seq     int64           `json:"seq"`
	At      time.Time       `json:"at"`
	ActorID int64           `json:"actor_id"`
	Role    string          `json:"actor_role"`
	Action  string          `json:"action"`
	Label   string          `json:"label"`
	Data    json.RawMessage `json:"data"`
	Hash    string          `json:"hash"`
}

// Timeline returns the hash-chained events of a case.
func (s *Service) Timeline(ctx context.Context, p *auth.Principal, no string) ([]TimelineEvent, error) {
	c, err := s.getCase(ctx, s.db.R, no, "")
	if err != nil {
		return nil, err
	}
	if err := canSee(p, c); err != nil {
		return nil, err
	}
	evs, err := audit.Stream(ctx, s.db.R, c.stream())
	if err != nil {
		return nil, fmt.Errorf("timeline %s: %w", no, err)
	}
	out := make([]TimelineEvent, len(evs))
	for i, e := range evs {
		out[i] = TimelineEvent{Seq: e.Seq, At: e.At.UTC(), ActorID: e.ActorID, Role: e.Role, Action: e.Action,
			Label: Action(e.Action).Label(), Data: e.Data, Hash: e.Hash}
	}
	return out, nil
}

// TrackView is what anyone with the case number and query code sees.
type TrackView struct {
	No          string       `json:"no"`
	Item        string       `json:"item"`
	Org         string       `json:"org"`
	Status      Status       `json:"status"`
	StatusLabel string       `json:"status_label"`
	CurrentStep string       `json:"current_step,omitempty"`
	Promised    string       `json:"promised_date,omitempty"`
	Legal       string       `json:"legal_date,omitempty"`
	Delivery    string       `json:"delivery_date,omitempty"` // art. 44, after a grant
	Expected    string       `json:"expected"`
	Events      []TrackEvent `json:"events"`
}

// TrackEvent is a timeline entry without who did it.
type TrackEvent struct {
	At    time.Time `json:"at"`
	Label string    `json:"label"`
}

// Track is the public tracking by case number and query code. A wrong code
// and an unknown number give the same error.
func (s *Service) Track(ctx context.Context, no, code string) (TrackView, error) {
	if _, err := ParseNumber(no); err != nil {
		return TrackView{}, err
	}
	c, err := s.getCase(ctx, s.db.R, no, "")
	if err != nil {
		return TrackView{}, ErrNotFound
	}
	if !queryMatches(strings.ToUpper(strings.TrimSpace(code)), c.queryHash) {
		return TrackView{}, ErrNotFound
	}
	v := TrackView{No: c.No, Item: c.ItemName, Org: c.ItemSnap.Org, Status: c.Status, StatusLabel: c.Status.Label(), Expected: expected(c)}
	if st := c.current(); st != nil && (c.Status == Accepted || c.Status == ClockStopped) {
		v.CurrentStep = st.Name
	}
	if d := c.Deadlines.Promised; d != nil {
		v.Promised = d.Date
	}
	if d := c.Deadlines.Legal; d != nil {
		v.Legal = d.Date
	}
	if d := c.Deadlines.Delivery; d != nil {
		v.Delivery = d.Date
	}
	evs, err := audit.Stream(ctx, s.db.R, c.stream())
	if err != nil {
		return TrackView{}, fmt.Errorf("track %s: %w", no, err)
	}
	for _, e := range evs {
		v.Events = append(v.Events, TrackEvent{At: e.At.UTC(), Label: Action(e.Action).Label()})
	}
	return v, nil
}

// Verifications lists the verification tasks (核查) of the caller's organization.
func (s *Service) Verifications(ctx context.Context, p *auth.Principal, status string) ([]Verification, error) {
	if err := auth.Require(p, auth.Reviewer, auth.Approver, auth.Supervisor); err != nil {
		return nil, err
	}
	return listVerifications(ctx, s.db.R, p.OrgID, status)
}
