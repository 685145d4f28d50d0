package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/db"
	"banhao.dev/banhao/internal/platform/lru"
	"banhao.dev/banhao/internal/platform/outbox"
)

// Deps are what the service is built from.
type Deps struct {
	DB         *db.DB
	Clock      clock.Clock
	Items      ItemSource
	Calendar   Calendar
	Authorizer Authorizer
	Notifier   Notifier  // nil: OutboxNotifier
	Lights     LightRule // zero: DefaultLightRule
}

// Service runs the case lifecycle. Each exported action method is one API
// action (POST /api/v1/cases/{no}/actions/{action}).
type Service struct {
	db     *db.DB
	clk    clock.Clock
	items  ItemSource
	cal    Calendar
	authz  Authorizer
	notify Notifier
	lights LightRule
	wall   clock.Clock // ages caches; the business clock may be simulated or frozen
	rules  rulesCache
	snaps  *lru.Cache[string, ItemSnapshot] // by content hash (snapshots.go)
	wanted func(EventKind) bool             // nil: every event is published
}

// EventKind is what the consumers of "case.event" decide on, before the
// message exists.
type EventKind struct {
	Action        Action
	Before, After Status
}

// PublishOnly limits the "case.event" messages to the events some consumer
// wants (nil: all). Half of a lifecycle's events (submission, delivery)
// concern no consumer today; a new consumer adds its test to the filter
// where it is registered. The timeline records every event regardless.
// Call it while wiring, before serving.
func (s *Service) PublishOnly(wanted func(EventKind) bool) { s.wanted = wanted }

// NewService builds a Service.
func NewService(d Deps) *Service {
	s := &Service{db: d.DB, clk: d.Clock, items: d.Items, cal: d.Calendar, authz: d.Authorizer, notify: d.Notifier, lights: d.Lights,
		wall: clock.Wall{}, snaps: lru.New[string, ItemSnapshot](snapshotCacheSize)}
	if s.notify == nil {
		s.notify = OutboxNotifier{}
	}
	if s.lights == (LightRule{}) {
		s.lights = DefaultLightRule
	}
	return s
}

func (s *Service) now() time.Time { return clock.Norm(s.clk.Now()) }

// event is what an action records in the timeline, the outbox and the
// applicant's notification.
type event struct {
	Action Action
	Actor  audit.Actor
	At     time.Time
	Reason string
	Data   map[string]any
	Docs   []string // numbers of documents produced
	Notify string   // body of the notice to the applicant; "" sends none
	Extra  []Notice // further notices (e.g. with the pickup code)
}

// step is the body of one action: it checks what it needs and changes c.
type step func(ctx context.Context, tx *sql.Tx, c *Case, ev *event) error

// act runs action a on case no: it loads and locks the case, checks that the
// caller may see it, that the state allows a, and that the caller may do a;
// then runs fn and writes the case, its timeline event, the outbox message
// and the applicant's notification in one transaction.
func (s *Service) act(ctx context.Context, p *auth.Principal, no string, a Action, windowID int64, fn step) (*Case, error) {
	now := s.now()
	var out *Case
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.getCase(ctx, tx, no, s.db.ForUpdate())
		if err != nil {
			return err
		}
		if err := canSee(p, c); err != nil {
			return err
		}
		if err := checkAction(c, a); err != nil {
			return err
		}
		role, err := s.authorize(ctx, p, c, a, windowID, now)
		if err != nil {
			return err
		}
		ev := &event{Action: a, Actor: p.Actor(role), At: now, Data: map[string]any{}}
		if err := s.apply(ctx, tx, c, ev, fn); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s case %s: %w", a, clip(no, 40), err)
	}
	if err := s.written(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// written completes a case just written for the answer to its action: the
// row and body are as the transaction wrote them, so only the related lists
// are read (after the commit, so neither the row lock nor SQLite's writer is
// held for them). Re-reading the whole case instead cost a query and a
// decode of its JSON body, item snapshot included, per action.
func (s *Service) written(ctx context.Context, c *Case) error {
	c.StatusLabel = c.Status.Label()
	if err := s.fill(ctx, c); err != nil {
		return fmt.Errorf("get case %s: %w", c.No, err)
	}
	return nil
}

// apply runs fn on a loaded case and records the result.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, c *Case, ev *event, fn step) error {
	before := c.Status
	if err := fn(ctx, tx, c, ev); err != nil {
		return err
	}
	c.UpdatedAt = ev.At
	if err := s.settle(ctx, c, ev.At); err != nil {
		return err
	}
	// The row, its timeline event, the outbox message and the notices are
	// written in one round trip on PostgreSQL (nothing reads them before
	// the commit).
	// The row goes last: it carries the audit chain's new head.
	var b db.Batch
	if err := s.record(ctx, &b, c, ev, before); err != nil {
		return err
	}
	if err := updateCase(ctx, &b, c); err != nil {
		return err
	}
	return s.db.Flush(ctx, tx, &b)
}

// settle keeps the step columns, deadlines and lights in line with the state.
func (s *Service) settle(ctx context.Context, c *Case, now time.Time) error {
	c.StepRole, c.StepOrgID = "", 0
	if st := c.current(); st != nil && (c.Status == Accepted || c.Status == ClockStopped) {
		c.StepRole, c.StepOrgID = st.Role, st.OrgID
	}
	c.CurrentStep = c.current()
	switch c.Status {
	case Accepted, ClockStopped:
		return s.computeDeadlines(ctx, c, now)
	case Decided:
		// The timing ends with the decision: keep the deadlines, record the
		// lights as they stood, and stop watching.
		s.setLights(c, now)
	}
	c.NextLightChangeAt = nil
	return nil
}

// record appends the timeline event (hash-chained after the head the
// locked row holds), the outbox message and the notification through w, the
// caller's transaction or a batch of it, and moves c's audit head: the
// caller writes the row after.
func (s *Service) record(ctx context.Context, w db.Execer, c *Case, ev *event, before Status) error {
	data := map[string]any{"before": before, "after": c.Status, "label": ev.Action.Label()}
	if ev.Reason != "" {
		data["reason"] = ev.Reason
	}
	if len(ev.Docs) > 0 {
		data["documents"] = ev.Docs
	}
	for k, v := range ev.Data {
		data[k] = v
	}
	e, err := audit.AppendAfter(ctx, w, c.auditHead, ev.At, ev.Actor, c.stream(), string(ev.Action), data)
	if err != nil {
		return err
	}
	c.auditHead = audit.Head{Seq: e.Seq, Hash: e.Hash}
	if s.wanted != nil && !s.wanted(EventKind{Action: ev.Action, Before: before, After: c.Status}) {
		return s.notifyApplicant(ctx, w, c, ev)
	}
	msg := map[string]any{"no": c.No, "action": ev.Action, "before": before, "after": c.Status, "at": ev.At,
		"actor_id": ev.Actor.ID, "actor_role": ev.Actor.Role, "org_id": c.OrgID, "region_code": c.RegionCode,
		"item": c.Item, "version": c.Version, "channel": c.Channel, "trips": c.Trips, "second_correction": c.SecondCorrection,
		// The lights the event left: supervision reads the case only when
		// one is born yellow or red.
		"lights": EventLights{Case: c.Light, Step: c.StepLight},
		// What ratings need to open a moment, as it stands at the event:
		// their delivery then reads no case.
		"facts": EventFacts{ApplicantID: c.Applicant.UserID, Applicant: c.Applicant.Name, Phone: c.Applicant.Phone,
			ItemName: c.ItemName, WindowID: c.WindowID, StaffID: c.AcceptedBy, AcceptedAt: c.AcceptedAt, ConcludedAt: c.ConcludedAt}}
	if err := outbox.Enqueue(ctx, w, ev.At, TopicEvent, msg); err != nil {
		return err
	}
	return s.notifyApplicant(ctx, w, c, ev)
}

// notifyApplicant sends the event's notices through w.
func (s *Service) notifyApplicant(ctx context.Context, w db.Execer, c *Case, ev *event) error {
	if ev.Notify != "" {
		n := Notice{UserID: c.Applicant.UserID, Phone: c.Applicant.Phone, Title: "办件" + ev.Action.Label() + "：" + c.ItemName,
			Body: fmt.Sprintf("您的办件 %s（%s）%s", c.No, c.ItemName, ev.Notify), Link: "/my/cases/" + c.No}
		if err := s.notify.Notify(ctx, w, ev.At, n); err != nil {
			return err
		}
	}
	for _, n := range ev.Extra {
		if err := s.notify.Notify(ctx, w, ev.At, n); err != nil {
			return err
		}
	}
	return nil
}

// document records a written document of kind produced by the case.
func (s *Service) document(ctx context.Context, tx *sql.Tx, c *Case, ev *event, kind, title string, contents map[string]any) error {
	data := map[string]any{
		"organ":     c.ItemSnap.Org,
		"date":      clock.Day(ev.At),
		"case_no":   c.No,
		"item":      c.ItemName,
		"applicant": c.Applicant.Name,
		"qr":        "/track?no=" + c.No,
		"contents":  contents,
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode document: %w", err)
	}
	d := &Document{Kind: kind, Title: title, OrgID: c.OrgID, IssuedAt: ev.At, Data: raw}
	if err := insertDocument(ctx, tx, c.ID, c.No+"-"+docPrefix(kind), d); err != nil {
		return err
	}
	ev.Docs = append(ev.Docs, d.Number)
	return nil
}

func docPrefix(kind string) string {
	switch kind {
	case DocAcceptance:
		return "SL"
	case DocRefusal:
		return "BSL"
	case DocCorrection:
		return "BZ"
	case DocDecision:
		return "JD"
	case DocDelivery:
		return "SD"
	case DocExtension:
		return "YQ"
	case DocStop:
		return "TB"
	}
	return "WS"
}
